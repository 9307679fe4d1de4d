package org.callpark.internal.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.SlotStore;
import org.callpark.spi.json.CallCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node {@link SlotStore} for unit tests, with the semantics of {@link HazelcastSlotStore}: update is a real
 * compare-and-set (the transition runs outside any lock and may run again on contention), values go through
 * {@link CallCodec} (so instants are kept to the millisecond, as in the cluster), and listeners are called
 * synchronously, on the writing thread, in the order of the changes. A listener may call back into the store.
 * Passes {@link SlotStoreContract}.
 */
public class InMemorySlotStore implements SlotStore {

    private static final Logger LOG = LoggerFactory.getLogger(InMemorySlotStore.class);

    private final String nodeId;
    private final CallCodec codec = new CallCodec();
    private final ConcurrentMap<String, ParkedCall> calls = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Serialises each change with its notification, so listeners see changes in order. */
    private final Object writeLock = new Object();

    public InMemorySlotStore() {
        this("node-1");
    }

    public InMemorySlotStore(String nodeId) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    @Override
    public void insert(ParkedCall call) throws ParkException {
        ParkedCall stored = normalise(call);
        synchronized (writeLock) {
            if (calls.putIfAbsent(stored.id(), stored) != null) {
                throw new ParkException(Reason.CONFLICT, "call " + call.id() + " exists already");
            }
            notifyListeners(null, stored);
        }
    }

    @Override
    public Optional<ParkedCall> get(String callId) {
        return Optional.ofNullable(calls.get(callId));
    }

    @Override
    public Optional<ParkedCall> update(String callId, UnaryOperator<ParkedCall> transition) {
        Objects.requireNonNull(transition, "transition");
        while (true) {
            ParkedCall current = calls.get(callId);
            if (current == null) {
                return Optional.empty();
            }
            ParkedCall next = transition.apply(current);
            if (next == null) {
                return Optional.empty();
            }
            if (!next.id().equals(current.id()) || next.version() != current.version() + 1) {
                throw new IllegalStateException("a transition of call " + callId + " must keep the id and raise the"
                        + " version by one: " + current.version() + " -> " + next.id() + " v" + next.version());
            }
            ParkedCall stored = normalise(next);
            synchronized (writeLock) {
                // compare-and-set on the very snapshot read (identity, not equals)
                boolean[] swapped = { false };
                calls.computeIfPresent(callId, (id, now) -> {
                    if (now == current) {
                        swapped[0] = true;
                        return stored;
                    }
                    return now;
                });
                if (swapped[0]) {
                    notifyListeners(current, stored);
                    return Optional.of(stored);
                }
            }
        }
    }

    @Override
    public void delete(String callId) {
        synchronized (writeLock) {
            ParkedCall removed = calls.remove(callId);
            if (removed != null) {
                notifyListeners(removed, null);
            }
        }
    }

    @Override
    public List<ParkedCall> find(SlotId slot) {
        return calls.values().stream().filter(c -> c.slot().equals(slot)).toList();
    }

    @Override
    public List<ParkedCall> find(TenantId tenant) {
        return calls.values().stream().filter(c -> c.tenant().equals(tenant)).toList();
    }

    @Override
    public List<ParkedCall> all() {
        return new ArrayList<>(calls.values());
    }

    @Override
    public AutoCloseable watch(Listener listener) {
        Listener registered = Objects.requireNonNull(listener, "listener")::changed; // a distinct identity
        listeners.add(registered);
        return () -> listeners.remove(registered);
    }

    @Override
    public String localNode() {
        return nodeId;
    }

    @Override
    public List<String> nodes() {
        return List.of(nodeId);
    }

    private ParkedCall normalise(ParkedCall call) {
        return codec.fromJson(codec.toJson(Objects.requireNonNull(call, "call")));
    }

    private void notifyListeners(ParkedCall before, ParkedCall after) {
        for (Listener l : listeners) {
            try {
                l.changed(before, after);
            } catch (RuntimeException e) {
                LOG.warn("A slot store listener failed", e);
            }
        }
    }
}
