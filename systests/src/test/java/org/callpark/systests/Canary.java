package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

/**
 * A parked call that must not notice a test's abuse of the server: sipp parks it ({@code *68105}, Referred-By 105)
 * with a test-owned RTP socket, and {@link #minRate} is the lowest hold-music rate (packets per second) over any
 * one-second window while it was watched.
 */
final class Canary implements AutoCloseable {

    private final RtpPeer rtp;
    private final Sipp sipp;
    private long watchFrom;

    private Canary(RtpPeer rtp, Sipp sipp) {
        this.rtp = rtp;
        this.sipp = sipp;
    }

    /** Parks the canary for at most {@code holdSeconds} and waits for its music. */
    static Canary park(AssemblyServer server, int holdSeconds) throws Exception {
        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp sipp = Sipp.scenario("park", server).service("*68105").name("canary").referredBy("105")
                .from("Canary", "+4930999").media(rtp.port(), "PCMU").set("HOLD_MS", holdSeconds * 1000)
                .timeout(holdSeconds + 30);
        sipp.start();
        Canary c = new Canary(rtp, sipp);
        assertTrue(rtp.awaitPackets(25, 10_000), () -> "the canary hears no music\n" + sipp.diagnostics());
        c.watchFrom = System.nanoTime();
        return c;
    }

    /** Music packets per second in each whole second since the canary parked (or the last {@link #restart}). */
    List<Integer> ratePerSecond() {
        List<RtpPeer.Packet> ps = rtp.packetsSince(watchFrom);
        long now = System.nanoTime();
        int seconds = (int) ((now - watchFrom) / 1_000_000_000L);
        List<Integer> rates = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            long a = watchFrom + s * 1_000_000_000L;
            long b = a + 1_000_000_000L;
            rates.add((int) ps.stream().filter(p -> p.nanos() >= a && p.nanos() < b).count());
        }
        return rates;
    }

    int minRate() {
        return ratePerSecond().stream().mapToInt(Integer::intValue).min().orElse(0);
    }

    /** The sipp caller is still in its call (not hung up by the server). */
    boolean connected() {
        return sipp.isAlive();
    }

    String diagnostics() {
        return sipp.diagnostics();
    }

    @Override
    public void close() {
        sipp.kill();
        rtp.close();
    }
}
