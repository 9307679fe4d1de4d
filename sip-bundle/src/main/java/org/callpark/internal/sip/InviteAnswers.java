package org.callpark.internal.sip;

import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.CallerId;

/**
 * The 200 OKs to the INVITEs this B2BUA takes: the answer that anchors a leg's media here (our SDP, our tag, our
 * Contact and, to a retriever, the connected party), and the unchanged answer to a re-INVITE within such a dialog
 * (session refresh or hold from the phone: our media stays as it is).
 */
final class InviteAnswers {

    private final SipMessages messages;
    private final SipIdentities identities;
    private final SipLegs legs;

    InviteAnswers(SipMessages messages, SipIdentities identities, SipLegs legs) {
        this.messages = messages;
        this.identities = identities;
        this.legs = legs;
    }

    /**
     * Under the leg's monitor: sends the 200 OK with our SDP; with {@code connected} also the connected party's
     * identity. The leg is {@link SipLeg.State#ANSWERED} from now on.
     */
    void answer(SipLeg leg, ServerTransaction st, Request request, Sdp offer, CallerId connected) throws Exception {
        SipSettings settings = messages.settings();
        SipSession session = leg.session;
        String sdp = session != null
                ? offer.answer(settings.advertisedAddress(), leg.media.localAddress().getPort(), leg.media.codec(),
                        session.sdpId(), session.sdpVersion())
                : offer.answer(settings.advertisedAddress(), leg.media.localAddress().getPort(), leg.media.codec());
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
        ok.setContent(sdp, messages.headers().createContentTypeHeader("application", "sdp"));
        leg.answerSdp = sdp;
        leg.state = SipLeg.State.ANSWERED;
        st.sendResponse(ok);
    }

    /** A re-INVITE: 481 for an unknown or ended dialog, 491 while ours is not answered, else our same SDP again. */
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
        synchronized (leg) {
            if (leg.state != SipLeg.State.ANSWERED || leg.answerSdp == null) {
                st.sendResponse(messages.response(request, leg.state == SipLeg.State.ENDED ? 481 : 491, null));
                return;
            }
            Response ok = messages.response(request, 200, null);
            ok.setHeader(messages.contactHeader(leg.transport));
            ok.setContent(leg.answerSdp, messages.headers().createContentTypeHeader("application", "sdp"));
            st.sendResponse(ok);
        }
    }
}
