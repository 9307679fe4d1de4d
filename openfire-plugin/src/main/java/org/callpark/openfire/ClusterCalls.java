package org.callpark.openfire;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.json.CallChanges;
import org.callpark.spi.json.CallCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicates;

/**
 * The parked calls as the plugin sees them: a read-only view of the park nodes' map {@value CallCodec#MAP}, read
 * through a Hazelcast client. Records are plain JSON ({@link CallCodec}, from the api bundle), the pickup order and
 * the event a change means come from {@link CallChanges} — the rules the park core reports its own events with — so
 * the plugin needs none of the core's classes and never writes to the map.
 * <p>
 * Thread-safe.
 */
final class ClusterCalls {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterCalls.class);

    private final IMap<String, HazelcastJsonValue> map;
    private final CallCodec codec = new CallCodec();
    private final Clock clock;

    ClusterCalls(IMap<String, HazelcastJsonValue> map) {
        this(map, Clock.systemUTC());
    }

    ClusterCalls(IMap<String, HazelcastJsonValue> map, Clock clock) {
        this.map = Objects.requireNonNull(map, "map");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The live calls of a slot, first parked first (the pickup order). Unreadable records are skipped (logged).
     *
     * @throws ParkException {@code STORE_UNAVAILABLE} if the cluster cannot be read
     */
    List<ParkedCall> live(SlotId slot) throws ParkException {
        List<HazelcastJsonValue> values;
        try {
            values = new ArrayList<>(map.values(Predicates.equal(CallCodec.SLOT_FIELD, slot.key())));
        } catch (HazelcastException e) {
            throw new ParkException(Reason.STORE_UNAVAILABLE, "cannot read the park cluster: " + e.getMessage(), e);
        }
        List<ParkedCall> calls = new ArrayList<>(values.size());
        for (HazelcastJsonValue v : values) {
            try {
                ParkedCall c = codec.decode(v);
                if (c.isLive()) {
                    calls.add(c);
                }
            } catch (IllegalArgumentException e) {
                LOG.warn("Call Park: skipping an unreadable parked call record: {}", e.getMessage());
            }
        }
        calls.sort(CallChanges.FIFO);
        return calls;
    }

    /**
     * Reports every park event of the cluster to {@code listener}, on a Hazelcast event thread (in order per call),
     * until the returned handle is closed. The registration lives as long as this client.
     */
    AutoCloseable listen(ParkEventListener listener) {
        Objects.requireNonNull(listener, "listener");
        Changes changes = new Changes(listener);
        UUID id = map.addEntryListener(changes, true);
        return () -> {
            try {
                map.removeEntryListener(id);
            } catch (HazelcastException e) {
                LOG.debug("Call Park: removing a call listener from a stopped client: {}", e.getMessage());
            }
        };
    }

    /** Map changes turned into park events (removals of ended calls mean nothing new). */
    private final class Changes implements EntryAddedListener<String, HazelcastJsonValue>,
            EntryUpdatedListener<String, HazelcastJsonValue> {
        private final ParkEventListener listener;

        Changes(ParkEventListener listener) {
            this.listener = listener;
        }

        @Override
        public void entryAdded(EntryEvent<String, HazelcastJsonValue> event) {
            deliver(event.getKey(), null, event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, HazelcastJsonValue> event) {
            deliver(event.getKey(), event.getOldValue(), event.getValue());
        }

        private void deliver(String callId, HazelcastJsonValue before, HazelcastJsonValue after) {
            ParkedCall from;
            ParkedCall to;
            try {
                from = before == null ? null : codec.decode(before);
                to = codec.decode(after);
            } catch (IllegalArgumentException e) {
                LOG.warn("Call Park: ignoring a change of call {}: {}", callId, e.getMessage());
                return;
            }
            Optional<ParkEvent.Type> type = CallChanges.typeOf(from, to);
            if (type.isEmpty()) {
                return;
            }
            try {
                listener.onParkEvent(new ParkEvent(type.get(), to, clock.instant()));
            } catch (RuntimeException e) {
                LOG.warn("Call Park: a park event listener failed on call {}", callId, e);
            }
        }
    }
}
