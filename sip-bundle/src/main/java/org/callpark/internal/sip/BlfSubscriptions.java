package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.internal.blf.DialogInfo;
import org.callpark.internal.blf.DialogSubscriptionStore;
import org.callpark.internal.blf.HazelcastDialogSubscriptionStore;
import org.callpark.internal.blf.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The SUBSCRIBE side of BLF for park slots (RFC 6665, RFC 4235): which subscriptions exist and for how long.
 * <p>
 * {@code Event} other than {@code dialog} (or none) → 489 with {@code Allow-Events: dialog}; an {@code Accept} without
 * {@code application/dialog-info+xml} → 406; Expires below the minimum → 423 with {@code Min-Expires}, above the
 * maximum → shortened; no Contact → 400. The subscriber is authenticated and the slot resolved with the rules of a
 * retrieve (tenant by Request-URI domain, digest credentials of that tenant or a trusted proxy's P-Asserted-Identity,
 * group slots only for members): 404 for an unknown slot or tenant, 403 for a non-member. 200 OK carries our tag and
 * the granted Expires, then the full state follows at once in a NOTIFY. In-dialog SUBSCRIBEs (refresh,
 * {@code Expires: 0}) are authenticated again and must come from the same user; an unknown dialog gets 481.
 * {@code Expires: 0} ends with a final NOTIFY {@code terminated;reason=timeout}; so does the expiry timer, which runs
 * on the accepting node and re-arms itself when another node refreshed the subscription meanwhile.
 * <p>
 * It decides no NOTIFY's content or sender: it tells the {@link Notifications} (the {@link BlfNotifier}) when a
 * subscription wants its first state and when it has ended.
 */
final class BlfSubscriptions {

    private static final Logger LOG = LoggerFactory.getLogger(BlfSubscriptions.class);
    private static final String EVENT = NotifyBuilder.EVENT;

    /** Where the NOTIFYs of a subscription's life go. */
    interface Notifications {

        /** A new or refreshed subscription: its full state now, read fresh. */
        void first(String subscriptionId);

        /** The subscription has ended (expired, unsubscribed, a fetch): the final NOTIFY with these counters. */
        void last(Subscription last);
    }

    private final SipMessages messages;
    private final SipAuthenticator auth;
    private final CoreAccess core;
    private final DialogSubscriptionStore store;
    private final Supplier<String> localNode;
    private final ScheduledExecutorService timer;
    private final Notifications notifications;
    private final Map<String, ScheduledFuture<?>> expiries = new ConcurrentHashMap<>();

    BlfSubscriptions(SipMessages messages, SipAuthenticator auth, CoreAccess core,
            DialogSubscriptionStore store, Supplier<String> localNode, ScheduledExecutorService timer,
            Notifications notifications) {
        this.messages = messages;
        this.auth = auth;
        this.core = core;
        this.store = store;
        this.localNode = localNode;
        this.timer = timer;
        this.notifications = notifications;
    }

    /** Subscriptions this node has expiry timers for (tests, diagnostics). */
    int localTimers() {
        return expiries.size();
    }

    /** The timer stopped: forget the expiry timers (the subscriptions stay in the store). */
    void stop() {
        expiries.clear();
    }

    /** A SUBSCRIBE to a slot URI: a new subscription, a refresh or an unsubscribe, answered here. */
    void onSubscribe(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return; // a retransmission
        }
        EventHeader eventHeader = (EventHeader) request.getHeader(EventHeader.NAME);
        if (eventHeader == null || !EVENT.equalsIgnoreCase(eventHeader.getEventType())) {
            Response r = messages.response(request, 489, "only the dialog event package is supported");
            r.setHeader(messages.headers().createAllowEventsHeader(EVENT));
            st.sendResponse(r);
            return;
        }
        if (!acceptsDialogInfo(request)) {
            Response r = messages.response(request, 406, "dialog-info is sent as application/dialog-info+xml");
            r.setHeader(messages.headers().createAcceptHeader(DialogInfo.CONTENT_TYPE, DialogInfo.CONTENT_SUBTYPE));
            st.sendResponse(r);
            return;
        }
        SipSettings.Expires bounds = messages.settings().subscribeExpires();
        ExpiresHeader expiresHeader = request.getExpires();
        int asked = expiresHeader == null ? bounds.dflt() : expiresHeader.getExpires();
        if (asked != 0 && asked < bounds.min()) {
            Response r = messages.response(request, 423, "the shortest subscription is " + bounds.min() + " s");
            r.setHeader(messages.headers().createMinExpiresHeader(bounds.min()));
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
        Optional<Tenant> tenant = core.directory().current().tenantForDomain(host);
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
        Optional<FeatureCode> code = FeatureCode.parse(SipMessages.requestUser(request), tenant.get().dialPlan());
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
            target = resolve(core.directory().current(), tenant.get().id(), subscriber.get(), code.get().retrieve(),
                    host);
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
            notifications.last(fetch);
            return;
        }
        notifications.first(s.id());
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
        Optional<Tenant> tenant = core.directory().current().tenant(TenantId.of(s.tenant()));
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
            last.ifPresent(notifications::last);
            return;
        }
        Optional<Subscription> refreshed = store.refresh(id, System.currentTimeMillis() + granted * 1000L, target);
        if (refreshed.isEmpty()) {
            messages.reject(st, 481, "no such subscription");
            return;
        }
        st.sendResponse(ok(request, localTag, granted, s.transport()));
        LOG.debug("{} refreshed {} for {} s ({})", s.subscriber(), s.slot(), granted, id);
        notifications.first(id);
        arm(id, refreshed.get().expiresAt());
    }

    private Response ok(Request request, String localTag, int expires, String transport) throws Exception {
        Response ok = messages.response(request, 200, null);
        ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(localTag);
        ok.setHeader(messages.headers().createExpiresHeader(expires));
        ok.setHeader(messages.contactHeader(transport));
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

    /** The subscription is gone (its NOTIFY was refused or timed out): no expiry timer for it any more. */
    void cancelTimer(String id) {
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
            last.ifPresent(notifications::last);
        } catch (RuntimeException e) {
            LOG.warn("Expiring subscription {} failed: {}", id, e.toString());
        }
    }
}
