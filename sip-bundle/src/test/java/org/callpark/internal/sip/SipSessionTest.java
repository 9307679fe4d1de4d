package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.callpark.spi.MediaController.Codec;
import org.junit.jupiter.api.Test;

/** The dialog record a parked call carries in the cluster: JSON round trip and the claim rules. */
class SipSessionTest {

    private static SipSession session() {
        return new SipSession("call-1@10.0.0.5", "ourtag", "theirtag", "<sip:*68101@park.example.com>",
                "\"Customer \\\"Big\\\" <x>\" <sip:+4930123@10.0.0.5:5070>", "sip:+4930123@10.0.0.5:5070;transport=udp",
                List.of("<sip:10.0.0.1;lr>", "<sip:10.0.0.2;lr;ftag=x>"), "udp", "<sip:park@10.0.0.20:5060;transport=udp>",
                7, "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\n", new Codec("PCMA", 8, 8000, 1), 1234, 1235, "", 0, "", false, 0, "");
    }

    @Test
    void roundTripKeepsEveryField() {
        SipSession s = session();
        assertEquals(Optional.of(s), SipSession.of(s.toJson()));
        SipSession claimed = s.claimed("node-b", 42, 8).handover("node-c");
        assertEquals(Optional.of(claimed), SipSession.of(claimed.toJson()));
    }

    @Test
    void anUnverifiedParkerAndTheSessionIntervalStayThroughEveryChange() {
        SipSession s = session();
        SipSession unverified = new SipSession(s.callId(), s.localTag(), s.remoteTag(), s.localUri(), s.remoteUri(),
                s.remoteTarget(), s.routes(), s.transport(), s.contact(), s.localCseq(), s.remoteSdp(), s.codec(),
                s.sdpId(), s.sdpVersion(), "", 0, "", true, 90, "");
        SipSession moved = unverified.claimed("node-b", 42, 8).handover("node-c").unclaimed()
                .moved("sip:x@10.0.0.6", "<sip:park@10.0.0.21>", "v=0\r\n", s.codec(), 9).withLocalCseq(10);
        assertTrue(SipSession.of(moved.toJson()).orElseThrow().parkerUnverified());
        assertEquals(90, SipSession.of(moved.toJson()).orElseThrow().sessionInterval(), "the session interval too");
        assertFalse(SipSession.of(s.toJson()).orElseThrow().parkerUnverified(), "absent in older records: verified");
        assertFalse(s.toJson().contains("parkerUnverified"));
        assertEquals(0, SipSession.of(s.toJson()).orElseThrow().sessionInterval());
    }

    @Test
    void theRefresherRoleAndAChangedIntervalStayThroughEveryChange() {
        SipSession s = session().withTimer(120, "UPDATE");
        SipSession moved = s.claimed("node-b", 42, 8).unclaimed().moved("sip:x@10.0.0.6", "<sip:park@10.0.0.21>",
                "v=0\r\n", s.codec(), 9).withLocalCseq(10);
        SipSession back = SipSession.of(moved.toJson()).orElseThrow();
        assertEquals("UPDATE", back.ourRefresh(), "we refresh, by UPDATE");
        assertEquals(120, back.sessionInterval());
        assertEquals("", SipSession.of(session().toJson()).orElseThrow().ourRefresh(), "absent: the caller refreshes");
        assertFalse(session().toJson().contains("ourRefresh"));
    }

    @Test
    void notASipSessionIsEmpty() {
        assertEquals(Optional.empty(), SipSession.of(""));
        assertEquals(Optional.empty(), SipSession.of(null));
        assertEquals(Optional.empty(), SipSession.of("{\"xmpp\":1}"));
        assertEquals(Optional.empty(), SipSession.of("not json {"));
    }

    @Test
    void aClaimTakesTheNextCseqAndClearsAHandOverRequest() {
        SipSession asked = session().handover("node-b");
        SipSession claimed = asked.claimed("node-b", 1000, asked.localCseq() + 1);
        assertEquals(8, claimed.localCseq());
        assertEquals("node-b", claimed.claimedBy());
        assertEquals("", claimed.handoverTo());
        SipSession released = claimed.unclaimed();
        assertEquals("", released.claimedBy());
        assertEquals(8, released.localCseq(), "the CSeq used stays used");
    }

    @Test
    void aClaimBlocksOthersUntilItIsStale() {
        SipSession claimed = session().claimed("node-b", 1_000, 8);
        assertTrue(claimed.claimedByOther("node-c", 1_000 + Handover.CLAIM_STALE_MS - 1, Handover.CLAIM_STALE_MS));
        assertFalse(claimed.claimedByOther("node-c", 1_000 + Handover.CLAIM_STALE_MS, Handover.CLAIM_STALE_MS));
        assertFalse(claimed.claimedByOther("node-b", 1_001, Handover.CLAIM_STALE_MS), "not against the claimer");
        assertFalse(session().claimedByOther("node-c", 1_001, Handover.CLAIM_STALE_MS), "no claim");
    }

    @Test
    void aMoveRecordsTheCallersNewTargetOurContactAndTheAnswer() {
        SipSession moved = session().claimed("node-b", 1, 8).moved("sip:+4930123@10.0.0.9:5070",
                "<sip:park@10.0.0.21:5060;transport=udp>", "v=0\r\n", new Codec("PCMU", 0, 8000, 1), 1236);
        assertEquals("sip:+4930123@10.0.0.9:5070", moved.remoteTarget());
        assertEquals("<sip:park@10.0.0.21:5060;transport=udp>", moved.contact());
        assertEquals(1234, moved.sdpId(), "one SDP session whichever node answers");
        assertEquals(1236, moved.sdpVersion());
        assertEquals("", moved.claimedBy());
        assertEquals(8, moved.localCseq());
    }
}
