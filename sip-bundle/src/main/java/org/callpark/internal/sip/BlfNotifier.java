package org.callpark.internal.sip;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sip.ClientTransaction;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.message.Request;

import org.callpark.api.BlfOptions;
import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.internal.blf.Subscription;
import org.callpark.internal.blf.DialogSubscriptionStore;
import org.callpark.spi.ParkEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BLF for park slots: the notifier of the SIP {@code dialog} event package (RFC 6665, RFC 4235) for the slot URIs
 * {@code *88<ext>}, {@code park+<ext>}, {@code *88<group number>} and {@code park+<Group>}. It decides when which
 * NOTIFY is sent and sends it ({@link NotifyBuilder} builds it); the SUBSCRIBEs, which decide which subscriptions
 * exist and for how long, are handled by {@link BlfSubscriptions}. A NOTIFY answered 481 (or 404, 408, 410) or timing
 * out drops the subscription.
 * <p>
 * <b>Cluster</b>: subscriptions live in a {@link DialogSubscriptionStore} (Hazelcast in OSGi), each with the CSeq and
 * version of its last NOTIFY, taken atomically before each NOTIFY. Every node hears every {@link ParkEvent}; the
 * NOTIFYs of a subscription are sent by the node that accepted it while that node is a cluster member, else by the
 * owner of the subscription key's partition ({@link DialogSubscriptionStore#notifiesHere}). NOTIFYs are built from the
 * stored dialog state (no JAIN-SIP dialog), so any node can send them. The expiry timer runs on the accepting node.
 * <p>
 * <b>Threads</b>: the park event dispatcher only hands the event over. One scheduler thread
 * ({@code callpark-blf-timer}) fans an event out (one store query for the slot's subscriptions, one read of the slot's
 * calls) and runs the expiry timers; {@value #LANES} sender threads ({@code callpark-blf-<n>}) take the counters and
 * send the NOTIFYs, each subscription always on the same one, so its NOTIFYs leave in version order. Every NOTIFY
 * carries the newest state of the slot read so far (a per-slot snapshot that only moves forward), so a late task never
 * sends an older state. Sender threads mostly wait for Hazelcast (the compare-and-set of the counters), hence more of
 * them than cores.
 */
final class BlfNotifier implements ParkEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(BlfNotifier.class);
    static final int LANES = 8;
    /** How often every node removes subscriptions whose node died ({@link DialogSubscriptionStore#sweep}). */
    static final long SWEEP_SECONDS = 60;

    private final SipMessages messages;
    private final NotifyBuilder notifies;
    private final CoreAccess core;
    private final DialogSubscriptionStore store;
    private final Supplier<String> localNode;
    private final ScheduledThreadPoolExecutor timer;
    /** NOTIFYs built (not sent) after start, see {@link #warmUp}: about a second of one core. */
    static final int WARM_UP_ROUNDS = 20_000;
    private final ExecutorService[] lanes = new ExecutorService[LANES];
    private final BlfSubscriptions subscriptions;
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();

    /** The calls of a slot as read at {@code seq}; a snapshot is only ever replaced by a later one. */
    private record Snapshot(long seq, List<ParkedCall> calls) {
    }

    /** Why a final NOTIFY is sent. */
    private enum Final {
        /** Expired, or the subscriber ended it with {@code Expires: 0}. */
        TIMEOUT
    }

    /** The application data of a NOTIFY's client transaction. */
    record Sent(String subscriptionId, long version) {
    }

    BlfNotifier(SipMessages messages, SipAuthenticator auth, CoreAccess core,
            DialogSubscriptionStore store, Supplier<String> localNode) {
        this.messages = messages;
        this.notifies = new NotifyBuilder(messages);
        this.core = core;
        this.store = store;
        this.localNode = localNode;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "callpark-blf-timer"));
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.subscriptions = new BlfSubscriptions(messages, auth, core, store, localNode, timer,
                new BlfSubscriptions.Notifications() {
                    @Override
                    public void first(String id) {
                        lane(id).execute(() -> notifyNow(id, true));
                    }

                    @Override
                    public void last(Subscription l) {
                        lane(l.id()).execute(() -> send(l, Final.TIMEOUT, current(SlotId.parse(l.slot()))));
                    }
                });
        for (int i = 0; i < LANES; i++) {
            String name = "callpark-blf-" + i;
            lanes[i] = Executors.newSingleThreadExecutor(r -> daemon(r, name));
        }
        timer.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
        timer.schedule(() -> warmUp(WARM_UP_ROUNDS), 2, TimeUnit.SECONDS);
    }

    private void sweep() {
        try {
            int removed = store.sweep(System.currentTimeMillis());
            if (removed > 0) {
                LOG.debug("Removed {} expired subscriptions of nodes that are gone", removed);
            }
        } catch (RuntimeException e) {
            LOG.debug("Sweeping expired subscriptions failed: {}", e.toString());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops the threads. Subscriptions stay in the store (another node, or this one restarted, notifies them). */
    void stop() {
        timer.shutdownNow();
        for (ExecutorService lane : lanes) {
            lane.shutdownNow();
        }
        subscriptions.stop();
    }

    /** NOTIFYs sent by this node so far (tests, diagnostics). */
    long sent() {
        return sent.get();
    }

    /** Subscriptions this node has expiry timers for (tests, diagnostics). */
    int localTimers() {
        return subscriptions.localTimers();
    }

    /** A SUBSCRIBE to a slot URI, see {@link BlfSubscriptions}. */
    void onSubscribe(RequestEvent event) throws Exception {
        subscriptions.onSubscribe(event);
    }

    // ------------------------------------------------------------------------------------------ park events

    @Override
    public void onParkEvent(ParkEvent event) {
        if (event.type() == ParkEvent.Type.RECALLING || event.type() == ParkEvent.Type.RECALL_FAILED
                || event.type() == ParkEvent.Type.MOVED) {
            return; // still parked and retrievable: nothing a lamp shows changed
        }
        SlotId slot = event.call().slot();
        try {
            timer.execute(() -> fanOut(slot));
        } catch (RejectedExecutionException e) {
            LOG.debug("BLF stopped: {} of {} not notified", event.type(), slot);
        }
    }

    private void fanOut(SlotId slot) {
        try {
            List<Subscription> subs = store.forSlot(slot.key());
            String here = localNode.get();
            List<Subscription> mine = subs.stream().filter(s -> store.notifiesHere(s, here)).toList();
            if (mine.isEmpty()) {
                snapshots.remove(slot.key()); // nobody here to keep it fresh for
                return;
            }
            read(slot); // once for all of them
            for (Subscription s : mine) {
                lane(s.id()).execute(() -> notifyKnown(s));
            }
        } catch (RejectedExecutionException e) {
            LOG.debug("BLF stopped while notifying {}", slot);
        } catch (RuntimeException e) {
            LOG.warn("Notifying the BLF subscribers of {} failed: {}", slot, e.toString());
        }
    }

    /** Reads the slot's calls and keeps them as its snapshot unless a later read got there first. */
    private Snapshot read(SlotId slot) {
        long seq = reads.incrementAndGet();
        List<ParkedCall> calls;
        try {
            calls = core.service().list(slot);
        } catch (ParkException e) {
            throw new IllegalStateException("cannot read " + slot + ": " + e.getMessage(), e);
        }
        Snapshot fresh = new Snapshot(seq, calls);
        return snapshots.merge(slot.key(), fresh, (old, neu) -> neu.seq() > old.seq() ? neu : old);
    }

    /** The newest snapshot of the slot, read now if there is none yet. */
    private List<ParkedCall> current(SlotId slot) {
        Snapshot s = snapshots.get(slot.key());
        return s != null ? s.calls() : read(slot).calls();
    }

    /** On the subscription's lane, for a fan-out: as {@link #notifyNow}, the counters CAS'd against {@code known}. */
    private void notifyKnown(Subscription known) {
        try {
            Optional<Subscription> s = store.next(known);
            if (s.isEmpty()) {
                return;
            }
            send(s.get(), null, current(SlotId.parse(s.get().slot())));
        } catch (RuntimeException e) {
            LOG.warn("NOTIFY of subscription {} failed: {}", known.id(), e.toString());
        }
    }

    /**
     * On the subscription's lane: the next counters, then a NOTIFY with the newest state of its slot.
     *
     * @param fresh read the slot now (a new or refreshed subscription) rather than take the fan-out's snapshot
     */
    private void notifyNow(String id, boolean fresh) {
        try {
            Optional<Subscription> s = store.next(id);
            if (s.isEmpty()) {
                return; // gone meanwhile
            }
            SlotId slot = SlotId.parse(s.get().slot());
            send(s.get(), null, fresh ? read(slot).calls() : current(slot));
        } catch (RuntimeException e) {
            LOG.warn("NOTIFY of subscription {} failed: {}", id, e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------ NOTIFY

    private void send(Subscription s, Final end, List<ParkedCall> calls) {
        SipEndpoint ep = endpoint();
        try {
            Request notify = build(s, end, calls);
            ClientTransaction ct = ep.provider.getNewClientTransaction(notify);
            ct.setApplicationData(new Sent(s.id(), s.version()));
            ct.sendRequest();
            sent.incrementAndGet();
        } catch (SipException e) {
            // no route, TCP connect refused: the subscriber is gone
            LOG.debug("NOTIFY to {} could not be sent, dropping the subscription: {}", s.remoteTarget(), e.toString());
            drop(s.id());
        } catch (ParseException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("NOTIFY of subscription {} could not be built, dropping it: {}", s.id(), e.toString());
            drop(s.id());
        }
    }

    /** The NOTIFY for {@code s} with the tenant's BLF options, as of now. */
    private Request build(Subscription s, Final end, List<ParkedCall> calls)
            throws ParseException, javax.sip.InvalidArgumentException {
        BlfOptions options = core.directory().current().tenant(TenantId.of(s.tenant())).map(Tenant::blf)
                .orElse(BlfOptions.DEFAULT);
        return notifies.build(s, end != null, calls, options, System.currentTimeMillis());
    }

    /**
     * Runs the CPU-bound part of a NOTIFY (counters through JSON, the dialog-info body, the request and its encoding)
     * for a made-up subscription, without sending anything, so that the first fan-out to many phones after a start
     * runs compiled code rather than the interpreter. On the timer thread, once, soon after start.
     */
    void warmUp(int rounds) {
        if (messages.endpoint() == null) {
            return; // not started
        }
        long t0 = System.nanoTime();
        String uri = "sip:*880@127.0.0.1";
        Subscription fake = new Subscription("warm-up", "default", "default/ext/0", uri, uri, "sip:0@127.0.0.1",
                "warm-up", "a", "b", uri, "sip:0@127.0.0.1", "sip:0@127.0.0.1:9", List.of(), "udp", "", Long.MAX_VALUE,
                1, 0);
        RecallPolicy policy = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 1);
        ParkedCall call = new ParkedCall("warm-up", SlotId.extension(TenantId.DEFAULT, "0"),
                CallerId.of("+490", "Warm Up"), "0", "", Instant.now(), 0, CallState.PARKED, null, 0, policy, "", "",
                null, 1);
        long chars = 0;
        try {
            for (int i = 0; i < rounds && !timer.isShutdown(); i++) {
                fake = Subscription.fromJson(fake.next().toJson());
                chars += build(fake, null, (i & 1) == 0 ? List.of(call) : List.of()).toString().length();
            }
        } catch (ParseException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.debug("BLF warm-up stopped: {}", e.toString());
            return;
        }
        LOG.debug("BLF warm-up: {} NOTIFYs built ({} chars) in {} ms", rounds, chars,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** The answer to one of our NOTIFYs; {@code false} if it is not one. */
    boolean onResponse(ResponseEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        if (ct == null || !(ct.getApplicationData() instanceof Sent sent)) {
            return false;
        }
        int status = event.getResponse().getStatusCode();
        if (status == 481 || status == 404 || status == 410 || status == 408) {
            LOG.debug("NOTIFY of {} answered {}: dropping the subscription", sent.subscriptionId(), status);
            drop(sent.subscriptionId());
        } else if (status >= 300) {
            LOG.debug("NOTIFY of {} answered {}", sent.subscriptionId(), status);
        }
        return true;
    }

    /** A NOTIFY that timed out; {@code false} if it is not one. */
    boolean onTimeout(ClientTransaction ct) {
        if (ct == null || !(ct.getApplicationData() instanceof Sent sent)) {
            return false;
        }
        LOG.debug("NOTIFY of {} timed out: dropping the subscription", sent.subscriptionId());
        drop(sent.subscriptionId());
        return true;
    }

    private void drop(String id) {
        try {
            store.remove(id);
        } catch (RuntimeException e) {
            LOG.debug("Removing subscription {} failed: {}", id, e.toString());
        }
        subscriptions.cancelTimer(id);
    }

    private ExecutorService lane(String id) {
        return lanes[Math.floorMod(id.hashCode(), LANES)];
    }

    private SipEndpoint endpoint() {
        return messages.endpoint();
    }
}
