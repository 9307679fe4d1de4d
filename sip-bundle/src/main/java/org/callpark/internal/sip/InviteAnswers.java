package org.callpark.internal.sip;

import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.CallerId;

/**
 * The 200 OKs to the INVITEs this B2BUA takes: the answer that anchors a leg's media here (our SDP, our tag, our
 * Contact and, to a retriever, the connected party), and the answer to a re-INVITE or UPDATE within such a dialog:
 * unchanged for a session refresh, and for a bridged call the hold/unhold or moved media the offer asks for
 * ({@link InDialogHold}).
 */
final class InviteAnswers {

    private final SipMessages messages;
    private final SipIdentities identities;
    private final SipLegs legs;
    private final SessionTimers timers;
    private final InDialogHold hold;

    InviteAnswers(SipMessages messages, SipIdentities identities, SipLegs legs, SessionTimers timers) {
        this.messages = messages;
        this.identities = identities;
        this.legs = legs;
        this.timers = timers;
        this.hold = new InDialogHold(messages);
    }

    /**
     * Under the leg's monitor: sends the 200 OK with our SDP; with {@code connected} also the connected party's
     * identity. The leg is {@link SipLeg.State#ANSWERED} from now on.
     */
    void answer(SipLeg leg, ServerTransaction st, Request request, Sdp offer, CallerId connected) throws Exception {
        answer(leg, st, request, offer, connected, Sdp.Direction.SENDRECV);
    }

    /**
     * As {@link #answer(SipLeg, ServerTransaction, Request, Sdp, CallerId)}, our SDP saying {@code direction} (the
     * answer to a held offer, RFC 3264 §6.1: an INVITE with Replaces from a phone that holds, {@link ReplacesFlow}).
     */
    void answer(SipLeg leg, ServerTransaction st, Request request, Sdp offer, CallerId connected,
            Sdp.Direction direction) throws Exception {
        SipSettings settings = messages.settings();
        SipSession session = leg.session;
        String sdp;
        if (direction == Sdp.Direction.SENDRECV) {
            sdp = session != null
                    ? offer.answer(settings.advertisedAddress(), leg.media.localAddress().getPort(),
                            leg.media.codec(), session.sdpId(), session.sdpVersion())
                    : offer.answer(settings.advertisedAddress(), leg.media.localAddress().getPort(),
                            leg.media.codec());
        } else {
            long version = Sdp.nextVersion();
            sdp = offer.answer(settings.advertisedAddress(), leg.media.localAddress().getPort(), leg.media.codec(),
                    version, version, direction);
        }
        Response ok = messages.response(request, 200, null);
        if (leg.localTag != null) {
            ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(leg.localTag);
        }
        Address contact = messages.addresses().createAddress(messages.contactUri(leg.transport));
        if (connected != null) {
            identities.announceConnected(ok, contact, connected, SipMessages.requestHost(request));
        }
        ok.setHeader(messages.headers().createContactHeader(contact));
        messages.addAllow(ok);
        if (connected != null) {
            ok.addHeader(messages.headers().createAllowHeader(Request.REFER)); // a bridged call: InCallTransfer
        }
        ok.setContent(sdp, messages.headers().createContentTypeHeader("application", "sdp"));
        if (leg.role == SipLeg.Role.PARKED) {
            timers.decorate(ok, request, leg.sessionInterval, leg.ourRefresh);
        }
        leg.answerSdp = sdp;
        leg.sdpRemote = offer.remote();
        leg.state = SipLeg.State.ANSWERED;
        st.sendResponse(ok);
        if (leg.role == SipLeg.Role.PARKED) {
            timers.refreshed(leg);
        }
    }

    /**
     * {@code leg} just joined {@code peer} in a bridged call ({@link ReplacesFlow}): their media as their hold states
     * say (bridged when neither holds, else silence for the holder and music for the other), under the same lock as
     * a hold's re-INVITE.
     */
    void rejoin(SipLeg leg, SipLeg peer) {
        hold.apply(leg, new InDialogHold.Offer(peer, false, true, null, false, null));
    }

    /** A response to one of our session refreshes ({@link SessionTimers#onResponse}). */
    boolean onResponse(ResponseEvent event) {
        return timers.onResponse(event);
    }

    /**
     * A re-INVITE: 481 for an unknown or ended dialog, 491 while ours is not answered or our refresh re-INVITE waits
     * (RFC 3261 §14.2 glare), else our same SDP again.
     */
    void reInvite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        SipLeg leg = legs.byCallId(SipMessages.callIdOf(request));
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return;
        }
        if (leg == null) {
            st.sendResponse(messages.response(request, 481, null));
            return;
        }
        refresh(leg, st, request, true);
    }

    /**
     * An UPDATE within a dialog (RFC 3311; a session refresh, RFC 4028): 481 for an unknown or ended dialog, else
     * 200 (with our same SDP if it carried an offer).
     */
    void update(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        SipLeg leg = legs.byCallId(SipMessages.callIdOf(request));
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return;
        }
        if (leg == null) {
            st.sendResponse(messages.response(request, 481, null));
            return;
        }
        refresh(leg, st, request, request.getRawContent() != null && request.getRawContent().length > 0);
    }

    /**
     * A re-INVITE or UPDATE of an answered dialog: our SDP unchanged (when {@code withSdp}), or for a bridged call the
     * answer to its hold/unhold/moved offer ({@link InDialogHold}; 488 if unusable); for a parked caller a session
     * refresh (RFC 4028): the interval it asks for (422 below our minimum) or the one agreed, restarted.
     */
    private void refresh(SipLeg leg, ServerTransaction st, Request request, boolean withSdp) throws Exception {
        InDialogHold.Offer held = null;
        synchronized (leg) {
            if (leg.state != SipLeg.State.ANSWERED || leg.answerSdp == null
                    || leg.refreshing && Request.INVITE.equals(request.getMethod())) {
                st.sendResponse(messages.response(request, leg.state == SipLeg.State.ENDED ? 481 : 491, null));
                return;
            }
            byte[] body = request.getRawContent();
            if (withSdp && body != null && body.length > 0 && leg.peer != null && leg.media != null) {
                try {
                    held = hold.read(leg, request);
                } catch (Sdp.Unusable e) {
                    messages.reject(st, 488, e.getMessage());
                    return;
                }
            }
            boolean parked = leg.role == SipLeg.Role.PARKED;
            if (parked) {
                int asked = SessionTimers.requested(request);
                if (asked > 0 && asked < messages.settings().minSessionExpires()) {
                    st.sendResponse(timers.tooSmall(request));
                    return;
                }
                int interval = asked > 0 ? asked : leg.sessionInterval;
                // RFC 4028 §9: the refresher the refresh names; naming none, the one agreed so far
                String ours = SessionTimers.refresherAsked(request).isEmpty() ? leg.ourRefresh
                        : SessionTimers.ourRefresh(request, interval);
                timers.agreed(leg, interval, ours); // a changed interval or refresher goes into the cluster record
            }
            if (held != null) {
                hold.take(leg, held, request);
            }
            Response ok = messages.response(request, 200, null);
            ok.setHeader(messages.contactHeader(leg.transport));
            if (withSdp) {
                ok.setContent(leg.answerSdp, messages.headers().createContentTypeHeader("application", "sdp"));
            }
            if (parked) {
                timers.decorate(ok, request, leg.sessionInterval, leg.ourRefresh);
            }
            st.sendResponse(ok);
            if (parked) {
                timers.refreshed(leg);
            }
        }
        if (held != null) {
            hold.apply(leg, held);
        }
    }
}
