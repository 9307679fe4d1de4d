package org.callpark.internal.sip;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ReferToHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.message.Request;

import org.callpark.api.DialPlan;
import org.callpark.api.ParkException;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.Tenant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.javax.sip.header.extensions.ReplacesHeader;
import gov.nist.javax.sip.message.SIPResponse;

/**
 * In-call blind transfer (RFC 3515) of a bridged call by the tenant's user in it (the retriever, or the one who
 * answered a recall): {@code REFER} with {@code Refer-To: <sip:*68<ext>@domain>} (or {@code *68}, {@code *58}) parks
 * the other party there again, with its original caller identity and a new recall ladder; {@code Refer-To:
 * <sip:<ext>@domain>} (a user of the tenant) parks it on the referrer's own slot and rings that extension for it
 * ({@link org.callpark.api.CallParkService#sendTo}): answered, the two are bridged; not answered, the call stays parked
 * there and its ladder recalls the referrer. The REFER is answered {@code 202}, then NOTIFYs on its implicit
 * subscription carry the progress as {@code message/sipfrag} ({@code SIP/2.0 100 Trying}, then {@code SIP/2.0 200 OK}
 * or the failure); the referrer is hung up once the other party is parked.
 * <p>
 * A {@code Refer-To: <sip:<ext>@domain?Replaces=...>} (attended transfer after the referrer consulted that extension)
 * makes us invite the extension with that {@code Replaces} header ({@link ReplacesDial}); its answer is bridged to the
 * other party in place of the referrer.
 * <p>
 * Who may: only a party of the dialog (the REFER is in-dialog, so it came through that dialog) that is a user of the
 * tenant; the other party (the outside caller, who was parked) gets 403. Targets are what the referrer's tenant can
 * dial: the park codes (the park service checks slot and group as for a park INVITE by that user), the tenant's
 * extensions, and numbers outside the directory that the administrator allowed ({@code transferNumbers}, a pattern of
 * the whole user part): those are called as {@code sip:<number>@<outboundProxy>} (the PBX or trunk) while the other
 * party waits parked on the referrer's slot, exactly as for an extension. Anything else is refused before the 202.
 */
final class InCallTransfer {

    private static final Logger LOG = LoggerFactory.getLogger(InCallTransfer.class);
    /** How long an extension rings for a transferred call before it stays parked on the referrer's slot. */
    static final Duration RING_FOR = Duration.ofSeconds(30);

    private final SipMessages messages;
    private final SipLegs legs;
    private final CoreAccess core;
    private final Supplier<String> localNode;
    private final Executor async;
    private final ReplacesDial attended;

    InCallTransfer(SipMessages messages, SipLegs legs, CoreAccess core, Supplier<String> localNode, Executor async,
            ReplacesDial attended) {
        this.messages = messages;
        this.legs = legs;
        this.core = core;
        this.localNode = localNode;
        this.async = async;
        this.attended = attended;
    }

    /** A response to an attended transfer's INVITE with Replaces ({@link ReplacesDial}): {@code true} if it was. */
    boolean onResponse(javax.sip.ResponseEvent event) {
        return attended.onResponse(event);
    }

    /** Timer B of an attended transfer's INVITE: {@code true} if it was one. */
    boolean onTimeout(ClientTransaction ct) {
        return attended.onTimeout(ct);
    }

