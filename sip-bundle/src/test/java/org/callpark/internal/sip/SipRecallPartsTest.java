package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.RecallDialer.Failure;
import org.junit.jupiter.api.Test;

/** The recall dialer's pure parts: failure mapping, the marked caller name, the SDP offer, the Alert-Info setting. */
class SipRecallPartsTest {

    @Test
    void finalResponsesMapToFailures() {
        assertEquals(Failure.BUSY, RecallAnswers.failureOf(486));
        assertEquals(Failure.BUSY, RecallAnswers.failureOf(600));
        assertEquals(Failure.DECLINED, RecallAnswers.failureOf(603));
        for (int s : List.of(404, 408, 480, 503)) {
            assertEquals(Failure.UNREACHABLE, RecallAnswers.failureOf(s), Integer.toString(s));
        }
        for (int s : List.of(400, 403, 415, 488, 500, 487)) {
            assertEquals(Failure.ERROR, RecallAnswers.failureOf(s), Integer.toString(s));
        }
    }

    @Test
    void displayNameIsMarked() {
        assertEquals("Parked: Customer", SipIdentities.recallName(call("+4930123", "Customer", "101")));
        assertEquals("Park 101: +4930123", SipIdentities.recallName(call("+4930123", "", "101")));
        assertEquals("Park Sales: unknown", SipIdentities.recallName(call("", "", "Sales")));
        assertEquals("Parked: Evil Name", SipIdentities.recallName(call("1", "Evil \"Name\"\r\n\\", "101")));
        assertTrue(SipIdentities.recallName(call("1", "x".repeat(200), "101")).length() <= 64);
    }

    @Test
    void offerListsOurCodecsInOrderWithTelephoneEvent() throws Exception {
        String sdp = Sdp.offer("192.0.2.1", 40000, List.of(new Codec("PCMA", 8, 8000, 1), new Codec("PCMU", 0,
                8000, 1)));
        assertTrue(sdp.contains("m=audio 40000 RTP/AVP 8 0 101\r\n"), sdp);
        assertTrue(sdp.contains("c=IN IP4 192.0.2.1\r\n"), sdp);
        Sdp parsed = Sdp.parseOffer(sdp.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("PCMA", parsed.codecs().get(0).name());
        assertEquals(101, parsed.telephoneEvent().payloadType());
        String clash = Sdp.offer("192.0.2.1", 40000, List.of(new Codec("opus", 101, 48000, 2)));
        assertTrue(clash.contains("RTP/AVP 101 102\r\n") && clash.contains("a=rtpmap:102 telephone-event/8000"),
                clash);
        // The media's own telephone-event entry is offered once, with its fmtp, not twice.
        String withTe = Sdp.offer("192.0.2.1", 40000, List.of(new Codec("PCMU", 0, 8000, 1),
                new Codec("telephone-event", 101, 8000, 1)));
        assertTrue(withTe.contains("m=audio 40000 RTP/AVP 0 101\r\n"), withTe);
        assertEquals(1, withTe.split("telephone-event", -1).length - 1, withTe);
        assertTrue(withTe.contains("a=fmtp:101 0-16"), withTe);
    }

    @Test
    void alertInfoIsConfigurableAndChecked() {
        TestSipConfig c = new TestSipConfig();
        assertEquals("<urn:alert:service:recall:transfer>", SipSettings.from(c, k -> null, k -> null)
                .recallAlertInfo());
        c.recallAlertInfo = "<http://127.0.0.1>;info=Bellcore-dr3";
        assertEquals(c.recallAlertInfo, SipSettings.from(c, k -> null, k -> null).recallAlertInfo());
        c.recallAlertInfo = "";
        assertEquals("", SipSettings.from(c, k -> null, k -> null).recallAlertInfo());
        c.recallAlertInfo = "Ring3";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipSettings.from(c, k -> null, k -> null));
        assertTrue(e.getMessage().contains("recallAlertInfo"), e.getMessage());
    }

    private static ParkedCall call(String number, String name, String slot) {
        TenantId t = TenantId.DEFAULT;
        SlotId id = slot.matches("[0-9]+") ? SlotId.extension(t, slot) : SlotId.group(t, slot);
        RecallPolicy p = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(2),
                Duration.ofSeconds(1), 1);
        return new ParkedCall("c1", id, CallerId.of(number, name), "101", slot.matches("[0-9]+") ? "" : slot,
                Instant.now(), 1, CallState.RECALLING,
                null, 1, p, "node-1", "leg-1", Instant.now(), 2);
    }
}
