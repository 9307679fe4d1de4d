package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.callpark.spi.MediaController.Codec;
import org.junit.jupiter.api.Test;

/** The media direction of an offer (RFC 3264 §5.1, §8.4) and of our answer to it. */
class SdpDirectionTest {

    private static byte[] offer(String connection, String sessionAttribute, String mediaAttribute) {
        return ("v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 " + connection + "\r\nt=0 0\r\n"
                + (sessionAttribute == null ? "" : "a=" + sessionAttribute + "\r\n")
                + "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                + (mediaAttribute == null ? "" : "a=" + mediaAttribute + "\r\n")).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void mediaAttributeWinsOverSessionAttribute_noneIsSendrecv() throws Exception {
        assertEquals(Sdp.Direction.SENDRECV, Sdp.direction(offer("192.0.2.5", null, null)));
        assertEquals(Sdp.Direction.SENDONLY, Sdp.direction(offer("192.0.2.5", null, "sendonly")));
        assertEquals(Sdp.Direction.INACTIVE, Sdp.direction(offer("192.0.2.5", "inactive", null)));
        assertEquals(Sdp.Direction.SENDRECV, Sdp.direction(offer("192.0.2.5", "sendonly", "sendrecv")));
        assertEquals(Sdp.Direction.RECVONLY, Sdp.direction(offer("192.0.2.5", null, "recvonly")));
    }

    @Test
    void oldStyleHoldWithTheNullAddressDoesNotReceive() throws Exception {
        assertEquals(Sdp.Direction.SENDONLY, Sdp.direction(offer("0.0.0.0", null, null)));
        assertEquals(Sdp.Direction.INACTIVE, Sdp.direction(offer("0.0.0.0", null, "recvonly")));
        assertEquals(Sdp.Direction.INACTIVE, Sdp.direction(offer("0.0.0.0", null, "inactive")));
    }

    @Test
    void answerMirrorsTheOfferAndKeepsTheSessionIdWithANewVersion() throws Exception {
        assertEquals(Sdp.Direction.RECVONLY, Sdp.Direction.SENDONLY.answer());
        assertEquals(Sdp.Direction.SENDONLY, Sdp.Direction.RECVONLY.answer());
        assertEquals(Sdp.Direction.INACTIVE, Sdp.Direction.INACTIVE.answer());
        assertEquals(Sdp.Direction.SENDRECV, Sdp.Direction.SENDRECV.answer());
        Sdp sdp = Sdp.parseOffer(offer("192.0.2.5", null, "sendonly"));
        String answer = sdp.answer("198.51.100.1", 30000, new Codec("PCMU", 0, 8000, 1), 77, 78,
                Sdp.Direction.RECVONLY);
        assertTrue(answer.contains("a=recvonly\r\n") && !answer.contains("sendrecv"), answer);
        assertArrayEquals(new long[] {77, 78}, Sdp.origin(answer));
        assertEquals(Sdp.Direction.RECVONLY, Sdp.direction(answer.getBytes(StandardCharsets.UTF_8)));
    }
}
