package org.callpark.internal.sip;

import java.text.ParseException;
import java.util.List;
import java.util.UUID;

import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests in a dialog known only from its cluster record ({@link SipSession}), not from a JAIN-SIP dialog: the
 * re-INVITE and ACK of a handover and the BYE to a caller this stack took over. Any node can send them, because
 * everything they need (tags, CSeq, route set, the caller's Contact) is in the record.
 */
final class DialogRequests {

    private static final Logger LOG = LoggerFactory.getLogger(DialogRequests.class);

    private final SipMessages messages;

    DialogRequests(SipMessages messages) {
        this.messages = messages;
    }

    /** Sends a BYE in the dialog {@code s} with CSeq {@code cseq}; a failure is the caller's business (logged). */
    void bye(SipSession s, long cseq) {
        try {
            SipEndpoint ep = messages.endpoint();
            Request bye = request(ep, messages.settings(), s, Request.BYE, cseq);
            ep.provider.getNewClientTransaction(bye).sendRequest();
        } catch (Exception | LinkageError e) {
            LOG.debug("BYE to the caller of dialog {} failed: {}", s.callId(), e.toString());
        }
    }

    /**
     * The re-INVITE of a handover in the dialog {@code claimed}, with the CSeq its claim took: a target refresh to our
     * Contact, offering {@code offer}. The caller sends it on a client transaction of its own.
     */
    Request reInvite(SipSession claimed, String offer) throws ParseException, InvalidArgumentException, SipException {
        SipEndpoint ep = messages.endpoint();
        Request invite = request(ep, messages.settings(), claimed, Request.INVITE, claimed.localCseq());
        invite.setHeader(messages.contactHeader(claimed.transport()));
        invite.setContent(offer, ep.headers.createContentTypeHeader("application", "sdp"));
        return invite;
    }

    /**
     * Sends the ACK of the caller's 2xx to our re-INVITE in the dialog {@code acked} (already moved to the caller's
     * new target, with the re-INVITE's CSeq), statelessly.
     *
     * @return the ACK, to be sent again if the 2xx is retransmitted
     */
    Request ack(SipSession acked) throws ParseException, InvalidArgumentException, SipException {
        SipEndpoint ep = messages.endpoint();
        Request ack = request(ep, messages.settings(), acked, Request.ACK, acked.localCseq());
        ep.provider.sendRequest(ack);
        return ack;
    }

    /**
     * A request in the dialog {@code s} (we are its UAS): From = our URI and tag, To = the caller's, the Request-URI
     * the caller's Contact, the route set as Route headers (loose routing), a Via of this stack. The ACK gets its own
     * branch (it is sent statelessly).
     */
    static Request request(SipEndpoint ep, SipSettings settings, SipSession s, String method, long cseq)
            throws ParseException, InvalidArgumentException, SipException {
        Address local = ep.addresses.createAddress(s.localUri());
        Address remote = ep.addresses.createAddress(s.remoteUri());
        String transport = s.transport();
        ViaHeader via = ep.headers.createViaHeader(settings.advertisedAddress(), settings.port(), transport,
                Request.ACK.equals(method) ? "z9hG4bK" + UUID.randomUUID().toString().replace("-", "") : null);
        Request r = ep.messages.createRequest(ep.addresses.createURI(s.remoteTarget()), method,
                ep.headers.createCallIdHeader(s.callId()), ep.headers.createCSeqHeader(cseq, method),
                ep.headers.createFromHeader(local, s.localTag()), ep.headers.createToHeader(remote,
                        s.remoteTag().isEmpty() ? null : s.remoteTag()),
                List.of(via), ep.headers.createMaxForwardsHeader(70));
        for (String route : s.routes()) {
            r.addHeader(ep.headers.createRouteHeader(ep.addresses.createAddress(route)));
        }
        return r;
    }
}
