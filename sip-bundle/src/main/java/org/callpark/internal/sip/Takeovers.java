package org.callpark.internal.sip;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;

/**
 * Decides which parked calls this node takes over, and drains this node. A call is taken by exactly one node because
 * every takeover starts with a claim (compare-and-set, {@link Handover}); who tries is decided so that normally only
 * one node does:
 * <ul>
 * <li>a call whose holder left the cluster (Hazelcast membership: killed, crashed, partitioned away): the owner of the
 * call key's partition takes it ({@link Handover.Why#TAKEOVER});</li>
 * <li>a call the record says this node holds, but this SIP stack does not (a new revision of the bundle, a restarted
 * stack): this node re-INVITEs it to itself ({@link Handover.Why#ADOPT});</li>
 * <li>a call whose session asks this node to take it ({@code handoverTo}, written by a draining node): this node moves
 * it ({@link Handover.Why#MOVE}).</li>
 * </ul>
 * A sweep over the cluster's calls runs at start, a few times after every membership change (until the dead member's
 * partitions have new owners) and every {@link #SWEEP_MS} as a safety net; hand-over requests are acted on at once
 * from their {@code MOVED} event.
 */
final class Takeovers {

    private static final Logger LOG = LoggerFactory.getLogger(Takeovers.class);
    /** The safety-net sweep (membership changes and hand-over requests are acted on at once). */
    static final long SWEEP_MS = 10_000;
    /** While calls of a node that left are waiting for a carrier, the sweep runs again this soon. */
    private static final long ORPHAN_RETRY_MS = 250;
    /** ... for at most this long after the last membership change (then the safety-net sweep goes on). */
    private static final long ORPHAN_RETRY_FOR_MS = 60_000;

    private final Handover handover;
    private final CoreAccess core;
    private final SipLegs legs;
    private final Supplier<String> localNode;
    private final Supplier<HazelcastInstance> hazelcast;
    private final ScheduledExecutorService timer;
    /** Where takeovers start (claim, media leg, re-INVITE): several at once, so 500 callers are not re-INVITEd in turn. */
    private final java.util.concurrent.ExecutorService starters;
    /** Calls this node is taking over now (one attempt at a time per call). */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private volatile UUID membership;
    private volatile boolean stopped;
    /** While the SIP stack is being replaced: nothing is taken over (it would be taken up on the old address). */
    private volatile boolean paused;
    private volatile SessionJournal journal;
    private volatile long lastMembershipChange;
    private final java.util.concurrent.atomic.AtomicBoolean retryScheduled = new java.util.concurrent.atomic.AtomicBoolean();

