package org.callpark.internal.sip;

import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sip.ClientTransaction;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.BlfOptions;
import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.internal.blf.DialogInfo;
import org.callpark.internal.blf.HazelcastDialogSubscriptionStore;
import org.callpark.internal.blf.Subscription;
import org.callpark.internal.blf.DialogSubscriptionStore;
import org.callpark.spi.ParkEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * BLF for park slots: the notifier of the SIP {@code dialog} event package (RFC 6665, RFC 4235) for the slot URIs
 * {@code *88<ext>}, {@code park+<ext>}, {@code *88<group number>} and {@code park+<Group>}.
 * <p>
 * <b>SUBSCRIBE</b>: {@code Event} other than {@code dialog} (or none) → 489 with {@code Allow-Events: dialog}; an
 * {@code Accept} without {@code application/dialog-info+xml} → 406; Expires below the minimum → 423 with
 * {@code Min-Expires}, above the maximum → shortened; no Contact → 400. The subscriber is authenticated and the slot
 * resolved with the rules of a retrieve (tenant by Request-URI domain, digest credentials of that tenant or a trusted
 * proxy's P-Asserted-Identity, group slots only for members): 404 for an unknown slot or tenant, 403 for a non-member.
 * 200 OK carries our tag and the granted Expires, then the full state follows at once in a NOTIFY.
 * In-dialog SUBSCRIBEs (refresh, {@code Expires: 0}) are authenticated again and must come from the same user; an
 * unknown dialog gets 481. {@code Expires: 0} ends with a final NOTIFY {@code terminated;reason=timeout}; so does the
 * expiry timer. A NOTIFY answered 481 (or 404, 408, 410) or timing out drops the subscription.
 * <p>
 * <b>Cluster</b>: subscriptions live in a {@link DialogSubscriptionStore} (Hazelcast in OSGi), each with the CSeq and version
 * of its last NOTIFY, taken atomically before each NOTIFY. Every node hears every {@link ParkEvent}; the NOTIFYs of a
 * subscription are sent by the node that accepted it while that node is a cluster member, else by the owner of the
 * subscription key's partition ({@link DialogSubscriptionStore#notifiesHere}). NOTIFYs are built from the stored dialog
 * state (no JAIN-SIP dialog), so any node can send them. The expiry timer runs on the accepting node.
 * <p>
 * <b>Threads</b>: the park event dispatcher only hands the event over. One scheduler thread ({@code callpark-blf-timer})
 * fans an event out (one store query for the slot's subscriptions, one read of the slot's calls) and runs the expiry
 * timers; {@value #LANES} sender threads ({@code callpark-blf-<n>}) take the counters and send the NOTIFYs, each
 * subscription always on the same one, so its NOTIFYs leave in version order. Every NOTIFY carries the newest state of
 * the slot read so far (a per-slot snapshot that only moves forward), so a late task never sends an older state.
 * Sender threads mostly wait for Hazelcast (the compare-and-set of the counters), hence more of them than cores.
 */
final class BlfNotifier implements ParkEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(BlfNotifier.class);
    static final int LANES = 8;
    /** How often every node removes subscriptions whose node died ({@link DialogSubscriptionStore#sweep}). */
    static final long SWEEP_SECONDS = 60;
    private static final String EVENT = NotifyBuilder.EVENT;

    private final SipMessages messages;
    private final SipAuthenticator auth;
    private final NotifyBuilder notifies;
    private final CallParkService service;
    private final DirectoryService directory;
    private final DialogSubscriptionStore store;
    private final Supplier<String> localNode;
    private final ScheduledThreadPoolExecutor timer;
    /** NOTIFYs built (not sent) after start, see {@link #warmUp}: about a second of one core. */
    static final int WARM_UP_ROUNDS = 20_000;
    private final ExecutorService[] lanes = new ExecutorService[LANES];
    private final Map<String, ScheduledFuture<?>> expiries = new ConcurrentHashMap<>();
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

    BlfNotifier(SipMessages messages, SipAuthenticator auth, CallParkService service, DirectoryService directory, DialogSubscriptionStore store,
            Supplier<String> localNode) {
        this.messages = messages;
        this.auth = auth;
        this.notifies = new NotifyBuilder(messages);
        this.service = service;
        this.directory = directory;
        this.store = store;
        this.localNode = localNode;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "callpark-blf-timer"));
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
        expiries.clear();
    }

    /** NOTIFYs sent by this node so far (tests, diagnostics). */
    long sent() {
        return sent.get();
    }

    /** Subscriptions this node has expiry timers for (tests, diagnostics). */
    int localTimers() {
        return expiries.size();
    }

    // ------------------------------------------------------------------------------------------ SUBSCRIBE

    void onSubscribe(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return; // a retransmission
        }
        EventHeader eventHeader = (EventHeader) request.getHeader(EventHeader.NAME);
        if (eventHeader == null || !EVENT.equalsIgnoreCase(eventHeader.getEventType())) {
            Response r = messages.response(request, 489, "only the dialog event package is supported");
            r.setHeader(endpoint().headers.createAllowEventsHeader(EVENT));
            st.sendResponse(r);
            return;
        }
        if (!acceptsDialogInfo(request)) {
            Response r = messages.response(request, 406, "dialog-info is sent as application/dialog-info+xml");
            r.setHeader(endpoint().headers.createAcceptHeader(DialogInfo.CONTENT_TYPE, DialogInfo.CONTENT_SUBTYPE));
            st.sendResponse(r);
            return;
        }
        SipSettings.Expires bounds = messages.settings().subscribeExpires();
        ExpiresHeader expiresHeader = request.getExpires();
        int asked = expiresHeader == null ? bounds.dflt() : expiresHeader.getExpires();
        if (asked != 0 && asked < bounds.min()) {
            Response r = messages.response(request, 423, "the shortest subscription is " + bounds.min() + " s");
            r.setHeader(endpoint().headers.createMinExpiresHeader(bounds.min()));
            st.sendResponse(r);
            return;
        }
        int granted = Math.min(asked, bounds.max());
        if (SipMessages.inDialog(request)) {
            refresh(event, st, granted);
        } else {
            subscribe(event, st, granted);
        }
    }

    private void subscribe(RequestEvent event, ServerTransaction st, int granted) throws Exception {
        Request request = event.getRequest();
        String host = SipMessages.requestHost(request);
        Optional<Tenant> tenant = directory.current().tenantForDomain(host);
        if (tenant.isEmpty()) {
            messages.reject(st, 404, "no tenant serves " + host);
            return;
        }
        MDC.put("tenant", tenant.get().id().value());
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        if (contact == null || contact.getAddress() == null) {
            messages.reject(st, 400, "a SUBSCRIBE needs a Contact");
            return;
        }
        Optional<FeatureCode> code = FeatureCode.parse(SipMessages.requestUser(request));
        if (code.isEmpty() || code.get().retrieve() == null
                || code.get().retrieve().kind() == RetrieveTarget.Kind.OWN) {
            messages.reject(st, 404, "not a park slot: subscribe to *88<ext>, park+<ext> or park+<group>");
            return;
        }
        Optional<String> subscriber = auth.authenticate(request, st, tenant.get());
        if (subscriber.isEmpty()) {
            return; // challenged or refused
        }
        Target target;
        try {
            target = resolve(directory.current(), tenant.get().id(), subscriber.get(), code.get().retrieve(), host);
        } catch (ParkException e) {
            SipErrors.Refusal refusal = SipErrors.of(e);
            messages.reject(st, refusal.status(), refusal.message());
            return;
        }
        MDC.put("slot", target.slot().key());
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        String localTag = HazelcastDialogSubscriptionStore.newTag();
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        List<String> routes = new ArrayList<>();
        ListIterator<Header> rr = request.getHeaders(RecordRouteHeader.NAME);
        while (rr.hasNext()) {
            routes.add(((RecordRouteHeader) rr.next()).getAddress().toString());
        }
        String transport = SipMessages.transportOf(request);
        String decodedUser = FeatureCode.percentDecode(SipMessages.requestUser(request));
        Subscription s = new Subscription(Subscription.idOf(callId, localTag), tenant.get().id().value(),
                target.slot().key(), DialogInfo.sipUri(decodedUser, host), target.retrieveUri(), subscriber.get(),
                callId, localTag, from.getTag() == null ? "" : from.getTag(),
                ((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI().toString(),
                from.getAddress().toString(), contact.getAddress().getURI().toString(), routes, transport,
                localNode.get(), System.currentTimeMillis() + granted * 1000L, 0, -1);
        if (granted > 0) {
            store.put(s);
        }
        st.sendResponse(ok(request, localTag, granted, transport));
        LOG.debug("{} subscribed to {} for {} s ({})", subscriber.get(), target.slot(), granted, s.id());
        if (granted == 0) {
            // A fetch (RFC 6665 §4.4.3): the state once, and the subscription is over.
            Subscription fetch = s.next();
            lane(s.id()).execute(() -> send(fetch, Final.TIMEOUT, current(SlotId.parse(fetch.slot()))));
            return;
        }
        lane(s.id()).execute(() -> notifyNow(s.id(), true));
        arm(s.id(), s.expiresAt());
    }

    private void refresh(RequestEvent event, ServerTransaction st, int granted) throws Exception {
        Request request = event.getRequest();
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        String localTag = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag();
        String remoteTag = ((FromHeader) request.getHeader(FromHeader.NAME)).getTag();
        String id = Subscription.idOf(callId, localTag);
        Optional<Subscription> existing = store.get(id);
        if (existing.isEmpty() || !existing.get().remoteTag().equals(remoteTag == null ? "" : remoteTag)) {
            messages.reject(st, 481, "no such subscription");
            return;
        }
        Subscription s = existing.get();
        MDC.put("tenant", s.tenant());
        MDC.put("slot", s.slot());
        Optional<Tenant> tenant = directory.current().tenant(TenantId.of(s.tenant()));
        if (tenant.isEmpty()) {
            store.remove(id);
            messages.reject(st, 481, "the tenant of this subscription is gone");
            return;
        }
        Optional<String> user = auth.authenticate(request, st, tenant.get());
        if (user.isEmpty()) {
            return;
        }
        if (!user.get().equals(s.subscriber())) {
            messages.reject(st, 403, "the subscription belongs to " + s.subscriber());
            return;
        }
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        String target = contact == null || contact.getAddress() == null ? null
                : contact.getAddress().getURI().toString();
        if (granted == 0) {
            Optional<Subscription> last = store.next(id);
            store.remove(id);
            cancelTimer(id);
            st.sendResponse(ok(request, localTag, 0, s.transport()));
            LOG.debug("{} unsubscribed from {} ({})", s.subscriber(), s.slot(), id);
            last.ifPresent(l -> lane(id).execute(() -> send(l, Final.TIMEOUT, current(SlotId.parse(l.slot())))));
            return;
        }
        Optional<Subscription> refreshed = store.refresh(id, System.currentTimeMillis() + granted * 1000L, target);
        if (refreshed.isEmpty()) {
            messages.reject(st, 481, "no such subscription");
            return;
        }
        st.sendResponse(ok(request, localTag, granted, s.transport()));
        LOG.debug("{} refreshed {} for {} s ({})", s.subscriber(), s.slot(), granted, id);
        lane(id).execute(() -> notifyNow(id, true));
        arm(id, refreshed.get().expiresAt());
    }

    private Response ok(Request request, String localTag, int expires, String transport) throws Exception {
        Response ok = messages.response(request, 200, null);
        ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(localTag);
        ok.setHeader(endpoint().headers.createExpiresHeader(expires));
        ok.setHeader(endpoint().headers.createContactHeader(endpoint().addresses.createAddress(
                messages.contactUri(transport))));
        return ok;
    }

    private static boolean acceptsDialogInfo(Request request) {
        ListIterator<Header> accepts = request.getHeaders(AcceptHeader.NAME);
        if (accepts == null || !accepts.hasNext()) {
            return true; // RFC 4235: the default is application/dialog-info+xml
        }
        while (accepts.hasNext()) {
            AcceptHeader a = (AcceptHeader) accepts.next();
            String type = a.getContentType() == null ? "" : a.getContentType();
            String sub = a.getContentSubType() == null ? "" : a.getContentSubType();
            if ((type.equals("*") || type.equalsIgnoreCase(DialogInfo.CONTENT_TYPE))
                    && (sub.equals("*") || sub.equalsIgnoreCase(DialogInfo.CONTENT_SUBTYPE))) {
                return true;
            }
        }
        return false;
    }

    /** A subscription's slot and the URI that picks its calls up. */
    record Target(SlotId slot, String retrieveUri) {
    }

    /**
     * The slot of a BLF URI, by the rules of a retrieve ({@link Directory#slotFor}), and the URI that dials it
     * ({@link Directory#retrieveCodeFor}) on the host the phone subscribed to.
     *
     * @throws ParkException NOT_FOUND, NOT_PERMITTED
     */
    static Target resolve(Directory dir, TenantId tenant, String subscriber, RetrieveTarget target, String host)
            throws ParkException {
        if (target.kind() != RetrieveTarget.Kind.EXTENSION && target.kind() != RetrieveTarget.Kind.GROUP) {
            throw new ParkException(ParkException.Reason.NOT_FOUND, "not a park slot: " + target);
        }
        SlotId slot = dir.slotFor(tenant, subscriber, target);
        String code = dir.retrieveCodeFor(slot).orElseThrow(() -> new ParkException(ParkException.Reason.NOT_FOUND,
                "no code dials " + slot)); // slotFor has just found it by a code
        return new Target(slot, DialogInfo.sipUri(code, host));
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
            calls = service.list(slot);
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
        BlfOptions options = directory.current().tenant(TenantId.of(s.tenant())).map(Tenant::blf)
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
        ParkedCall call = new ParkedCall("warm-up", SlotId.extension(TenantId.DEFAULT, "0"),
                org.callpark.api.CallerId.of("+490", "Warm Up"), "0", "", Instant.now(), 0,
                org.callpark.api.CallState.PARKED, null, 0, new org.callpark.api.RecallPolicy(org.callpark.api.RecallMode.USER_ONLY, null, List.of(),
                        java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(30), 1), "", "", null, 1);
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
        cancelTimer(id);
    }

    // ------------------------------------------------------------------------------------------ expiry

    private void arm(String id, long at) {
        try {
            ScheduledFuture<?> f = timer.schedule(() -> expire(id), Math.max(0, at - System.currentTimeMillis()),
                    TimeUnit.MILLISECONDS);
            ScheduledFuture<?> old = expiries.put(id, f);
            if (old != null) {
                old.cancel(false);
            }
        } catch (RejectedExecutionException e) {
            LOG.debug("BLF stopped: no expiry timer for {}", id);
        }
    }

    private void cancelTimer(String id) {
        ScheduledFuture<?> f = expiries.remove(id);
        if (f != null) {
            f.cancel(false);
        }
    }

    /** The expiry timer: refreshed elsewhere meanwhile → re-armed; else the final NOTIFY and gone. */
    private void expire(String id) {
        expiries.remove(id);
        try {
            Optional<Subscription> s = store.get(id);
            if (s.isEmpty()) {
                return;
            }
            if (s.get().expiresAt() > System.currentTimeMillis()) {
                arm(id, s.get().expiresAt());
                return;
            }
            Optional<Subscription> last = store.next(id);
            store.remove(id);
            LOG.debug("Subscription {} of {} expired", id, s.get().subscriber());
            last.ifPresent(l -> lane(id).execute(() -> send(l, Final.TIMEOUT, current(SlotId.parse(l.slot())))));
        } catch (RuntimeException e) {
            LOG.warn("Expiring subscription {} failed: {}", id, e.toString());
        }
    }

    private ExecutorService lane(String id) {
        return lanes[Math.floorMod(id.hashCode(), LANES)];
    }

    private SipEndpoint endpoint() {
        return messages.endpoint();
    }
}
