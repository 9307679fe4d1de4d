package org.callpark.internal.blf;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Subscriptions of one node in a map (unit tests, a node without a cluster). The same JSON round trip as the
 * Hazelcast store, so a record that cannot be read back fails here too.
 */
public final class InMemoryDialogSubscriptionStore implements DialogSubscriptionStore {

    private final ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    public InMemoryDialogSubscriptionStore() {
        this(System::currentTimeMillis);
    }

    public InMemoryDialogSubscriptionStore(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void put(Subscription s) {
        map.put(s.id(), s.toJson());
    }

    @Override
    public Optional<Subscription> get(String id) {
        String json = map.get(id);
        Subscription s = json == null ? null : Subscription.fromJson(json);
        if (s != null && s.expiresAt() + HazelcastDialogSubscriptionStore.GRACE_MILLIS < clock.getAsLong()) {
            map.remove(id, json); // what a TTL does in Hazelcast
            return Optional.empty();
        }
        return Optional.ofNullable(s);
    }

    @Override
    public List<Subscription> forSlot(String slotKey) {
        return map.keySet().stream().map(this::get).flatMap(Optional::stream).filter(s -> s.slot().equals(slotKey))
                .toList();
    }

    @Override
    public boolean remove(String id) {
        return map.remove(id) != null;
    }

    @Override
    public Optional<Subscription> next(String id) {
        return update(id, Subscription::next);
    }

    @Override
    public Optional<Subscription> next(Subscription known) {
        Subscription next = known.next();
        if (map.replace(known.id(), known.toJson(), next.toJson())) {
            return Optional.of(next);
        }
        return next(known.id());
    }

    @Override
    public Optional<Subscription> refresh(String id, long expiresAt, String remoteTarget) {
        return update(id, s -> s.refreshed(expiresAt, remoteTarget));
    }

    private Optional<Subscription> update(String id, java.util.function.UnaryOperator<Subscription> change) {
        while (true) {
            String old = map.get(id);
            if (old == null) {
                return Optional.empty();
            }
            Subscription s = Subscription.fromJson(old);
            if (s == null) {
                map.remove(id, old);
                return Optional.empty();
            }
            Subscription next = change.apply(s);
            if (map.replace(id, old, next.toJson())) {
                return Optional.of(next);
            }
        }
    }

    @Override
    public int sweep(long now) {
        int removed = 0;
        for (var e : map.entrySet()) {
            Subscription s = Subscription.fromJson(e.getValue());
            if ((s == null || s.expiresAt() + HazelcastDialogSubscriptionStore.GRACE_MILLIS < now)
                    && map.remove(e.getKey(), e.getValue())) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    public boolean notifiesHere(Subscription subscription, String localNode) {
        return true; // one node
    }

    @Override
    public int size() {
        return map.size();
    }
}
