package org.callpark.internal.shared;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.map.listener.MapEvictedListener;

/**
 * This node's copy of a small cluster map, grouped, so that a question asked on every call ("the bindings of this
 * AOR", "the BLF subscriptions of this slot") is answered from memory instead of by a query that every member runs
 * over its partitions (issue 17: the subscription query per park event was 30 % of all allocation of a churn).
 * <p>
 * The copy is made from the map when it is first asked for, and made again when the member is another one (a restart)
 * or when a member left the cluster (the events of a dying partition owner can be lost) or the map was cleared. An
 * entry listener (added, updated, removed, expired, evicted) keeps it current; this node's own writes go in at once
 * through {@link #put} and {@link #remove}. The listener starts before the map is read, and a key an event touched while the map was being read
 * keeps what the event said. Another node's write is seen once its event arrives: callers use the copy only where
 * that delay is harmless, and the map itself (compare-and-set) for anything that must be exact.
 * <p>
 * Thread-safe. {@link #close} removes the listeners.
 *
 * @param <R> the map's value type (a JSON string or {@code HazelcastJsonValue}: no class of ours in the member)
 * @param <V> the decoded value
 */
public final class LocalCopy<R, V> implements AutoCloseable {

    private final Supplier<HazelcastInstance> hazelcast;
    private final String mapName;
    private final Function<R, V> decode;
    private final BiFunction<String, V, String> groupOf;
    private Copy copy; // guarded by this

    /**
     * @param hazelcast the running member (follows member restarts)
     * @param mapName   the map copied
     * @param decode    a map value to its decoded form, {@code null} for a value that cannot be read (left out)
     * @param groupOf   the group of an entry, from its key and decoded value
     */
    public LocalCopy(Supplier<HazelcastInstance> hazelcast, String mapName, Function<R, V> decode,
            BiFunction<String, V, String> groupOf) {
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        this.mapName = Objects.requireNonNull(mapName, "mapName");
        this.decode = Objects.requireNonNull(decode, "decode");
        this.groupOf = Objects.requireNonNull(groupOf, "groupOf");
    }

    /** The entries of one group now (a live view: iterate it, do not keep it); the copy is made if there is none. */
    public Collection<V> group(String group) {
        return copy().group(group);
    }

    /** This node wrote {@code value} under {@code key}: the copy has it at once (if a copy was made). */
    public void put(String key, V value) {
        Copy c = current();
        if (c != null) {
            c.put(key, value);
        }
    }

    /** This node removed {@code key}: the copy drops it at once (if a copy was made). */
    public void remove(String key) {
        Copy c = current();
        if (c != null) {
            c.remove(key);
        }
    }

    /** Stops following the map; a later {@link #group} makes a new copy. */
    @Override
    public void close() {
        drop();
    }

    private Copy copy() {
        HazelcastInstance hz = Objects.requireNonNull(hazelcast.get(), "no cluster member");
        synchronized (this) {
            if (copy != null && copy.hz == hz && !copy.stale) {
                return copy;
            }
            if (copy != null) {
                copy.close(); // the member was restarted or replaced, or a member left
            }
            copy = new Copy(hz);
            return copy;
        }
    }

    private synchronized Copy current() {
        return copy;
    }

    /** Drops the copy and its listeners. */
    private void drop() {
        Copy c;
        synchronized (this) {
            c = copy;
            copy = null;
        }
        if (c != null) {
            c.close();
        }
    }

