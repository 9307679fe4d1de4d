package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.sip.header.RouteHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

import org.callpark.api.BlfOptions;
import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.blf.Subscription;
import org.junit.jupiter.api.Test;

/** What a subscribed phone receives: the NOTIFY built from a stored subscription and the slot's calls, no stack. */
class NotifyBuilderTest {

    private static final long NOW = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();
    private static final String ENTITY = "sip:*88101@example.com";

    private final NotifyBuilder builder = new NotifyBuilder(new SipMessages(SipRequestsForTests.settings("", "")));

    @Test
    void anActiveNotifyCarriesTheDialogStateAndTheSecondsLeft() throws Exception {
        Request n = builder.build(subscription(List.of(), "udp"), false, List.of(call("Customer")),
                BlfOptions.DEFAULT, NOW);
        assertEquals(Request.NOTIFY, n.getMethod());
        assertEquals("sip:phone@192.0.2.5:5062", n.getRequestURI().toString());
        SubscriptionStateHeader state = (SubscriptionStateHeader) n.getHeader(SubscriptionStateHeader.NAME);
        assertEquals(SubscriptionStateHeader.ACTIVE, state.getState());
        assertEquals(300, state.getExpires());
        assertEquals("dialog", SipMessages.valueOf(n.getHeader("Event")));
        assertEquals("application/dialog-info+xml", SipMessages.valueOf(n.getHeader("Content-Type")));
        assertEquals("udp", ((ViaHeader) n.getHeader(ViaHeader.NAME)).getTransport().toLowerCase());
        assertTrue(SipMessages.valueOf(n.getHeader("Contact")).contains("sip:park@127.0.0.1:5060;transport=udp"));
        String body = body(n);
        assertTrue(body.contains("version=\"4\""), body);
        assertTrue(body.contains("entity=\"" + ENTITY + "\""), body);
        assertTrue(body.contains("<duration>12</duration>"), body);
    }

    @Test
    void displayNamesAreEscapedInTheDialogInfo() throws Exception {
        Request n = builder.build(subscription(List.of(), "udp"), false, List.of(call("Ann & Bob <Sales> \"VIP\"")),
                BlfOptions.DEFAULT, NOW);
        String body = body(n);
        assertFalse(body.contains("<Sales>"), body);
        assertTrue(body.contains("Ann &amp; Bob &lt;Sales&gt; &quot;VIP&quot;"), body);
    }

    @Test
    void theFinalNotifyIsTerminatedByTimeout() throws Exception {
        Request n = builder.build(subscription(List.of(), "udp"), true, List.of(), BlfOptions.DEFAULT, NOW);
        SubscriptionStateHeader state = (SubscriptionStateHeader) n.getHeader(SubscriptionStateHeader.NAME);
        assertEquals(SubscriptionStateHeader.TERMINATED, state.getState());
        assertEquals(SubscriptionStateHeader.TIMEOUT, state.getReasonCode());
        assertFalse(body(n).contains("<dialog "), body(n));
    }

    @Test
    void theRouteSetAndTheSubscribersTransportAreKept() throws Exception {
        Request n = builder.build(subscription(List.of("<sip:proxy.example.com;lr>"), "tcp"), false, List.of(),
                BlfOptions.DEFAULT, NOW);
        assertTrue(n.getRequestURI().toString().contains("transport=tcp"), n.getRequestURI().toString());
        assertEquals("tcp", ((ViaHeader) n.getHeader(ViaHeader.NAME)).getTransport().toLowerCase());
        assertTrue(((RouteHeader) n.getHeader(RouteHeader.NAME)).getAddress().toString().contains(
                "proxy.example.com"));
    }

    private static String body(Request n) {
        return new String(n.getRawContent(), StandardCharsets.UTF_8);
    }

    private static Subscription subscription(List<String> routes, String transport) {
        return new Subscription("sub-1", "default", "default/ext/101", ENTITY, "sip:*88101@example.com",
                "102", "call-1", "ours", "theirs", "sip:102@example.com", "<sip:102@example.com>",
                "sip:phone@192.0.2.5:5062", routes, transport, "node-1", NOW + 300_000, 7, 4);
    }

    private static ParkedCall call(String name) {
        RecallPolicy p = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 1);
        return new ParkedCall("c1", SlotId.extension(TenantId.DEFAULT, "101"), CallerId.of("+4930123", name),
                "101", "", Instant.ofEpochMilli(NOW).minusSeconds(12), 0, CallState.PARKED, null, 0, p, "", "",
                null, 1);
    }
}
