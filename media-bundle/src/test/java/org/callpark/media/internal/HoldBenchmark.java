package org.callpark.media.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.callpark.media.internal.audio.AudioCodec;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded measurement, not a unit test: N legs on hold for a few seconds, reporting the RTP loop's CPU, process CPU,
 * RSS, threads and what sampled receivers got. Run with
 * {@code mvn -q test -pl media-bundle -Dtest=HoldBenchmark -Dbench.legs=500,2000 -Dsurefire.failIfNoSpecifiedTests=false}.
 * Most legs send to one sink socket that is never read (the kernel drops what overflows), so receiving costs nothing
 * here; 10 legs go to sampled receivers.
 */
@EnabledIfSystemProperty(named = "bench.legs", matches = ".+")
class HoldBenchmark {

    @TempDir
    static Path home;

    @Test
    void legsOnHold() throws Exception {
        MediaSettings s = new MediaSettings(InetAddress.getLoopbackAddress(), 40000, 44999,
                List.of(AudioCodec.PCMU, AudioCodec.PCMA, AudioCodec.OPUS), null, Map.of(), null);
        LibjitsiMediaController media = new LibjitsiMediaController(s, home);
        int seconds = Integer.getInteger("bench.seconds", 10);
        try (DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            sink.setReceiveBufferSize(4096);
            for (String n : System.getProperty("bench.legs").split(",")) {
                run(media, Integer.parseInt(n.trim()), seconds, (InetSocketAddress) sink.getLocalSocketAddress());
            }
        } finally {
            media.deactivate();
        }
    }

    private void run(LibjitsiMediaController media, int n, int seconds, InetSocketAddress sink) throws Exception {
        List<MediaLeg> legs = new ArrayList<>();
        List<RtpPeer> sample = new ArrayList<>();
        Codec[] codecs = {LibjitsiMediaControllerTest.PCMU, LibjitsiMediaControllerTest.PCMA, LibjitsiMediaControllerTest.OPUS};
        try {
            for (int i = 0; i < n; i++) {
                RtpPeer peer = i % (n / 10) == 0 ? new RtpPeer() : null;
                if (peer != null) {
                    sample.add(peer);
                }
                MediaLeg leg = media.open("bench-" + i, List.of(codecs[i % 3]), peer != null ? peer.address() : sink);
                leg.hold("");
                legs.add(leg);
            }
            Thread.sleep(1000);
            for (RtpPeer p : sample) {
                p.drain(5);
            }
            ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
            long loopId = Arrays.stream(tmx.dumpAllThreads(false, false))
                    .filter(t -> t.getThreadName().equals("callpark-media-rtp")).mapToLong(ThreadInfo::getThreadId)
                    .findFirst().orElseThrow();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long loop0 = tmx.getThreadCpuTime(loopId);
            long loopUser0 = tmx.getThreadUserTime(loopId);
            long proc0 = os.getProcessCpuTime();
            long late0 = media.loop().lateTicks();
            long t0 = System.nanoTime();
            // one blocking receiver thread per sampled leg, so arrival times are not skewed by polling
            int[] counts = new int[sample.size()];
            List<List<Long>> arrivals = new ArrayList<>();
            List<Thread> receivers = new ArrayList<>();
            long end = t0 + seconds * 1_000_000_000L;
            for (int i = 0; i < sample.size(); i++) {
                List<Long> a = new ArrayList<>();
                arrivals.add(a);
                RtpPeer peer = sample.get(i);
                Thread t = new Thread(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            for (RtpPeer.Packet p : peer.receive(1, 100)) {
                                a.add(p.nanos());
                            }
                        }
                    } catch (java.io.IOException e) {
                        // socket closed
                    }
                });
                t.start();
                receivers.add(t);
            }
            for (Thread t : receivers) {
                t.join();
            }
            List<Long> gaps = new ArrayList<>();
            for (int i = 0; i < arrivals.size(); i++) {
                List<Long> a = arrivals.get(i);
                counts[i] = a.size();
                for (int k = 1; k < a.size(); k++) {
                    gaps.add(Math.abs(a.get(k) - a.get(k - 1) - 20_000_000));
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double loopCpu = (tmx.getThreadCpuTime(loopId) - loop0) / 1e9 / wall * 100;
            double loopUser = (tmx.getThreadUserTime(loopId) - loopUser0) / 1e9 / wall * 100;
            double procCpu = (os.getProcessCpuTime() - proc0) / 1e9 / wall * 100;
            long[] g = gaps.stream().mapToLong(Long::longValue).sorted().toArray();
            String rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                    .findFirst().orElse("VmRSS: ?").replaceAll("\\s+", " ");
            System.out.printf("BENCH legs=%d: loop thread %.1f %% of a core (user %.1f %%, kernel %.1f %%), process %.1f %% (incl. 10 receiver"
                    + " threads), %s, threads %d, late ticks %d, sampled pps %s, deviation p50 %.2f ms p99 %.2f ms"
                    + " max %.2f ms%n", n, loopCpu, loopUser, loopCpu - loopUser, procCpu, rss, tmx.getThreadCount(),
                    media.loop().lateTicks() - late0,
                    Arrays.toString(Arrays.stream(counts).mapToObj(c -> String.format("%.1f", c / wall)).toArray()),
                    g[g.length / 2] / 1e6, g[(int) (g.length * 0.99)] / 1e6, g[g.length - 1] / 1e6);
        } finally {
            legs.forEach(MediaLeg::close);
            sample.forEach(RtpPeer::close);
        }
    }
}
