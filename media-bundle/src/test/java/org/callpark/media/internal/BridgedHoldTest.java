package org.callpark.media.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.callpark.media.internal.audio.AudioCodec;
import org.callpark.media.internal.audio.EncodedAudio;
import org.callpark.media.internal.rtp.RtpLeg;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bridged call put on hold and resumed (spi 2.1: {@code silence}, {@code moveTo}, then {@code hold}/{@code bridge}
 * again, as the SIP bundle's {@code InDialogHold} drives them), over real sockets on 127.0.0.1 (ports 47200..47499, away from the systests' sipp ports).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BridgedHoldTest {

    static final Codec PCMU = new Codec("PCMU", 0, 8000, 1);

    @TempDir
    static Path home;

    static LibjitsiMediaController media;

    @BeforeAll
    static void start() throws Exception {
        MediaSettings s = new MediaSettings(InetAddress.getLoopbackAddress(), 47200, 47499,
                List.of(AudioCodec.PCMU, AudioCodec.PCMA), null, Map.of(), null);
        media = new LibjitsiMediaController(s, home);
    }

    @AfterAll
    static void stop() {
        media.deactivate();
    }

    /**
     * The retriever holds: it gets nothing (not even the customer's audio), the customer gets the hold music frames
     * (not the retriever's audio); resumed, both hear each other again, payloads intact, and no music.
     */
    @Test
    void heldPartyHearsMusicHolderNothing_resumeRelaysBothWaysAgain() throws Exception {
        try (RtpPeer customer = new RtpPeer(); RtpPeer retriever = new RtpPeer();
                MediaLeg c = media.open("hold-c", List.of(PCMU), customer.address());
                MediaLeg r = media.open("hold-r", List.of(PCMU), retriever.address())) {
            c.bridge(r);
            r.silence();
            c.hold("");
            customer.drain(100);
            retriever.drain(100);
            byte[] speech = new byte[160];
            Arrays.fill(speech, (byte) 0x33);
            for (int i = 0; i < 25; i++) { // the retriever's phone may go on sending (sendonly): never relayed
                retriever.send(r.localAddress(), i == 0, 0, 100 + i, 1600L + 160L * i, 0x0bad, speech);
                customer.send(c.localAddress(), i == 0, 0, 500 + i, 9600L + 160L * i, 0x0c0c, speech);
            }
            List<RtpPeer.Packet> heard = customer.receive(50, 3000);
            assertEquals(50, heard.size(), "the held customer gets a steady stream");
            EncodedAudio music = media.sounds().music("", AudioCodec.PCMU);
            for (RtpPeer.Packet p : heard) {
                assertTrue(isMusicFrame(music, p.payload()), "every packet to the customer is a music frame");
            }
            assertTrue(retriever.receive(1, 300).isEmpty(), "the holding retriever gets no RTP at all");

            c.bridge(r); // both resume
            customer.drain(100);
            retriever.drain(100);
            byte[][] sent = new byte[20][];
            for (int i = 0; i < 20; i++) {
                sent[i] = new byte[160];
                Arrays.fill(sent[i], (byte) (i + 1));
                customer.send(c.localAddress(), false, 0, 600 + i, 12800L + 160L * i, 0x0c0c, sent[i]);
                retriever.send(r.localAddress(), false, 0, 200 + i, 4800L + 160L * i, 0x0bad, sent[i]);
                Thread.sleep(5);
            }
            List<RtpPeer.Packet> atR = retriever.receive(20, 3000);
            List<RtpPeer.Packet> atC = customer.receive(20, 3000);
            assertEquals(20, atR.size());
            assertEquals(20, atC.size());
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(sent[i], atR.get(i).payload(), "customer -> retriever relayed again");
                assertArrayEquals(sent[i], atC.get(i).payload(), "retriever -> customer relayed, no music");
            }
            assertTrue(customer.receive(1, 300).isEmpty(), "no music after the resume");
        }
    }

    /** Both hold: neither gets anything; one resumes first: it hears music (the other still holds). */
    @Test
    void bothHoldNobodyGetsRtp_theFirstToResumeHearsMusic() throws Exception {
        try (RtpPeer a = new RtpPeer(); RtpPeer b = new RtpPeer();
                MediaLeg legA = media.open("both-a", List.of(PCMU), a.address());
                MediaLeg legB = media.open("both-b", List.of(PCMU), b.address())) {
            legA.bridge(legB);
            legB.silence();
            legA.hold("");
            assertEquals(5, a.receive(5, 2000).size());
            legA.silence(); // A holds too
            a.drain(100);
            assertTrue(a.receive(1, 300).isEmpty(), "A, holding, gets nothing");
            assertTrue(b.receive(1, 100).isEmpty(), "B, holding, gets nothing");
            legB.hold(""); // B resumes while A still holds
            assertEquals(25, b.receive(25, 2000).size(), "B hears music");
            assertTrue(a.receive(1, 200).isEmpty(), "A still gets nothing");
        }
    }

    /**
     * A re-INVITE moved a party's media: music goes to the new address at once, and a late packet from the old
     * address does not take it back; moved to an address the SIP side does not vouch for ({@code null}): nothing is
     * sent until that party's RTP arrives, then only to its source.
     */
    @Test
    void moveToSendsToTheNewAddress_unvouchedWaitsForTheRtpSource() throws Exception {
        try (RtpPeer old = new RtpPeer(); RtpPeer moved = new RtpPeer(); RtpPeer latched = new RtpPeer();
                MediaLeg leg = media.open("move", List.of(PCMU), old.address())) {
            leg.hold("");
            assertEquals(5, old.receive(5, 2000).size());
            old.send(leg.localAddress(), true, 0, 1, 160, 7, new byte[160]); // latched to the old address
            leg.moveTo(moved.address());
            assertEquals(10, moved.receive(10, 2000).size(), "music at the new address");
            old.drain(100);
            old.send(leg.localAddress(), false, 0, 2, 320, 7, new byte[160]); // in flight from before the move
            moved.drain(100);
            assertEquals(5, moved.receive(5, 2000).size(), "still at the new address");
            assertTrue(old.receive(1, 200).isEmpty(), "nothing back to the old address");

            leg.moveTo(null);
            moved.drain(100);
            assertTrue(moved.receive(1, 300).isEmpty(), "unvouched: nothing until the party's RTP");
            long before = ((RtpLeg) leg).sentPackets();
            latched.send(leg.localAddress(), true, 0, 1, 160, 9, new byte[160]);
            assertEquals(10, latched.receive(10, 2000).size(), "then to its RTP source");
            assertTrue(((RtpLeg) leg).sentPackets() > before);
            assertEquals(latched.address(), ((RtpLeg) leg).remote());
        }
    }

    private static boolean isMusicFrame(EncodedAudio music, byte[] payload) {
        for (int i = 0; i < music.frameCount(); i++) {
            if (Arrays.equals(music.frame(i), payload)) {
                return true;
            }
        }
        return false;
    }
}
