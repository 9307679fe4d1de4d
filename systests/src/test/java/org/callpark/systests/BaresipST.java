package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real softphone scenario with three baresips (Bob 101 parks, Alice 102 retrieves, Carol 103 is the customer) and
 * the server, all in one network namespace of the test's own, {@code cpark-<hex>}, whose only interface is {@code lo}
 * (with {@code ip route add default dev lo}: then baresip accepts 127.0.0.1, which it ignores elsewhere). Everything
 * talks over 127.0.0.1 inside it; the root namespace sees no address and no route change. The test JVM stays in the
 * root namespace and reaches in only through {@code ip netns exec} (OPTIONS probe, {@code bin/client}, a
 * {@code socat} per baresip to its {@code ctrl_tcp}). baresip sends no Referred-By on transfer, so Bob transfers
 * Carol to {@code *68101} (park on 101 explicitly).
 */
class BaresipST {

    private static final String IP = "127.0.0.1";
    private static String ns;
    private static AssemblyServer server;

    @BeforeAll
    static void namespaceAndServer() throws Exception {
        Peers.require("/usr/bin/baresip", "baresip-core");
        Peers.require("/usr/bin/sox", "sox");
        Peers.require("/usr/bin/socat", "socat");
        Peers.require("/usr/sbin/ip", "iproute2");
        ns = "cpark-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
        AssemblyServer.exec(10, "ip", "netns", "add", ns);
        AssemblyServer.exec(10, "ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        AssemblyServer.exec(10, "ip", "netns", "exec", ns, "ip", "route", "add", "default", "dev", "lo");
        server = new AssemblyServer(IP, 45060, ns);
        server.start("BaresipST");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (ns != null) {
            // the namespace is the test's own: whatever still runs in it (a baresip or socat that did not stop,
            // Karaf if stop() failed) was started by this test; kill those pids, then delete the namespace
            Process p = new ProcessBuilder("ip", "netns", "pids", ns).redirectErrorStream(true).start();
            String pids = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            for (String pid : pids.split("\\s+")) {
                if (pid.matches("\\d+")) {
                    System.out.println("[systests] killing leftover pid " + pid + " in " + ns);
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
        }
    }

    private static Path tone(Path dir, String name, int hz) throws Exception {
        Path f = dir.resolve(name + "-" + hz + ".wav");
        AssemblyServer.exec(30, "sox", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
                f.toString(), "synth", "120", "sine", Integer.toString(hz), "vol", "0.4");
        return f;
    }

    @Test
    void bobParksCarolByBlindTransferAndAliceRetrieves() throws Exception {
        Path dir = Path.of("target", "baresip-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir);
        String srv = IP + ":" + server.sipPort();
        double[] music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"))));
        try (Baresip bob = new Baresip("bob", dir.resolve("bob"), ns, IP, 5070,
                "<sip:101@" + srv + ">;regint=0;answermode=auto", tone(dir, "bob", 500));
                Baresip alice = new Baresip("alice", dir.resolve("alice"), ns, IP, 5072,
                        "<sip:102@" + srv + ">;auth_pass=pass102;regint=0;answermode=auto", tone(dir, "alice", 700));
                Baresip carol = new Baresip("carol", dir.resolve("carol"), ns, IP, 5074,
                        "<sip:103@" + srv + ">;regint=0;answermode=auto", tone(dir, "carol", 1000))) {
            bob.start();
            alice.start();
            carol.start();

            // Carol (the customer) calls Bob's phone directly; our server is not a proxy
            carol.command("dial", "sip:101@" + IP + ":5070");
            assertTrue(bob.awaitEvent("CALL_ESTABLISHED", 0, 10_000), () -> "Bob did not answer\n" + bob.events()
                    + "\n" + carol.events() + "\n" + carol.log());
            Thread.sleep(1500); // a short conversation (scenario timing, not an assertion)

            // Bob blind-transfers Carol to the park code; baresip sends no Referred-By, so *68101 names the slot
            int carolEvents = carol.eventCount();
            bob.command("transfer", "sip:*68101@" + srv);
            String list = awaitParked(15_000);
            assertTrue(list.contains("101"), "parked on 101:\n" + list);
            long parkedAt = System.nanoTime();
            System.out.println("[systests] baresip park:list\n" + list);
            Thread.sleep(4000); // Carol listens to the music (analysed below from her recording)

            int aliceEvents = alice.eventCount();
            alice.command("dial", "sip:*88101@" + srv);
            assertTrue(alice.awaitEvent("CALL_ESTABLISHED", aliceEvents, 10_000), () -> "Alice's retrieve failed\n"
                    + alice.events() + "\n" + alice.log());
            long pickedAt = System.nanoTime();
            Thread.sleep(4000); // Alice and Carol talk
            alice.command("hangup", "");
            assertTrue(carol.awaitEvent("CALL_CLOSED", carolEvents, 10_000), () -> "Carol not hung up\n"
                    + carol.events());
            Thread.sleep(500); // recordings are closed when the call is destroyed

            // Carol's last recording is the parked call: music, then Alice's 700 Hz
            List<Path> carolRec = sortedByTime(carol.recordings());
            List<Path> aliceRec = sortedByTime(alice.recordings());
            System.out.println("[systests] recordings carol " + carolRec + " alice " + aliceRec);
            assertTrue(carolRec.size() >= 1 && aliceRec.size() >= 1, "no recordings");
            Audio.Pcm c = Audio.readWav(carolRec.get(carolRec.size() - 1).toFile());
            double[] cs = c.samples();
            int rate = c.rate();
            double callSeconds = cs.length / (double) rate;
            double talkSeconds = (System.nanoTime() - pickedAt) / 1e9 - 0.5;
            double musicEnd = callSeconds - talkSeconds - 0.5; // file end ~ hang-up; music before pickup
            System.out.printf("[systests] carol's park call recording %.2f s (rate %d), music until ~%.2f s%n",
                    callSeconds, rate, musicEnd);
            // music window: 1 s .. musicEnd
            int mFrom = rate;
            int mLen = (int) Math.min((musicEnd - 1.0) * rate, 2.0 * rate);
            assertTrue(mLen > rate / 2, "music window too short: " + mLen);
            double[] mWin = Arrays.copyOfRange(cs, mFrom, mFrom + mLen);
            Audio.Match m = Audio.bestMatch(rate == 8000 ? mWin : Audio.to8k(new Audio.Pcm(mWin, rate)), music);
            double mRms = Audio.rms(cs, mFrom, mLen);
            double d1000 = Audio.toneShare(cs, mFrom, mLen, 1000, rate);
            double d500 = Audio.toneShare(cs, mFrom, mLen, 500, rate);
            double d700 = Audio.toneShare(cs, mFrom, mLen, 700, rate);
            System.out.printf("[systests] carol parked: rms %.0f, correlation with hold music %.3f, tone shares "
                    + "500 %.3f 700 %.3f 1000 %.3f, dominant %.0f Hz%n", mRms, m.correlation(), d500, d700, d1000,
                    Audio.dominant(cs, mFrom, mLen, rate));
            assertTrue(mRms > 300, "Carol heard silence while parked");
            assertTrue(m.correlation() > 0.6, "Carol did not hear the hold music: " + m.correlation());
            // after the pickup: 700 Hz (Alice)
            int tFrom = (int) ((callSeconds - talkSeconds + 1.0) * rate);
            int tLen = (int) ((talkSeconds - 2.0) * rate);
            double carolHears700 = minBlockShare(cs, tFrom, tLen, 700, rate);
            Audio.Pcm a = Audio.readWav(aliceRec.get(aliceRec.size() - 1).toFile());
            int aFrom = a.rate();
            int aLen = a.samples().length - 2 * a.rate();
            double aliceHears1000 = minBlockShare(a.samples(), aFrom, aLen, 1000, a.rate());
            System.out.printf("[systests] after pickup: carol hears 700 Hz (min share per 100 ms %.3f), alice hears "
                    + "1000 Hz (min %.3f); dominant carol %.0f Hz, alice %.0f Hz%n", carolHears700, aliceHears1000,
                    Audio.dominant(cs, tFrom, tLen, rate), Audio.dominant(a.samples(), aFrom, aLen, a.rate()));
            assertTrue(carolHears700 > 0.5, "Carol does not hear Alice");
            assertTrue(aliceHears1000 > 0.5, "Alice does not hear Carol");
            System.out.printf("[systests] baresip: parked %.1f s, picked up %.1f s%n", (pickedAt - parkedAt) / 1e9,
                    (System.nanoTime() - pickedAt) / 1e9);
        }
        assertTrue(!server.shell("park:list").contains("103"), "nothing parked at the end");
    }

    private static double minBlockShare(double[] x, int from, int len, double hz, int rate) {
        int block = rate / 10;
        double min = 1;
        for (int b = from; b + block <= from + len && b + block <= x.length; b += block) {
            min = Math.min(min, Audio.toneShare(x, b, block, hz, rate));
        }
        return min;
    }

    private static List<Path> sortedByTime(List<Path> files) {
        return files.stream().sorted(Comparator.comparing(p -> p.toFile().lastModified())).toList();
    }

    private static String awaitParked(long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        String out;
        do {
            out = server.shell("park:list");
            if (out.contains("parked") && !out.contains("No parked calls")) {
                return out;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("nothing parked after the transfer:\n" + out);
    }
}
