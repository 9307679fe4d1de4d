package org.callpark.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.SlotStore;

/**
 * The park state read straight from a {@link SlotStore}, for a process that watches the cluster without being a park
 * node (the Openfire plugin, a Hazelcast client): the same live-call order and the same events as
 * {@link CallParkServiceImpl} reports, with none of its decisions (no timers, no transitions).
 */
public final class SlotStoreView {

    private final SlotStore store;
    private final Clock clock;

    public SlotStoreView(SlotStore store) {
        this(store, Clock.systemUTC());
    }

    SlotStoreView(SlotStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The live calls of a slot, first parked first (the pickup order).
     *
     * @throws ParkException {@code STORE_UNAVAILABLE}
     */
    public List<ParkedCall> live(SlotId slot) throws ParkException {
        List<ParkedCall> calls = new ArrayList<>(store.find(slot));
        calls.removeIf(c -> !c.isLive());
        calls.sort(CallOrder.FIFO);
        return calls;
    }

    /**
     * Reports every park event of the cluster to {@code listener}, on the store's event thread (in order per call),
     * until the returned handle is closed. The listener must not block.
     */
    public AutoCloseable listen(ParkEventListener listener) {
        Objects.requireNonNull(listener, "listener");
        return store.watch((before, after) -> {
            Optional<ParkEvent.Type> type = ParkEvents.typeOf(before, after);
            type.ifPresent(t -> listener.onParkEvent(new ParkEvent(t, after, clock.instant())));
        });
    }
}
