package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.sip.address.Address;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderAddress;
import javax.sip.header.RouteHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.MediaController.Codec;
import org.junit.jupiter.api.Test;

/** What a recalled phone receives: the recall INVITE built without a stack. */
class RecallInviteTest {

    private static final Codec PCMU = new Codec("PCMU", 0, 8000, 1);
    private static final Codec PCMA = new Codec("PCMA", 8, 8000, 1);
    private static final String CONTACT = "sip:102@192.0.2.7:5070;transport=tcp";

    @Test
    void theRequestUriIsTheRegisteredContactAndTheToTheExtension() throws Exception {
        Request invite = build(invites(""), binding(CONTACT, "udp"), "tcp", "Customer");
        assertEquals(Request.INVITE, invite.getMethod());
        assertEquals(CONTACT, invite.getRequestURI().toString());
        assertEquals("sip:102@example.com", ((HeaderAddress) invite.getHeader("To")).getAddress().getURI().toString());
        assertEquals("recall-1", SipMessages.callIdOf(invite));
        assertEquals("tcp", SipMessages.transportOf(invite));
        assertTrue(SipMessages.valueOf(invite.getHeader("Contact")).contains("sip:park@127.0.0.1:5060;transport=tcp"));
        assertNull(invite.getHeader(RouteHeader.NAME));
    }

    @Test
    void theFromCarriesTheMarkedCallerWithItsNameEscaped() throws Exception {
        Request invite = build(invites(""), binding(CONTACT, "udp"), "tcp", "Ann \"VIP\" \\ \r\nX");
        Address from = ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress();
        assertEquals("Parked: Ann VIP  X", from.getDisplayName());
        assertEquals("sip:+4930123@example.com", from.getURI().toString());
        assertTrue(((FromHeader) invite.getHeader(FromHeader.NAME)).getTag() != null);
        String pai = SipMessages.valueOf(invite.getHeader("P-Asserted-Identity"));
        assertTrue(pai.startsWith("\"Parked: Ann VIP  X\" <sip:+4930123@example.com>"), pai);
        assertEquals("<urn:alert:service:recall:transfer>", SipMessages.valueOf(invite.getHeader("Alert-Info")));
    }

    @Test
    void theSdpOffersTheParkedCallsCodecFirst() throws Exception {
        List<Codec> offer = RecallInvite.offer(List.of(PCMU, PCMA), PCMA);
        assertEquals(List.of(PCMA, PCMU), offer);
        assertEquals(List.of(PCMU, PCMA), RecallInvite.offer(List.of(PCMU, PCMA), null));
        Request invite = invites("").build(call("Customer"), "102", binding(CONTACT, "udp"), "example.com",
                "recall-1", "tcp", 40000, offer);
        String sdp = new String(invite.getRawContent(), StandardCharsets.UTF_8);
        assertTrue(sdp.contains("m=audio 40000 RTP/AVP 8 0 101\r\n"), sdp);
        assertEquals("application/sdp", SipMessages.valueOf(invite.getHeader("Content-Type")));
    }

    @Test
    void theTransportIsTheContactsOneIfWeListenOnIt() {
        SipSettings settings = SipRequestsForTests.settings("", "");
        assertEquals("tcp", RecallInvite.transport(binding(CONTACT, "udp"), settings));
        assertEquals("tcp", RecallInvite.transport(binding("sip:102@192.0.2.7", "TCP"), settings));
        assertEquals("udp", RecallInvite.transport(binding("sip:102@192.0.2.7;transport=tls", "tls"), settings));
        assertEquals("udp", RecallInvite.transport(null, settings));
    }

    @Test
    void withAnOutboundProxyTheExtensionAtTheDomainIsRoutedThroughIt() throws Exception {
        Request invite = build(invites("proxy.example.com:5080"), null, "udp", "Customer");
        assertEquals("sip:102@example.com", invite.getRequestURI().toString());
        assertEquals("udp", ((ViaHeader) invite.getHeader(ViaHeader.NAME)).getTransport().toLowerCase());
        String route = ((RouteHeader) invite.getHeader(RouteHeader.NAME)).getAddress().toString();
        assertTrue(route.contains("sip:proxy.example.com:5080;transport=udp;lr"), route);
    }

    private static RecallInvite invites(String outboundProxy) {
        TestSipConfig c = new TestSipConfig();
        c.outboundProxy = outboundProxy;
        SipMessages messages = new SipMessages(SipSettings.from(c, k -> null, k -> null));
        return new RecallInvite(messages, new SipIdentities(messages,
                new SipAuthenticator(messages, CoreAccess.of(null, SipRequestsForTests.directory()), Clock.systemUTC())));
    }

    private static Request build(RecallInvite invites, Registrations.Binding binding, String transport, String name)
            throws Exception {
        return invites.build(call(name), "102", binding, "example.com", "recall-1", transport, 40000,
                List.of(PCMU, PCMA));
    }

    private static Registrations.Binding binding(String contact, String transport) {
        return new Registrations.Binding(TenantId.DEFAULT, "102", contact, System.currentTimeMillis() + 300_000,
                "192.0.2.7:5070", transport, "reg-102", 1);
    }

    private static ParkedCall call(String name) {
        RecallPolicy p = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 1);
        return new ParkedCall("c1", SlotId.extension(TenantId.DEFAULT, "101"), CallerId.of("+4930123", name), "101",
                "", Instant.now(), 1, CallState.RECALLING, null, 1, p, "node-1", "leg-1", Instant.now(), 2);
    }
}
