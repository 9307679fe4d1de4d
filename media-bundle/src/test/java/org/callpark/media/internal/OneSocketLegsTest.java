package org.callpark.media.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.callpark.media.internal.audio.AudioCodec;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rtcpSockets = false} (issue 17: one file descriptor per leg): a parked leg gets its hold music and a bridged
 * pair relays both ways exactly as with RTCP sockets, while port + 1 of each leg stays free; the peer's RTCP sent
 * there reaches nothing, multiplexed RTCP on the RTP port is still absorbed. Real sockets on 127.0.0.1, ports
 * 47600..47699.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneSocketLegsTest {

    static final Codec PCMU = new Codec("PCMU", 0, 8000, 1);

    @TempDir
    static Path home;

    static LibjitsiMediaController media;

    @BeforeAll
    static void start() throws Exception {
        MediaSettings s = new MediaSettings(InetAddress.getLoopbackAddress(), 47600, 47699,
                List.of(AudioCodec.PCMU), null, Map.of(), null, "en", false);
        media = new LibjitsiMediaController(s, home);
    }

    @AfterAll
    static void stop() {
        media.deactivate();
    }

    @Test
    void musicAndRelayWorkWithOneSocketPerLeg() throws Exception {
        try (RtpPeer customer = new RtpPeer(); RtpPeer retriever = new RtpPeer();
                MediaLeg c = media.open("one-c", List.of(PCMU), customer.address());
                MediaLeg r = media.open("one-r", List.of(PCMU), retriever.address())) {
            for (MediaLeg leg : List.of(c, r)) {
                int odd = leg.localAddress().getPort() + 1;
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        odd))) {
                    assertEquals(odd, s.getLocalPort(), "port + 1 is not bound by the leg");
                }
            }
            c.hold("");
            assertEquals(50, customer.receive(50, 3000).size(), "hold music, 50 packets within 3 s");

            c.bridge(r);
            customer.drain(100);
            retriever.drain(100);
            byte[] speech = new byte[160];
            Arrays.fill(speech, (byte) 0x44);
            byte[] rtcp = {(byte) 0x80, (byte) 200, 0, 6, 0, 0, 0x0c, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0};
            customer.sendRaw(c.localAddress(), rtcp); // multiplexed RTCP (PT 200): absorbed, not relayed
            for (int i = 0; i < 20; i++) {
                customer.send(c.localAddress(), i == 0, 0, 700 + i, 3200L + 160L * i, 0x0c0c, speech);
            }
            List<RtpPeer.Packet> relayed = retriever.receive(20, 3000);
            assertEquals(20, relayed.size(), "the customer's audio reaches the retriever");
            for (RtpPeer.Packet p : relayed) {
                assertArrayEquals(speech, p.payload());
            }
            assertTrue(customer.receive(1, 300).isEmpty(), "nothing back to the customer while the retriever is silent");
        }
    }
}