    /** A REFER within the dialog of {@code leg}. */
    void onRefer(RequestEvent event, SipLeg leg) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return;
        }
        ParkedCall call;
        String user;
        synchronized (leg) {
            if (leg.state != SipLeg.State.ANSWERED || leg.peer == null) {
                javax.sip.message.Response refused = messages.response(request, 405,
                        "REFER is only accepted in a connected call");
                messages.addAllow(refused); // RFC 3261 §21.4.6
                st.sendResponse(refused);
                return;
            }
            call = leg.bridgedCall;
            user = leg.user;
        }
        if (call == null || user == null) {
            messages.reject(st, 403, "only the tenant's user in this call can transfer it");
            return;
        }
        Optional<String> to = referToUser(request);
        if (to.isEmpty()) {
            messages.reject(st, 400, "Refer-To must be a SIP URI with a user part");
            return;
        }
        Optional<FeatureCode> code = FeatureCode.parse(to.get(), core.currentDirectory().tenant(call.tenant())
                .map(Tenant::dialPlan).orElse(DialPlan.DEFAULT));
        Optional<String> replaces = referToReplaces(request);
        if (replaces.isPresent()) {
            attended(st, request, leg, call, user, to.get(), code.isPresent(), replaces.get());
            return;
        }
        ParkTarget target;
        String ring = null;
        Optional<String> outside = code.isEmpty() && core.currentDirectory().user(call.tenant(), to.get()).isEmpty()
                ? messages.settings().transferUri(to.get()) : Optional.empty();
        if (code.isPresent() && code.get().park() != null) {
            target = code.get().park();
        } else if (code.isEmpty() && core.currentDirectory().user(call.tenant(), to.get()).isPresent()
                && !to.get().equals(user)) {
            target = ParkTarget.ownExtension();
            ring = to.get();
        } else if (outside.isPresent()) {
            target = ParkTarget.ownExtension();
            ring = outside.get();
        } else {
            messages.reject(st, 403, "not a park code, an extension of this tenant or an allowed number: " + to.get());
            return;
        }
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        st.sendResponse(messages.response(request, 202, null));
        notify(leg, cseq, 100, false);
        String extension = ring;
        async.execute(() -> transfer(leg, call, user, target, extension, cseq));
    }

    /**
     * A REFER whose Refer-To carries {@code Replaces} (attended transfer after a consultation call with the target):
     * only to an extension of the tenant other than the referrer (403 otherwise, before the 202), the header must name
     * a dialog (400 otherwise); then 202, NOTIFY 100, and {@link ReplacesDial} invites the target.
     */
    private void attended(ServerTransaction st, Request request, SipLeg referrer, ParkedCall call, String user,
            String to, boolean isCode, String replaces) throws Exception {
        if (isCode || to.equals(user) || core.currentDirectory().user(call.tenant(), to).isEmpty()) {
            messages.reject(st, 403, "an attended transfer goes to an extension of this tenant: " + to);
            return;
        }
        try {
            if (!(messages.headers().createHeader("Replaces", replaces) instanceof ReplacesHeader r)
                    || r.getCallId() == null || r.getToTag() == null || r.getFromTag() == null) {
                messages.reject(st, 400, "Replaces in Refer-To must name a dialog (call-id, to-tag, from-tag)");
                return;
            }
        } catch (java.text.ParseException e) {
            messages.reject(st, 400, "unreadable Replaces in Refer-To");
            return;
        }
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        st.sendResponse(messages.response(request, 202, null));
        notify(referrer, cseq, 100, false);
        async.execute(() -> attendedTransfer(referrer, call, to, replaces, cseq));
    }

    /**
     * The referrer leaves the bridge (its BYE no longer ends the other party's call) and the target is invited; its
     * answer bridges it to the other party (NOTIFY 200, BYE to the referrer), a failure puts the referrer back
     * (NOTIFY with the failure; the media was never changed meanwhile).
     */
    private void attendedTransfer(SipLeg referrer, ParkedCall call, String to, String replaces, long cseq) {
        SipLeg other;
        synchronized (referrer) {
            other = referrer.peer;
            if (referrer.state == SipLeg.State.ENDED || other == null) {
                return; // hung up meanwhile: the hang-up took the other party with it
            }
            referrer.peer = null;
        }
        attended.dial(other, call, to, replaces, status -> {
            notify(referrer, cseq, status, true);
            if (status == 200) {
                legs.hangUp(referrer);
                return;
            }
            LOG.debug("Attended transfer of {} to {} failed with {}: back to the referrer", other, to, status);
            rejoin(referrer, other);
        });
    }

    private void transfer(SipLeg referrer, ParkedCall was, String user, ParkTarget target, String extension,
            long cseq) {
        SipLeg other;
        synchronized (referrer) {
            other = referrer.peer;
            if (referrer.state == SipLeg.State.ENDED || other == null) {
                return; // hung up meanwhile: the hang-up took the other party with it
            }
            referrer.peer = null; // from now on the referrer's BYE does not hang the other party up
        }
        String session;
        synchronized (other) {
            if (other.session != null) {
                long[] origin = other.answerSdp == null ? null : Sdp.origin(other.answerSdp);
                other.session = other.session.reparked(origin == null ? 0 : origin[1]);
            }
            session = other.session == null ? "" : other.session.toJson();
        }
        ParkedCall parked;
        try {
            parked = core.service().park(new ParkRequest(was.tenant(), target, user, was.caller(), other.id,
                    session));
        } catch (ParkException | CoreAwayException e) {
            int status = e instanceof ParkException p ? SipErrors.of(p).status() : 503;
            LOG.debug("Transfer of {} by {} refused: {}", other, user, e.getMessage());
            rejoin(referrer, other);
            notify(referrer, cseq, status, true);
            return;
        }
        boolean live;
        synchronized (other) {
            live = other.state != SipLeg.State.ENDED;
            if (live) {
                other.peer = null;
                other.holding = false;
                other.parkedCallId = parked.id();
                other.carriedSince = parked.version();
                if (other.media != null) {
                    other.media.hold(ParkFlows.musicFor(parked));
                }
            }
        }
        if (!live) {
            legs.endQuietly(parked.id(), org.callpark.api.Resolution.ABANDONED);
            notify(referrer, cseq, 487, true);
            return;
        }
        LOG.debug("{} parked again on {} by {}'s transfer", other, parked.slot(), user);
        if (extension == null) {
            notify(referrer, cseq, 200, true);
            legs.hangUp(referrer);
            return;
        }
        try {
            RetrieveRequest send = new RetrieveRequest(was.tenant(), user, RetrieveTarget.call(parked.id()),
                    localNode.get());
            (FinalUri.is(extension) ? core.service().sendToUri(send, extension, RING_FOR)
                    : core.service().sendTo(send, extension, RING_FOR)).whenComplete((answered, failure) -> {
                        Throwable why = failure == null ? null : unwrap(failure);
                        LOG.debug("Transfer of {} to {}: {}", parked.id(), extension, why == null ? "answered"
                                : "not answered, stays parked: " + why);
                        notify(referrer, cseq, why == null ? 200 : statusOf(why), true);
                        legs.hangUp(referrer);
                    });
        } catch (ParkException | CoreAwayException e) {
            LOG.debug("Transfer of {} to {} cannot ring: {} (stays parked)", parked.id(), extension, e.getMessage());
            notify(referrer, cseq, e instanceof ParkException p ? SipErrors.of(p).status() : 503, true);
            legs.hangUp(referrer);
        }
    }

    /** The sipfrag status of a failed ring: busy, not answered, or the park service's refusal. */
    private static int statusOf(Throwable why) {
        if (why instanceof ParkException p) {
            return p.reason() == ParkException.Reason.UNREACHABLE ? 480 : SipErrors.of(p).status();
        }
        return 500;
    }

    /** The park was refused: the two are bridged again as before (unless one of them went away meanwhile). */
    private void rejoin(SipLeg referrer, SipLeg other) {
        boolean referrerLive;
        synchronized (referrer) {
            referrerLive = referrer.state != SipLeg.State.ENDED;
            if (referrerLive) {
                referrer.peer = other;
            }
        }
        if (!referrerLive) {
            legs.hangUp(other);
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** The Refer-To URI's user part, if it is a SIP URI with one. */
    static Optional<String> referToUser(Request request) {
        ReferToHeader h = (ReferToHeader) request.getHeader(ReferToHeader.NAME);
        if (h == null || h.getAddress() == null) {
            return Optional.empty();
        }
        URI uri = h.getAddress().getURI();
        if (!(uri instanceof SipURI sip) || sip.getUser() == null || sip.getUser().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(FeatureCode.percentDecode(sip.getUser()));
    }

    /** The {@code Replaces} header a Refer-To URI carries ({@code ?Replaces=...}), percent-decoded, if any. */
    static Optional<String> referToReplaces(Request request) {
        ReferToHeader h = (ReferToHeader) request.getHeader(ReferToHeader.NAME);
        if (h == null || h.getAddress() == null || !(h.getAddress().getURI() instanceof SipURI sip)) {
            return Optional.empty();
        }
        String value = sip.getHeader(ReplacesHeader.NAME);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(FeatureCode.percentDecode(value));
    }

    /**
     * A NOTIFY of the REFER's implicit subscription (RFC 3515 §2.4.4) in the referrer's dialog: {@code SIP/2.0
     * <status> <reason>} as {@code message/sipfrag}; {@code last} ends the subscription. A dialog continued from a
     * cluster record (no JAIN-SIP dialog) gets none; a failure to send is the referrer's business (logged).
     */
    private void notify(SipLeg leg, long referCseq, int status, boolean last) {
        Dialog dialog = leg.dialog;
        if (dialog == null) {
            return;
        }
        try {
            Request notify = dialog.createRequest(Request.NOTIFY);
            EventHeader event = messages.headers().createEventHeader("refer");
            event.setEventId(Long.toString(referCseq));
            notify.setHeader(event);
            SubscriptionStateHeader state = messages.headers().createSubscriptionStateHeader(last
                    ? SubscriptionStateHeader.TERMINATED : SubscriptionStateHeader.ACTIVE);
            if (last) {
                state.setReasonCode("noresource");
            } else {
                state.setExpires(60);
            }
            notify.setHeader(state);
            notify.setHeader(messages.contactHeader(leg.transport));
            ContentTypeHeader type = messages.headers().createContentTypeHeader("message", "sipfrag");
            type.setParameter("version", "2.0");
            notify.setContent("SIP/2.0 " + status + " " + SIPResponse.getReasonPhrase(status) + "\r\n", type);
            ClientTransaction ct = messages.endpoint().provider.getNewClientTransaction(notify);
            dialog.sendRequest(ct);
        } catch (Exception | LinkageError e) {
            LOG.debug("NOTIFY ({}) of the transfer to {} failed: {}", status, leg, e.toString());
        }
    }
}
