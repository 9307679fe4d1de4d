package org.callpark.internal.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.cluster.ClusterMember;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.spi.SlotStore;
import org.callpark.spi.json.CallCodec;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicate;
import com.hazelcast.projection.Projections;
import com.hazelcast.query.Predicates;

/**
 * The cluster-wide {@link SlotStore}: an {@link IMap} {@code callpark.calls} from call id to the call as JSON
 * ({@link CallCodec}). No class of this bundle goes into Hazelcast: values are {@link HazelcastJsonValue}s, and
 * {@link #update} is an optimistic compare-and-set ({@code replace(id, rawValueRead, newValue)}, retried on contention)
 * instead of an entry processor. The {@code slot} and {@code tenant} lookups use HASH indexes configured on the member
 * by {@link MemberConfigFactory}.
 * <p>
 * The values this node last read or wrote are remembered ({@link #recent}, bounded): an {@link #update} tries its
 * compare-and-set on that value first and reads the map only if the value changed meanwhile. A call moved here and
 * taken by a retriever (claim, commit, take: three updates in a row, see {@code Handover}) so costs three cluster
 * operations instead of six. The remembered value is only ever the expected value of a {@code replace}: a stale one
 * makes that replace fail and the update read the map as before; a transition that refuses the remembered value is
 * asked again about the value read from the map.
 * <p>
 * {@link #queue} answers from this node's view of the slots ({@link SlotQueues}): one entry listener on the map (also
 * the one behind every {@link #watch}, so a change is decoded once on this node, not once per watcher) keeps it, and a
 * slot is read from the records (a projection of six attributes, members extracting them from every value of the slot)
 * only the first time it is asked for, when the view holds nothing for it, and when a reader found none of the
 * view's candidates alive ({@link #queueFromRecords}). A retrieve from a slot of hundreds of calls so reads one record.
 * <p>
 * Hazelcast failures become {@link ParkException}s with {@link Reason#STORE_UNAVAILABLE}.
 */
