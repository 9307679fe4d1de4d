package org.callpark.internal.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.SlotStore;

/**
 * A minimal single-node slot store for the directory tests: calls in a map, watchers told synchronously on the caller's
 * thread. It can be told to fail like an unreachable cluster.
 */
final class DirectoryFakeSlotStore implements SlotStore {

    private final Map<String, ParkedCall> calls = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    volatile boolean unavailable;

    int watchers() {
        return listeners.size();
    }

    private void check() throws ParkException {
        if (unavailable) {
            throw new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "fake store is down");
        }
    }

    private void fire(ParkedCall before, ParkedCall after) {
        listeners.forEach(l -> l.changed(before, after));
    }

    @Override
    public void insert(ParkedCall call) throws ParkException {
        check();
        if (calls.putIfAbsent(call.id(), call) != null) {
            throw new ParkException(ParkException.Reason.CONFLICT, "call " + call.id() + " exists");
        }
        fire(null, call);
    }

    @Override
    public Optional<ParkedCall> get(String callId) throws ParkException {
        check();
        return Optional.ofNullable(calls.get(callId));
    }

    @Override
    public Optional<ParkedCall> update(String callId, UnaryOperator<ParkedCall> transition) throws ParkException {
        check();
        ParkedCall before = calls.get(callId);
        if (before == null) {
            return Optional.empty();
        }
        ParkedCall after = transition.apply(before);
        if (after == null) {
            return Optional.empty();
        }
        calls.put(callId, after);
        fire(before, after);
        return Optional.of(after);
    }

    @Override
    public void delete(String callId) throws ParkException {
        check();
        ParkedCall before = calls.remove(callId);
        if (before != null) {
            fire(before, null);
        }
    }

    @Override
    public List<ParkedCall> find(SlotId slot) throws ParkException {
        check();
        return calls.values().stream().filter(c -> c.slot().equals(slot)).toList();
    }

    @Override
    public List<ParkedCall> find(TenantId tenant) throws ParkException {
        check();
        return calls.values().stream().filter(c -> c.tenant().equals(tenant)).toList();
    }

    @Override
    public List<ParkedCall> all() throws ParkException {
        check();
        return new ArrayList<>(calls.values());
    }

    @Override
    public AutoCloseable watch(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public String localNode() {
        return "test";
    }

    @Override
    public List<String> nodes() {
        return List.of("test");
    }
}
