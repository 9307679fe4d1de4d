package org.callpark.internal.sip;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;

import org.callpark.api.ParkedCall;
import org.callpark.api.RecallLabels;
import org.callpark.spi.MediaController.Codec;

/**
 * Builds the INVITE of one recall fork: to a registered contact of the extension (or, with an outbound proxy, to the
 * extension at the tenant's domain; or to a final destination's {@code sip:} URI, also in To), from the parked caller
 * marked as a recall ({@code "Parked: Customer"} in From and P-Asserted-Identity), with the configured Alert-Info,
 * our Via, Contact and User-Agent as every request we originate carries them (see {@link NotifyBuilder}), and an SDP
 * offer on the fork's media port. Pure: it sends nothing and needs
 * no stack, so what a recalled phone sees can be unit-tested; {@link SipRecallDialer} opens the media and sends it.
 */
final class RecallInvite {

    private final SipMessages messages;
    private final SipIdentities identities;

    RecallInvite(SipMessages messages, SipIdentities identities) {
        this.messages = messages;
        this.identities = identities;
    }

    /**
     * The INVITE to {@code extension}: at {@code binding}'s contact, or at {@code domain} when {@code binding} is
     * {@code null} (an outbound proxy finds the phone), over {@code transport}, offering {@code offer} on
     * {@code mediaPort} of our advertised address.
     */
    Request build(ParkedCall call, String extension, Registrations.Binding binding, String domain, String callId,
            String transport, int mediaPort, List<Codec> offer) throws ParseException, InvalidArgumentException {
        return build(call, labels(RecallLabels.INHERIT, RecallLabels.INHERIT, messages.settings()), extension, binding,
                domain, callId, transport, mediaPort, offer);
    }

    /**
     * The recall labels in effect: the park group's over the tenant's over the SIP configuration's
     * {@code recallAlertInfo} (empty there: none) and the seed's {@value RecallLabels#DEFAULT_PREFIX}.
     */
    static RecallLabels labels(RecallLabels group, RecallLabels tenant, SipSettings settings) {
        String global = settings.recallAlertInfo().isEmpty() ? RecallLabels.NO_ALERT_INFO : settings.recallAlertInfo();
        return group.over(tenant).over(new RecallLabels(global, RecallLabels.DEFAULT_PREFIX));
    }

    /** As {@link #build(ParkedCall, String, Registrations.Binding, String, String, String, int, List)}, labelled. */
    Request build(ParkedCall call, RecallLabels labels, String extension, Registrations.Binding binding, String domain,
            String callId, String transport, int mediaPort, List<Codec> offer)
            throws ParseException, InvalidArgumentException {
        SipSettings settings = messages.settings();
        HeaderFactory headers = messages.headers();
        URI target = binding == null
                ? messages.addresses().createSipURI(extension, domain)
                : messages.addresses().createURI(binding.contact());
        Address from = identities.recallFrom(call, domain, labels.callerIdPrefix());
        Address to = messages.addresses().createAddress(FinalUri.is(extension)
                ? messages.addresses().createURI(extension)
                : messages.addresses().createSipURI(extension, domain));
        String sdp = Sdp.offer(settings.advertisedAddress(), mediaPort, offer);
        Request invite = messages.createRequest(target, Request.INVITE, headers.createCallIdHeader(callId),
                headers.createCSeqHeader(1L, Request.INVITE),
                headers.createFromHeader(from, Long.toHexString(UUID.randomUUID().getLeastSignificantBits())),
                headers.createToHeader(to, null), List.of(messages.via(transport)), headers.createMaxForwardsHeader(70),
                headers.createContentTypeHeader("application", "sdp"), sdp);
        invite.setHeader(messages.contactHeader(transport));
        invite.setHeader(headers.createHeader("P-Asserted-Identity", from.toString()));
        if (!labels.alertInfo().equals(RecallLabels.NO_ALERT_INFO)) {
            invite.setHeader(headers.createHeader("Alert-Info", labels.alertInfo()));
        }
        invite.setHeader(messages.userAgentHeader());
        messages.addAllow(invite);
        if (binding == null) {
            messages.addProxyRoute(invite, domain, 5060, transport);
        } else if (target instanceof SipURI sip) {
            messages.addProxyRoute(invite, sip.getHost(), sip.getPort(), transport);
        }
        return invite;
    }

    /**
     * The transport to reach {@code binding} (or, when {@code null}, the outbound proxy): the contact's
     * {@code transport} parameter, else the one it registered over; UDP to a proxy if we listen on it. Always one we
     * listen on, else our first.
     */
    static String transport(Registrations.Binding binding, SipSettings settings) {
        String wanted = binding == null ? "udp" : binding.transport();
        if (binding != null) {
            String contact = binding.contact().toLowerCase();
            int i = contact.indexOf(";transport=");
            if (i >= 0) {
                wanted = contact.substring(i + 11).split("[;>?]")[0];
            }
        }
        wanted = wanted == null || wanted.isEmpty() ? "udp" : wanted.toLowerCase();
        if (!settings.outboundProxy().isEmpty()) {
            wanted = settings.transports().contains("udp") ? "udp" : settings.transports().get(0);
        }
        return settings.transports().contains(wanted) ? wanted : settings.transports().get(0);
    }

    /** Our codecs with the parked caller's one first, so that no transcoding is needed when the callee takes it. */
    static List<Codec> offer(List<Codec> ours, Codec callers) {
        List<Codec> result = new ArrayList<>(ours);
        if (callers != null) {
            for (Codec c : result) {
                if (Sdp.same(c, callers)) {
                    result.remove(c);
                    result.add(0, c);
                    break;
                }
            }
        }
        return List.copyOf(result);
    }
}
