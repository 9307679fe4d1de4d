package org.callpark.media.internal.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A full RTP port range refuses a new leg with {@link PortsExhaustedException} (nothing left bound), logs one WARN for
 * the whole episode however many legs are refused, and one INFO when a leg can be bound again. A pair another process
 * holds is skipped, not counted as ours.
 */
class PortPoolTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /**
     * Without RTCP sockets (issue 17: 10,000 legs under a 20,000 descriptor limit) a leg binds only its even RTP port:
     * port + 1 stays free (a test socket binds it), the range holds as many legs, and a peer's RTCP sent to port + 1
     * reaches no leg.
     */
    @Test
    void withoutRtcpSocketsALegHoldsOnePortAndPortPlusOneStaysFree() throws Exception {
        int min = freeEvenRange(6);
        PortPool pool = new PortPool(LOOPBACK, min, min + 5, false);
        assertEquals(3, pool.capacity());
        List<PortPool.Bound> bound = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            PortPool.Bound b = pool.bind();
            assertEquals(0, b.port() % 2);
            assertEquals(null, b.rtcp());
            bound.add(b);
        }
        assertThrows(PortsExhaustedException.class, pool::bind);
        for (PortPool.Bound b : bound) {
            try (DatagramSocket odd = new DatagramSocket(new InetSocketAddress(LOOPBACK, b.port() + 1))) {
                assertEquals(b.port() + 1, odd.getLocalPort(), "port + 1 is not ours");
            }
            b.rtp().close();
            pool.release(b.port());
        }
    }

    @Test
    void fullRangeRefusesWithOneWarnPerEpisode_freedPortIsUsedAgain_withOneInfo() throws Exception {
        int min = freeEvenRange(6);
        PortPool pool = new PortPool(LOOPBACK, min, min + 5);
        assertEquals(3, pool.capacity());
        List<PortPool.Bound> bound = new ArrayList<>();
        List<String> log = captureStderr(() -> {
            for (int i = 0; i < 3; i++) {
                bound.add(pool.bind());
            }
            for (int i = 0; i < 4; i++) {
                PortsExhaustedException e = assertThrows(PortsExhaustedException.class, pool::bind);
                assertEquals(PortsExhaustedException.Cause.RANGE_FULL, e.exhaustion());
                assertTrue(e.getMessage().contains(min + ".." + (min + 5)) && e.getMessage().contains("rtpPortMax"),
                        e.getMessage());
            }
            PortPool.Bound first = bound.remove(0);
            first.rtp().close();
            first.rtcp().close();
            pool.release(first.port());
            bound.add(pool.bind());
        });
        assertEquals(1, log.stream().filter(l -> l.contains("WARN") && l.contains("refused with 503")).count(),
                "one WARN for four refusals: " + log);
        assertEquals(1, log.stream().filter(l -> l.contains("INFO") && l.contains("after 4 refused legs")).count(),
                "one INFO when ports are free again: " + log);
        assertEquals(3, pool.inUse());
        for (PortPool.Bound b : bound) {
            b.rtp().close();
            b.rtcp().close();
        }
    }

    @Test
    void aPairHeldByAnotherProcessIsSkipped_andAFullRangeThenSaysSo() throws Exception {
        int min = freeEvenRange(4);
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(LOOPBACK, min + 1))) {
            PortPool pool = new PortPool(LOOPBACK, min, min + 3);
            PortPool.Bound b = pool.bind();
            assertEquals(min + 2, b.port(), "the pair whose RTCP port is taken is skipped");
            PortsExhaustedException e = assertThrows(PortsExhaustedException.class, pool::bind);
            assertTrue(e.getMessage().contains("1 of 2 legs in use by this node"), e.getMessage());
            b.rtp().close();
            b.rtcp().close();
        }
    }

    /** The first port of {@code n} consecutive free ports from an even port in 43000.. (no other test uses these). */
    private static int freeEvenRange(int n) throws Exception {
        for (int start = 43000; start < 44000; start += 2) {
            boolean free = true;
            for (int p = start; p < start + n && free; p++) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, p))) {
                    free = s.isBound();
                } catch (java.net.SocketException e) {
                    free = false;
                }
            }
            if (free) {
                return start;
            }
        }
        throw new IllegalStateException("no free UDP range in 43000..44000");
    }

    private interface Body {
        void run() throws Exception;
    }

    private static List<String> captureStderr(Body body) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        err.print(text);
        return text.lines().toList();
    }
}