    /** One member's copy. */
    private final class Copy implements EntryAddedListener<String, R>, EntryUpdatedListener<String, R>,
            EntryRemovedListener<String, R>, EntryExpiredListener<String, R>, EntryEvictedListener<String, R>,
            MapClearedListener, MapEvictedListener, MembershipListener {

        final HazelcastInstance hz;
        private final ConcurrentHashMap<String, ConcurrentHashMap<String, V>> groups = new ConcurrentHashMap<>();
        /** Each key's group, so that a removal (which carries no value) finds it; changed only inside its compute. */
        private final ConcurrentHashMap<String, String> groupOfKey = new ConcurrentHashMap<>();
        private final Set<String> touchedWhileReading = ConcurrentHashMap.newKeySet();
        private volatile boolean reading = true;
        /** A member left or the map was cleared: the next {@link #group} makes a new copy. */
        volatile boolean stale;
        private final UUID listener;
        private final UUID members;

        Copy(HazelcastInstance hz) {
            this.hz = hz;
            IMap<String, R> map = hz.getMap(mapName);
            listener = map.addEntryListener(this, true);
            UUID m = null;
            try {
                m = hz.getCluster().addMembershipListener(this);
                for (var e : map.entrySet()) {
                    if (!touchedWhileReading.contains(e.getKey())) {
                        V v = decode.apply(e.getValue());
                        if (v != null) {
                            putIfAbsent(e.getKey(), v);
                        }
                    }
                }
            } catch (RuntimeException e) {
                members = m;
                close();
                throw e;
            }
            members = m;
            reading = false;
            touchedWhileReading.clear();
        }

        Collection<V> group(String group) {
            ConcurrentHashMap<String, V> g = groups.get(group);
            return g == null ? List.of() : g.values();
        }

        void put(String key, V value) {
            if (reading) {
                touchedWhileReading.add(key);
            }
            String group = groupOf.apply(key, value);
            groupOfKey.compute(key, (k, old) -> {
                if (old != null && !old.equals(group)) {
                    leave(old, key);
                }
                join(group, key, value);
                return group;
            });
        }

        private void putIfAbsent(String key, V value) {
            String group = groupOf.apply(key, value);
            groupOfKey.computeIfAbsent(key, k -> {
                join(group, key, value);
                return group;
            });
        }

        void remove(String key) {
            if (reading) {
                touchedWhileReading.add(key);
            }
            groupOfKey.computeIfPresent(key, (k, old) -> {
                leave(old, key);
                return null;
            });
        }

        /**
         * Inside the group's own compute, as {@link #leave}: a put into a group map that another key's leave has just
         * found empty and dropped would be lost.
         */
        private void join(String group, String key, V value) {
            groups.compute(group, (x, m) -> {
                ConcurrentHashMap<String, V> g = m == null ? new ConcurrentHashMap<>() : m;
                g.put(key, value);
                return g;
            });
        }

        private void leave(String group, String key) {
            groups.computeIfPresent(group, (x, m) -> {
                m.remove(key);
                return m.isEmpty() ? null : m;
            });
        }

        private void changed(EntryEvent<String, R> event) {
            V v = event.getValue() == null ? null : decode.apply(event.getValue());
            if (v == null) {
                remove(event.getKey());
            } else {
                put(event.getKey(), v);
            }
        }

        @Override
        public void entryAdded(EntryEvent<String, R> event) {
            changed(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, R> event) {
            changed(event);
        }

        @Override
        public void entryRemoved(EntryEvent<String, R> event) {
            remove(event.getKey());
        }

        @Override
        public void entryExpired(EntryEvent<String, R> event) {
            remove(event.getKey());
        }

        @Override
        public void entryEvicted(EntryEvent<String, R> event) {
            remove(event.getKey());
        }

        @Override
        public void mapCleared(MapEvent event) {
            stale = true; // one event for all entries: read the map again when next asked
        }

        @Override
        public void mapEvicted(MapEvent event) {
            stale = true;
        }

        @Override
        public void memberAdded(MembershipEvent event) {
            // nothing lost: the new member's partitions come with their entries, and no entry changes
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            stale = true; // its partitions' last events may never come: read the map again when next asked
        }

        void close() {
            try {
                hz.getMap(mapName).removeEntryListener(listener);
                if (members != null) {
                    hz.getCluster().removeMembershipListener(members);
                }
            } catch (RuntimeException e) {
                // the member is gone, and its listeners with it
            }
        }
    }
}
