package org.callpark.internal.sip;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;

import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.HeaderFactory;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.message.Request;

import org.callpark.api.BlfOptions;
import org.callpark.api.ParkedCall;
import org.callpark.internal.blf.DialogInfo;
import org.callpark.internal.blf.Subscription;

/**
 * Builds the NOTIFY of a BLF subscription: from the subscription as stored (its dialog identifiers and counters, no
 * JAIN-SIP dialog, so any node can send it), the slot's parked calls and the tenant's BLF options, the request with its
 * dialog-info body (RFC 4235), Subscription-State, our Contact and the route to the phone. Pure: it sends nothing and
 * needs no stack, so what a phone sees can be unit-tested; {@link BlfNotifier} decides when and sends it.
 */
final class NotifyBuilder {

    static final String EVENT = "dialog";

    private final SipMessages messages;

    NotifyBuilder(SipMessages messages) {
        this.messages = messages;
    }

    /**
     * The NOTIFY for {@code s} at {@code nowMillis}: active with the seconds left, or with {@code terminated} the final
     * one ({@code terminated;reason=timeout}).
     */
    Request build(Subscription s, boolean terminated, List<ParkedCall> calls, BlfOptions options, long nowMillis)
            throws ParseException, InvalidArgumentException {
        HeaderFactory headers = messages.headers();
        String body = DialogInfo.document(s.entity(), s.version(), dialogs(s, calls, nowMillis / 1000), options);
        URI target = messages.addresses().createURI(s.remoteTarget());
        if (target instanceof SipURI sip && sip.getTransportParam() == null && !"udp".equals(s.transport())) {
            sip.setTransportParam(s.transport()); // back over the transport the phone subscribed with
        }
        Address local = messages.addresses().createAddress(s.localUri());
        Address remote = messages.addresses().createAddress(s.remoteUri());
        Request notify = messages.createRequest(target, Request.NOTIFY, headers.createCallIdHeader(s.callId()),
                headers.createCSeqHeader(s.cseq(), Request.NOTIFY), headers.createFromHeader(local, s.localTag()),
                headers.createToHeader(remote, s.remoteTag().isEmpty() ? null : s.remoteTag()),
                List.of(messages.via(s.transport())), headers.createMaxForwardsHeader(70),
                headers.createContentTypeHeader(DialogInfo.CONTENT_TYPE, DialogInfo.CONTENT_SUBTYPE), body);
        if (!s.routeSet().isEmpty()) {
            for (String route : s.routeSet()) {
                notify.addHeader(headers.createRouteHeader(messages.addresses().createAddress(route)));
            }
        } else if (target instanceof SipURI sip) {
            messages.addProxyRoute(notify, sip.getHost(), sip.getPort(), s.transport());
        }
        notify.setHeader(headers.createEventHeader(EVENT));
        SubscriptionStateHeader state;
        if (!terminated) {
            state = headers.createSubscriptionStateHeader(SubscriptionStateHeader.ACTIVE);
            state.setExpires((int) Math.max(0, (s.expiresAt() - nowMillis + 999) / 1000));
        } else {
            state = headers.createSubscriptionStateHeader(SubscriptionStateHeader.TERMINATED);
            state.setReasonCode(SubscriptionStateHeader.TIMEOUT);
        }
        notify.setHeader(state);
        notify.setHeader(messages.contactHeader(s.transport()));
        notify.setHeader(messages.userAgentHeader());
        return notify;
    }

    /** The parked calls as dialogs of the slot: the caller as the remote party, picked up by the retrieve URI. */
    static List<DialogInfo.Parked> dialogs(Subscription s, List<ParkedCall> calls, long nowSeconds) {
        String host = hostOf(s.entity());
        List<DialogInfo.Parked> result = new ArrayList<>(calls.size());
        for (ParkedCall c : calls) {
            result.add(new DialogInfo.Parked(c.id(), DialogInfo.sipUri(c.caller().number(), host),
                    c.caller().displayName(), s.retrieveUri(), nowSeconds - c.parkedAt().getEpochSecond()));
        }
        return result;
    }

    private static String hostOf(String sipUri) {
        int at = sipUri.lastIndexOf('@');
        return at < 0 ? sipUri : sipUri.substring(at + 1);
    }
}