@Component(service = SlotStore.class)
public final class HazelcastSlotStore implements SlotStore {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastSlotStore.class);

    private final Supplier<HazelcastInstance> hazelcast;
    private final Supplier<String> nodeId;
    private final ClusterMember member;
    private final Consumer<HazelcastInstance> onRestart = this::reregister;
    private final CallCodec codec = new CallCodec();
    private final Set<Registration> registrations = ConcurrentHashMap.newKeySet();
    private final SlotQueues view = new SlotQueues();
    private final Feed feed = new Feed();
    /** The value of each call this node last read or wrote (at most {@link #RECENT_MAX}; cleared when full). */
    private final ConcurrentHashMap<String, Known> recent = new ConcurrentHashMap<>();
    static final int RECENT_MAX = 4096;

    /** A value as stored and as decoded. */
    private record Known(HazelcastJsonValue raw, ParkedCall call) {
    }

    @Activate
    public HazelcastSlotStore(@Reference ClusterMember member) {
        this.member = member;
        this.hazelcast = member::instance;
        this.nodeId = member::nodeId;
        member.addRestartListener(onRestart);
    }

    /**
     * A store on a given member or client: tests, and the Openfire plugin (a Hazelcast client that only reads and
     * watches the calls, {@code nodeId} naming it).
     */
    public HazelcastSlotStore(HazelcastInstance hazelcast, String nodeId) {
        Objects.requireNonNull(hazelcast, "hazelcast");
        Objects.requireNonNull(nodeId, "nodeId");
        this.member = null;
        this.hazelcast = () -> hazelcast;
        this.nodeId = () -> nodeId;
    }

    /** Removes every listener this store registered. */
    @Deactivate
    public void close() {
        if (member != null) {
            member.removeRestartListener(onRestart);
        }
        for (Registration r : List.copyOf(registrations)) {
            r.close();
        }
        feed.close();
    }

    @Override
    public void insert(ParkedCall call) throws ParkException {
        Objects.requireNonNull(call, "call");
        HazelcastJsonValue encoded = codec.encode(call);
        HazelcastJsonValue existing = call(() -> map().putIfAbsent(call.id(), encoded));
        if (existing != null) {
            throw new ParkException(Reason.CONFLICT, "call " + call.id() + " exists already");
        }
        remember(call.id(), encoded, call);
        view.seen(call.id(), entry(call));
    }

    @Override
    public Optional<ParkedCall> get(String callId) throws ParkException {
        HazelcastJsonValue raw = call(() -> map().get(callId));
        if (raw == null) {
            recent.remove(callId);
            view.gone(callId);
            return Optional.empty();
        }
        ParkedCall call = decode(callId, raw);
        remember(callId, raw, call);
        view.seen(callId, entry(call));
        return Optional.of(call);
    }

    private void remember(String callId, HazelcastJsonValue raw, ParkedCall call) {
        if (recent.size() >= RECENT_MAX) {
            recent.clear(); // crude, but only ever costs a read
        }
        recent.put(callId, new Known(raw, call));
    }

    @Override
    public Optional<ParkedCall> update(String callId, UnaryOperator<ParkedCall> transition) throws ParkException {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(transition, "transition");
        IMap<String, HazelcastJsonValue> map = call(this::map);
        Known known = recent.get(callId);
        for (int attempt = 1;; attempt++) {
            HazelcastJsonValue raw;
            ParkedCall current;
            boolean remembered = known != null;
            if (remembered) {
                raw = known.raw();
                current = known.call();
                known = null; // once: after a failed try, the map is read
            } else {
                raw = call(() -> map.get(callId));
                if (raw == null) {
                    recent.remove(callId);
                    view.gone(callId);
                    return Optional.empty();
                }
                current = decode(callId, raw);
            }
            ParkedCall next = transition.apply(current);
            if (next == null) {
                if (remembered) {
                    continue; // refused what this node saw last: ask again about what the map holds
                }
                remember(callId, raw, current);
                view.seen(callId, entry(current));
                return Optional.empty();
            }
            if (!next.id().equals(current.id()) || next.version() != current.version() + 1) {
                throw new IllegalStateException("a transition of call " + callId + " must keep the id and raise the"
                        + " version by one: " + current.version() + " -> " + next.id() + " v" + next.version());
            }
            HazelcastJsonValue encoded = codec.encode(next);
            // Compare with the exact value read (or written): re-encoding it could differ from what is stored.
            HazelcastJsonValue expected = raw;
            if (call(() -> map.replace(callId, expected, encoded))) {
                ParkedCall stored = codec.decode(encoded);
                remember(callId, encoded, stored);
                view.seen(callId, entry(stored));
                return Optional.of(stored);
            }
            if (attempt % 100 == 0) {
                LOG.debug("update of call {} still contended after {} attempts", callId, attempt);
            }
        }
    }

    @Override
    public void delete(String callId) throws ParkException {
        // remove, not delete: delete() would publish the REMOVED event without the old value
        recent.remove(callId);
        call(() -> map().remove(callId));
    }

    @Override
    public void forget(String callId) throws ParkException {
        recent.remove(callId);
        call(() -> map().removeAsync(callId)).whenComplete((old, e) -> {
            if (e != null) {
                LOG.debug("Could not remove ended call {} (cleared at the next start): {}", callId, e.toString());
            }
        });
    }

    @Override
    public List<ParkedCall> find(SlotId slot) throws ParkException {
        return query(Predicates.equal(MemberConfigFactory.SLOT_ATTRIBUTE, slot.key()));
    }

    /**
     * The slot's queue from this node's view ({@link SlotQueues}); read from the records when the view has not read
     * this slot yet or holds no call of it (a call parked on another node a moment ago is then found at once).
     */
    @Override
    public List<Queued> queue(SlotId slot) throws ParkException {
        startFeed();
        if (view.isFilled(slot.key())) {
            List<Queued> queue = view.queue(slot.key());
            if (!queue.isEmpty()) {
                return queue;
            }
        }
        return queueFromRecords(slot);
    }

    /**
     * The slot's queue by projection: the members extract six attributes from the JSON values (indexed by slot), so no
     * whole record is read; what is read also fills this node's view.
     */
    @Override
    public List<Queued> queueFromRecords(SlotId slot) throws ParkException {
        startFeed();
        Collection<Object[]> rows = call(() -> map().project(
                Projections.multiAttribute("id", "parkedAt", "sequence", "state", "node", "version"),
                Predicates.equal(MemberConfigFactory.SLOT_ATTRIBUTE, slot.key())));
        List<SlotQueues.Entry> entries = new ArrayList<>(rows.size());
        List<Queued> queue = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            if (row[0] == null || row[1] == null || row[5] == null) {
                continue;
            }
            Queued place = new Queued(String.valueOf(row[0]),
                    java.time.Instant.ofEpochMilli(((Number) row[1]).longValue()),
                    row[2] == null ? 0 : ((Number) row[2]).longValue(), row[4] == null ? "" : String.valueOf(row[4]));
            boolean live = !"ENDED".equals(String.valueOf(row[3]));
            entries.add(new SlotQueues.Entry(slot.key(), place, ((Number) row[5]).longValue(), live));
            if (live) {
                queue.add(place);
            }
        }
        view.fill(slot.key(), entries);
        queue.sort(Queued.FIFO);
        return queue;
    }

    private void startFeed() throws ParkException {
        call(() -> {
            feed.start();
            return null;
        });
    }

    private static SlotQueues.Entry entry(ParkedCall call) {
        return new SlotQueues.Entry(call.slot().key(),
                new Queued(call.id(), call.parkedAt(), call.sequence(), call.node()), call.version(), call.isLive());
    }

    @Override
    public List<ParkedCall> find(TenantId tenant) throws ParkException {
        return query(Predicates.equal(MemberConfigFactory.TENANT_ATTRIBUTE, tenant.value()));
    }

    @Override
    public List<ParkedCall> all() throws ParkException {
        return decodeAll(call(() -> new ArrayList<>(map().values())));
    }

    @Override
    public AutoCloseable watch(Listener listener) {
        Registration registration = new Registration(Objects.requireNonNull(listener, "listener"));
        feed.start();
        registrations.add(registration);
        return registration;
    }

    @Override
    public String localNode() {
        return nodeId.get();
    }

    @Override
    public List<String> nodes() {
        List<String> nodes = new ArrayList<>();
        for (Member m : hazelcast.get().getCluster().getMembers()) {
            nodes.add(m.getUuid().toString());
        }
        return nodes;
    }

    private IMap<String, HazelcastJsonValue> map() {
        return hazelcast.get().getMap(MemberConfigFactory.CALLS_MAP);
    }

    private List<ParkedCall> query(Predicate<String, HazelcastJsonValue> predicate) throws ParkException {
        return decodeAll(call(() -> new ArrayList<>(map().values(predicate))));
    }

    private List<ParkedCall> decodeAll(Collection<HazelcastJsonValue> values) {
        List<ParkedCall> calls = new ArrayList<>(values.size());
        for (HazelcastJsonValue v : values) {
            try {
                calls.add(codec.decode(v));
            } catch (IllegalArgumentException e) {
                LOG.warn("Skipping an unreadable parked call record: {}", e.getMessage());
            }
        }
        return calls;
    }

    private ParkedCall decode(String callId, HazelcastJsonValue raw) throws ParkException {
        try {
            return codec.decode(raw);
        } catch (IllegalArgumentException e) {
            throw new ParkException(Reason.STORE_UNAVAILABLE, "call " + callId + ": " + e.getMessage(), e);
        }
    }

    /** Listens on a restarted member; the view starts again (events may have been missed meanwhile). */
    private void reregister(HazelcastInstance restarted) {
        feed.restart(restarted);
    }

    @FunctionalInterface
    private interface HazelcastCall<T> {
        T run();
    }

    private static <T> T call(HazelcastCall<T> op) throws ParkException {
        try {
            return op.run();
        } catch (HazelcastInstanceNotActiveException e) {
            throw new ParkException(Reason.STORE_UNAVAILABLE, "the cluster member is not running", e);
        } catch (HazelcastException e) {
            // includes OperationTimeoutException and the retryable/target-disconnected family
            throw new ParkException(Reason.STORE_UNAVAILABLE, "cluster store failure: " + e.getMessage(), e);
        }
    }

    /** One {@link #watch} registration. */
    private final class Registration implements AutoCloseable {

        private final Listener listener;
        private volatile boolean closed;

        Registration(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            closed = true;
            registrations.remove(this);
        }

        void changed(String id, ParkedCall from, ParkedCall to) {
            if (closed) {
                return;
            }
            try {
                listener.changed(from, to);
            } catch (RuntimeException e) {
                LOG.warn("A parked call listener failed on a change of call {}", id, e);
            }
        }
    }

    /**
     * The store's one entry listener on the map: decodes each change once, keeps the view, hands the change to every
     * {@link #watch} registration. Follows member restarts.
     */
    private final class Feed implements EntryAddedListener<String, HazelcastJsonValue>,
            EntryUpdatedListener<String, HazelcastJsonValue>, EntryRemovedListener<String, HazelcastJsonValue> {

        private HazelcastInstance instance; // guarded by this
        private UUID id; // guarded by this
        private boolean closed; // guarded by this

        /** Listens on the current member, once. */
        void start() {
            HazelcastInstance hz = hazelcast.get();
            synchronized (this) {
                if (instance == null && !closed) {
                    listen(hz);
                }
            }
        }

        synchronized void restart(HazelcastInstance hz) {
            if (closed || instance == null || hz == instance) {
                return; // never started: start() will listen on the new member
            }
            view.clear();
            listen(hz);
        }

        private void listen(HazelcastInstance hz) {
            IMap<String, HazelcastJsonValue> map = hz.getMap(MemberConfigFactory.CALLS_MAP);
            id = map.addEntryListener(this, true);
            instance = hz;
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (instance == null) {
                return;
            }
            try {
                instance.getMap(MemberConfigFactory.CALLS_MAP).removeEntryListener(id);
            } catch (HazelcastInstanceNotActiveException | HazelcastException e) {
                LOG.debug("Removing the call listener from a stopped member: {}", e.getMessage());
            }
        }

        @Override
        public void entryAdded(EntryEvent<String, HazelcastJsonValue> event) {
            deliver(event, null, event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, HazelcastJsonValue> event) {
            deliver(event, event.getOldValue(), event.getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<String, HazelcastJsonValue> event) {
            deliver(event, event.getOldValue(), null);
        }

        private void deliver(EntryEvent<String, HazelcastJsonValue> event, HazelcastJsonValue before,
                HazelcastJsonValue after) {
            ParkedCall from;
            ParkedCall to;
            try {
                from = before == null ? null : codec.decode(before);
                to = after == null ? null : codec.decode(after);
            } catch (IllegalArgumentException e) {
                LOG.warn("Ignoring a change of call {}: {}", event.getKey(), e.getMessage());
                return;
            }
            if (to != null) {
                view.seen(event.getKey(), entry(to));
            } else {
                view.gone(event.getKey());
            }
            for (Registration r : registrations) {
                r.changed(event.getKey(), from, to);
            }
        }
    }
}
