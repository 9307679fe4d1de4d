package org.callpark.internal.blf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.callpark.internal.shared.LocalCopy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;
import com.hazelcast.query.Predicates;

/**
 * BLF subscriptions shared by the cluster: Hazelcast IMap {@value #MAP_NAME}, key {@link Subscription#id()}, value the
 * subscription as {@link HazelcastJsonValue} (a Hazelcast type: no class of this bundle enters Hazelcast), TTL = time to expiry + {@link #GRACE_MILLIS} when written by
 * {@link #put}. The subscriptions of a node that died without sending their final NOTIFY are removed by the TTL or by
 * {@link #sweep}, which every node runs now and then. Every change
 * of one subscription is an {@code IMap.replace(key, old, new)} with the exact value read, retried on a race, so its
 * CSeq and version counters are atomic cluster-wide without the (Enterprise-only) CP subsystem.
 */
public final class HazelcastDialogSubscriptionStore implements DialogSubscriptionStore {

    public static final String MAP_NAME = "callpark.subscriptions";
    /** How long an expired subscription stays in the map for the expiry timer to send its final NOTIFY. */
    static final long GRACE_MILLIS = 30_000;

    private final Supplier<HazelcastInstance> hazelcast;
    /** This node's copy of the subscriptions by slot: {@link #forSlot} runs for every park event. */
    private final LocalCopy<HazelcastJsonValue, Subscription> bySlot;

    /** @param hazelcast the running member (follows member restarts) */
    public HazelcastDialogSubscriptionStore(Supplier<HazelcastInstance> hazelcast) {
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        this.bySlot = new LocalCopy<>(hazelcast, MAP_NAME, v -> Subscription.fromJson(v.getValue()),
                (id, s) -> s.slot());
    }

    /** Stops following the map (a later {@link #forSlot} makes a new copy). */
    @Override
    public void close() {
        bySlot.close();
    }

    /** The map (no index: {@link #forSlot} reads the node's copy, so nothing queries by slot any more). */
    private IMap<String, HazelcastJsonValue> map() {
        return hazelcast.get().getMap(MAP_NAME);
    }

    private static long ttl(Subscription s) {
        return Math.max(1_000, s.expiresAt() - System.currentTimeMillis() + GRACE_MILLIS);
    }

    @Override
    public void put(Subscription s) {
        map().set(s.id(), new HazelcastJsonValue(s.toJson()), ttl(s), TimeUnit.MILLISECONDS);
        bySlot.put(s.id(), s);
    }

    @Override
    public Optional<Subscription> get(String id) {
        HazelcastJsonValue v = map().get(id);
        return v == null ? Optional.empty() : Optional.ofNullable(Subscription.fromJson(v.getValue()));
    }

    /**
     * From this node's copy: its own subscriptions are there at once, another node's once their event arrived (this
     * node only notifies those after their node left). A value may be a NOTIFY behind: {@link #next(Subscription)}
     * checks it against the map.
     */
    @Override
    public List<Subscription> forSlot(String slotKey) {
        return new ArrayList<>(bySlot.group(slotKey));
    }

    @Override
    public boolean remove(String id) {
        boolean removed = map().remove(id) != null;
        bySlot.remove(id);
        return removed;
    }

    @Override
    public Optional<Subscription> next(String id) {
        return update(id, Subscription::next);
    }

    @Override
    public Optional<Subscription> next(Subscription known) {
        Subscription next = known.next();
        if (map().replace(known.id(), new HazelcastJsonValue(known.toJson()), new HazelcastJsonValue(next.toJson()))) {
            bySlot.put(next.id(), next);
            return Optional.of(next); // one operation instead of two: the usual case of a fan-out
        }
        return next(known.id());
    }

    @Override
    public Optional<Subscription> refresh(String id, long expiresAt, String remoteTarget) {
        return update(id, s -> s.refreshed(expiresAt, remoteTarget));
    }

    /**
     * Compare-and-set. {@code replace} drops the entry's TTL (measured in HazelcastDialogSubscriptionStoreTest); setting it
     * again would cost a third operation per NOTIFY, so a changed entry lives until its node's expiry timer removes
     * it or, if that node died, until {@link #sweep} finds it expired.
     */
    private Optional<Subscription> update(String id, UnaryOperator<Subscription> change) {
        IMap<String, HazelcastJsonValue> map = map();
        for (int attempt = 0; attempt < 1000; attempt++) {
            HazelcastJsonValue old = map.get(id);
            if (old == null) {
                bySlot.remove(id);
                return Optional.empty();
            }
            Subscription s = Subscription.fromJson(old.getValue());
            if (s == null) {
                map.remove(id, old);
                bySlot.remove(id);
                return Optional.empty();
            }
            Subscription next = change.apply(s);
            if (map.replace(id, old, new HazelcastJsonValue(next.toJson()))) {
                bySlot.put(id, next);
                return Optional.of(next);
            }
        }
        throw new IllegalStateException("subscription " + id + " changed 1000 times while being updated");
    }

    @Override
    public int sweep(long now) {
        IMap<String, HazelcastJsonValue> map = map();
        int removed = 0;
        for (var e : map.entrySet(Predicates.lessThan("expiresAt", now - GRACE_MILLIS))) {
            if (map.remove(e.getKey(), e.getValue())) { // unless refreshed meanwhile
                bySlot.remove(e.getKey());
                removed++;
            }
        }
        return removed;
    }

    @Override
    public boolean notifiesHere(Subscription s, String localNode) {
        if (s.node().equals(localNode)) {
            return true;
        }
        HazelcastInstance hz = hazelcast.get();
        for (Member m : hz.getCluster().getMembers()) {
            if (m.getUuid().toString().equals(s.node())) {
                return false; // its node is alive and sends
            }
        }
        Partition p = hz.getPartitionService().getPartition(s.id());
        Member owner = p.getOwner();
        return owner != null && owner.localMember();
    }

    @Override
    public int size() {
        return map().size();
    }

    /** A fresh tag for our side of a subscription dialog. */
    public static String newTag() {
        return Long.toHexString(UUID.randomUUID().getMostSignificantBits() >>> 1);
    }
}