    Takeovers(Handover handover, CoreAccess core, SipLegs legs, Supplier<String> localNode,
            Supplier<HazelcastInstance> hazelcast, ScheduledExecutorService timer) {
        this.handover = handover;
        this.core = core;
        this.legs = legs;
        this.localNode = localNode;
        this.hazelcast = hazelcast;
        this.timer = timer;
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.starters = java.util.concurrent.Executors.newFixedThreadPool(STARTERS, r -> {
            Thread t = new Thread(r, "callpark-sip-takeover-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Takeovers started at once (each mostly waits for the cluster's compare-and-set). */
    static final int STARTERS = 6;

    /** This node's journal, read once at start ({@link #recover}). */
    void journal(SessionJournal journal) {
        this.journal = journal;
    }

    void start() {
        lastMembershipChange = System.nanoTime(); // calls of nodes that left before this one started count too
        try {
            timer.execute(this::recover);
        } catch (RejectedExecutionException e) {
            LOG.debug("Journal recovery skipped: stopped");
        }
        HazelcastInstance hz = hazelcast.get();
        if (hz != null) {
            try {
                membership = hz.getCluster().addMembershipListener(new MembershipListener() {
                    @Override
                    public void memberAdded(MembershipEvent event) {
                        sweepSoon(0);
                    }

                    @Override
                    public void memberRemoved(MembershipEvent event) {
                        LOG.info("Cluster node {} left: taking over the parked calls it held", event.getMember());
                        lastMembershipChange = System.nanoTime();
                        sweepSoon(0);
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("Cannot watch the cluster's members: {}", e.toString());
            }
        }
        sweepSoon(300); // this node's own calls after a bundle update or stack restart
        timer.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    /** Holds takeovers while the stack is replaced; {@code false} resumes them (call {@link #sweep} then). */
    void pause(boolean pause) {
        this.paused = pause;
    }

    void stop() {
        stopped = true;
        starters.shutdownNow();
        UUID m = membership;
        HazelcastInstance hz = hazelcast.get();
        if (m != null && hz != null) {
            try {
                hz.getCluster().removeMembershipListener(m);
            } catch (RuntimeException e) {
                LOG.debug("Removing the membership listener: {}", e.toString());
            }
        }
    }

    private void sweepSoon(long delayMillis) {
        try {
            timer.schedule(this::sweep, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Takeover sweep after stop skipped");
        }
    }

    /**
     * After a start: the calls in this node's journal that the cluster does not know any more (every node was gone)
     * are re-INVITEd and put back; those another live node carries are forgotten here; the rest are left to the
     * sweep (this node's own calls after a bundle update, calls of a dead node).
     */
    void recover() {
        SessionJournal j = journal;
        if (j == null) {
            return;
        }
        List<ParkedCall> recorded = j.all();
        int restoring = 0;
        for (ParkedCall call : recorded) {
            try {
                Optional<ParkedCall> known = core.service().find(call.id());
                if (known.isEmpty()) {
                    if (call.isLive() && busy.add(call.id())) {
                        restoring++;
                        starters.execute(() -> handover.adopt(call, Handover.Why.RESTORE)
                                .whenComplete((r, e) -> busy.remove(call.id())));
                    } else {
                        j.remove(call.id());
                    }
                } else if (!known.get().node().equals(localNode.get()) && isMember(known.get().node())) {
                    j.remove(call.id());
                }
            } catch (ParkException | RuntimeException e) {
                LOG.warn("Recovering call {} from the journal failed: {}", call.id(), e.toString());
            }
        }
        if (restoring > 0) {
            LOG.info("The cluster had lost {} parked call(s) of this node's journal: re-INVITing their callers",
                    restoring);
        }
    }

    /** A call changed carrier or session: act at once if it asks this node to take it. */
    void onMoved(ParkedCall call) {
        if (!stopped && SipSession.of(call.session()).map(s -> localNode.get().equals(s.handoverTo())).orElse(false)) {
            try {
                timer.execute(() -> consider(call)); // not on the event thread: a takeover calls the cluster
            } catch (RejectedExecutionException e) {
                LOG.debug("Hand-over request after stop ignored");
            }
        }
    }

    /**
     * One pass over the cluster's live calls. While some call's node has left and nobody carries it yet (the dead
     * member's partitions are still being given new owners), the pass is repeated every {@link #ORPHAN_RETRY_MS}.
     */
    void sweep() {
        if (stopped) {
            return;
        }
        int orphans = 0;
        try {
            for (ParkedCall call : core.service().list()) {
                if (consider(call)) {
                    orphans++;
                }
            }
        } catch (ParkException | RuntimeException e) {
            LOG.debug("Takeover sweep failed: {}", e.toString());
            orphans++;
        }
        if (orphans > 0 && System.nanoTime() - lastMembershipChange < ORPHAN_RETRY_FOR_MS * 1_000_000L
                && retryScheduled.compareAndSet(false, true)) {
            try {
                timer.schedule(() -> {
                    retryScheduled.set(false);
                    sweep();
                }, ORPHAN_RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                retryScheduled.set(false);
            }
        }
    }

    /** @return whether the call's node has left and nobody has taken it yet (an orphan) */
    private boolean consider(ParkedCall call) {
        if (paused || !call.isLive() || busy.contains(call.id()) || handover.adopting(call.id())) {
            return false;
        }
        String here = localNode.get();
        if (here.equals(call.node()) && legs.holds(call.leg())) {
            return false; // what almost every call of a sweep is: no need to read its session
        }
        Optional<SipSession> s = SipSession.of(call.session());
        if (s.isEmpty()) {
            return false;
        }
        Handover.Why why;
        boolean orphan = !here.equals(call.node()) && !isMember(call.node());
        if (here.equals(call.node())) {
            why = Handover.Why.ADOPT;
        } else if (here.equals(s.get().handoverTo())) {
            why = orphan ? Handover.Why.TAKEOVER : Handover.Why.MOVE;
        } else if (orphan && ownsPartitionOf(call.id())) {
            why = Handover.Why.TAKEOVER;
        } else {
            return orphan;
        }
        if (!handover.claimable(call) || !busy.add(call.id())) {
            return orphan;
        }
        Handover.Why reason = why;
        try {
            starters.execute(() -> handover.adopt(call, reason).whenComplete((r, e) -> busy.remove(call.id())));
        } catch (RejectedExecutionException e) {
            busy.remove(call.id());
        }
        return false;
    }

    /** Whether {@code node} is a member of the cluster now (without a cluster: only this node is). */
    boolean isMember(String node) {
        return isMember(hazelcast, localNode, node);
    }

    /** {@link #isMember(String)} for a given member (the {@link Handover} asks it too). */
    static boolean isMember(Supplier<HazelcastInstance> hazelcast, Supplier<String> localNode, String node) {
        HazelcastInstance hz = hazelcast.get();
        if (hz == null) {
            return localNode.get().equals(node);
        }
        try {
            for (Member m : hz.getCluster().getMembers()) {
                if (m.getUuid().toString().equals(node)) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return true; // cannot tell: do not take anything over
        }
    }

    private boolean ownsPartitionOf(String callId) {
        HazelcastInstance hz = hazelcast.get();
        if (hz == null) {
            return true;
        }
        try {
            Partition p = hz.getPartitionService().getPartition(callId);
            Member owner = p == null ? null : p.getOwner();
            return owner != null && owner.localMember();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The other members of the cluster, in a stable order. */
    List<String> otherNodes() {
        List<String> nodes = new ArrayList<>();
        HazelcastInstance hz = hazelcast.get();
        if (hz == null) {
            return nodes;
        }
        for (Member m : hz.getCluster().getMembers()) {
            if (!m.localMember()) {
                nodes.add(m.getUuid().toString());
            }
        }
        return nodes;
    }

    /** What a drain did. */
    record Drained(int total, int moved, int left) {
    }

    /**
     * Asks the other nodes to take every call this node holds (round robin), then waits until none is held here any
     * more or {@code timeout} passed. Calls that could not be moved stay here (still parked).
     */
    Drained drain(Duration timeout) throws ParkException, InterruptedException {
        String here = localNode.get();
        List<String> others = otherNodes();
        List<ParkedCall> mine = new ArrayList<>();
        for (ParkedCall c : core.service().list()) {
            if (here.equals(c.node()) && SipSession.of(c.session()).isPresent()) {
                mine.add(c);
            }
        }
        if (mine.isEmpty() || others.isEmpty()) {
            return new Drained(mine.size(), 0, mine.size());
        }
        int i = 0;
        for (ParkedCall c : mine) {
            String to = others.get(i++ % others.size());
            ParkedCall current = c;
            for (int attempt = 0; attempt < 10 && current != null; attempt++) {
                Optional<SipSession> s = SipSession.of(current.session());
                if (s.isEmpty() || !here.equals(current.node())) {
                    break;
                }
                if (core.service().carry(current.id(), current.version(), current.node(), current.leg(),
                        s.get().handover(to).toJson()).isPresent()) {
                    break;
                }
                current = core.service().find(current.id()).orElse(null);
            }
        }
        LOG.info("Draining: asked {} other node(s) to take {} parked call(s)", others.size(), mine.size());
        // Wait, reading only the calls still here, and not too often: the cluster and this node's event thread have 500
        // re-INVITEs and moves to get through meanwhile.
        long end = System.nanoTime() + timeout.toNanos();
        List<String> waiting = new ArrayList<>(mine.stream().map(ParkedCall::id).toList());
        int moved = 0;
        while (true) {
            for (java.util.Iterator<String> it = waiting.iterator(); it.hasNext();) {
                Optional<ParkedCall> now = core.service().find(it.next());
                if (now.isEmpty() || !here.equals(now.get().node())) {
                    it.remove();
                    if (now.isPresent()) {
                        moved++;
                    }
                }
            }
            if (waiting.isEmpty() || System.nanoTime() >= end) {
                break;
            }
            Thread.sleep(250);
        }
        int left = waiting.size();
        LOG.info("Drained: {} of {} parked call(s) moved to other nodes, {} still here", moved, mine.size(), left);
        return new Drained(mine.size(), moved, left);
    }
}
