package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Updates of a running node that must not cost a parked caller the call: one assembly, 10 callers parked by sipp
 * ({@code park_movable.xml}, answers re-INVITEs and follows the new Contact) on {@code *68101}..{@code *68109} and
 * {@code *58} (Referred-By 101), each with its own Java RTP socket. Then, in this order, each step on the same 10
 * calls:
 * <ol>
 * <li>{@code bundle:update org.callpark.park}: the SIP server references the park core's services dynamically and keeps
 * running with its dialogs and legs (karaf.log: "The park core is back", no "Took up parked call"), no re-INVITE, the
 * music goes on: every caller's RTP stays one
 * unbroken stream (same source and SSRC, no sequence number missing) and its longest silence is at most
 * {@code -Dsystests.hotupdate.quietGapMillis} (500 ms; typically 20–60 ms, but on a loaded two-core machine every
 * stream of the server, sequence numbers intact, stalls now and then for 200–300 ms);</li>
 * <li>{@code bundle:update org.callpark.sip}: the same — the SIP bundle's new revision takes up every call quietly;</li>
 * <li>{@code bundle:update org.callpark.xmpp}: nothing happens to the calls (no SIP stack restart);</li>
 * <li>{@code bundle:update org.callpark.ui}: nothing happens to the calls;</li>
 * <li>{@code bundle:update org.callpark.media}: the legs die with the media bundle, the SIP server restarts with it and
 * re-INVITEs every caller to a new leg (longest silence at most {@code -Dsystests.hotupdate.mediaGapMillis},
 * 3000 ms; typically 0.65–1 s);</li>
 * <li>{@code config:property-set -p org.callpark.sip transports udp}: the SIP stack restarts (karaf.log "restarting the
 * SIP stack", then "SIP listening on ... (udp)", TCP connections refused), the legs are kept and the Contact is the
 * same: 10 × "Took up parked call", no re-INVITE, stream unbroken;</li>
 * <li>{@code config:property-set -p org.callpark.sip userAgent X}: applied at once (an OPTIONS answer's
 * {@code Server} header goes from CallPark to X), no restart, nothing happens to the calls;</li>
 * <li>{@code scr:disable org.callpark.internal.sip.SipServer}: the stack stops (karaf.log "SIP stopped listening",
 * {@code scr:list} 0 instances, an OPTIONS gets no answer), the music goes on while the component is off (2 s
 * checked, 10 listed); {@code scr:enable}: taken up again (10 × "Took up parked call") without a re-INVITE.
 * {@code scr:list} is Felix SCR's gogo command, which prints only when piped ({@code scr:list | grep ...});</li>
 * <li>{@code bundle:stop org.callpark.sip}, 2 s, {@code bundle:start}: the same with the whole SIP bundle.</li>
 * </ol>
 * After each step: {@code park:list} shows the 10, no caller got a BYE, every caller hears ≥ 40 packets/s again within
 * 5 s; printed as {@code [systests] hot update <step>: longest silence per caller max N ms, re-INVITEs M}. At the end
 * two callers are retrieved with {@code *88101}/{@code *88102} as 102 (digest), audio both ways (1000 Hz ⇄ 600 Hz in
 * every 100 ms block), and the other 8 are hung up with {@code park:hangup} (each gets the server's BYE, which proves
 * the current stack holds their dialogs). About 70–90 s. {@code -Dsystests.hotupdate.debug=true}: the server logs
 * {@code org.callpark.internal.sip} at DEBUG (takeovers, let-gos) into its karaf.log.
 *
 * <p>The helpers for parked callers (park, re-INVITEs, silences, {@code park:list}) are shared with {@link RestartST}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HotUpdateST {

    static final long QUIET_GAP_MS = Long.getLong("systests.hotupdate.quietGapMillis", 500);
    static final long MEDIA_GAP_MS = Long.getLong("systests.hotupdate.mediaGapMillis", 3000);
    static final int CALLERS = 10;
    private static final String PREFIX = "+49302600";
    private static final String TOOK_UP = "Took up parked call";
    private static final String CORE_BACK = "The park core is back";
    private static final String RESTARTING = "restarting the SIP stack";
    private static final String COMPONENT = "org.callpark.internal.sip.SipServer";

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer().etcFile("org.callpark.directory.cfg",
            directoryWithoutRecalls());

    private static List<Caller> callers = List.of();
    private static final List<Sipp> SIPPS = new ArrayList<>();
    private static final List<RtpPeer> RTPS = new ArrayList<>();

    @BeforeAll
    static void park() throws Exception {
        if (Boolean.getBoolean("systests.hotupdate.debug")) {
            System.out.printf("[systests] hot update: DEBUG log for org.callpark.internal.sip: %s%n",
                    shell(SERVER, "log:set DEBUG org.callpark.internal.sip"));
        }
        callers = parkCallers(SERVER, "hu", PREFIX, SIPPS, RTPS);
    }

    @AfterAll
    static void cleanUp() {
        SIPPS.forEach(Sipp::kill);
        RTPS.forEach(RtpPeer::close);
    }

    // ------------------------------------------------------------------------------------------------- the steps

    @Test
    @Order(1)
    void bundleUpdateOfTheParkBundleKeepsEveryCallWithoutAReInvite() throws Exception {
        Step s = Step.begin("park bundle update", SERVER, callers);
        String out = shell(SERVER, "bundle:update org.callpark.park");
        s.awaitLog(CORE_BACK, 1, 30_000, out);
        s.settle(1000);
        assertEquals(0, s.logCount(TOOK_UP), "the SIP stack kept running through the core update:\n" + s.newLog());
        s.finish(QUIET_GAP_MS, 0);
    }

    @Test
    @Order(2)
    void bundleUpdateOfTheSipBundleKeepsEveryCallWithoutAReInvite() throws Exception {
        Step s = Step.begin("sip bundle update", SERVER, callers);
        String out = shell(SERVER, "bundle:update org.callpark.sip");
        s.awaitLog(TOOK_UP, CALLERS, 30_000, out);
        s.settle(1000);
        s.finish(QUIET_GAP_MS, 0);
    }

    @Test
    @Order(3)
    void bundleUpdateOfTheXmppBundleLeavesTheCallsAlone() throws Exception {
        Step s = Step.begin("xmpp bundle update", SERVER, callers);
        String out = shell(SERVER, "bundle:update org.callpark.xmpp");
        assertTrue(out.isBlank(), "bundle:update org.callpark.xmpp printed: " + out);
        s.settle(3000);
        assertEquals(0, s.logCount(TOOK_UP), "the SIP stack was not restarted by an XMPP update:\n" + s.newLog());
        s.finish(QUIET_GAP_MS, 0);
    }

    @Test
    @Order(4)
    void bundleUpdateOfTheUiBundleLeavesTheCallsAlone() throws Exception {
        Step s = Step.begin("ui bundle update", SERVER, callers);
        String out = shell(SERVER, "bundle:update org.callpark.ui");
        assertTrue(out.isBlank(), "bundle:update org.callpark.ui printed: " + out);
        s.settle(3000);
        assertEquals(0, s.logCount(TOOK_UP), "the SIP stack was not restarted by a UI update:\n" + s.newLog());
        s.finish(QUIET_GAP_MS, 0);
    }

    @Test
    @Order(5)
    void bundleUpdateOfTheMediaBundleReInvitesEveryCallerToANewLeg() throws Exception {
        Step s = Step.begin("media bundle update", SERVER, callers);
        String out = shell(SERVER, "bundle:update org.callpark.media");
        assertTrue(out.isBlank(), "bundle:update org.callpark.media printed: " + out);
        s.awaitReInvites(30_000);
        s.settle(1000);
        s.finish(MEDIA_GAP_MS, 1);
    }

    @Test
    @Order(6)
    void aTransportsChangeRestartsTheStackAndKeepsTheMusic() throws Exception {
        Step s = Step.begin("sip transports change", SERVER, callers);
        assertTrue(tcpOpen(SERVER), "SIP over TCP before the change");
        String out = shell(SERVER, "config:property-set -p org.callpark.sip transports udp");
        s.awaitLog(RESTARTING, 1, 15_000, out);
        s.awaitLog(TOOK_UP, CALLERS, 15_000, out);
        assertTrue(s.newLog().contains("SIP listening on " + SERVER.address() + ":" + SERVER.sipPort() + " (udp),"),
                "the new stack listens on UDP only:\n" + s.newLog());
        assertTrue(!tcpOpen(SERVER), "no SIP over TCP after transports = udp");
        s.settle(1000);
        s.finish(QUIET_GAP_MS, 0);
    }

    @Test
    @Order(7)
    void aUserAgentChangeChangesNothingForTheCalls() throws Exception {
        Step s = Step.begin("sip userAgent change", SERVER, callers);
        assertEquals("CallPark", options(SERVER), "Server header of an OPTIONS answer before the change");
        String out = shell(SERVER, "config:property-set -p org.callpark.sip userAgent X");
        assertTrue(out.isBlank(), "config:property-set printed: " + out);
        long deadline = System.currentTimeMillis() + 5_000;
        String server;
        while (!"X".equals(server = options(SERVER)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("X", server, "the new user agent applies at once (Server header of an OPTIONS answer)");
        s.settle(3000);
        assertEquals(0, s.logCount(RESTARTING), "no stack restart for a user agent change:\n" + s.newLog());
        assertEquals(0, s.logCount(TOOK_UP), "nothing taken up again:\n" + s.newLog());
        s.finish(QUIET_GAP_MS, 0);
    }

    @Test
    @Order(8)
    void theSipServerComponentOffAndOnAgainKeepsTheMusic() throws Exception {
        String line = component();
        assertTrue(line.contains("1 instance"), "scr:list shows " + COMPONENT + " with its instance: " + line);
        System.out.printf("[systests] hot update: scr:list: %s%n", line);
        Step s = Step.begin("sip server component off and on", SERVER, callers);
        String out = shell(SERVER, "scr:disable " + COMPONENT);
        long offNanos = System.nanoTime();
        s.awaitLog("SIP stopped listening", 1, 10_000, out);
        String off = component();
        assertTrue(off.contains("0 instances"), "after scr:disable (printed: '" + out + "'): " + off);
        musicGoesOnWithoutSip(offNanos, "SIP server disabled (" + off + ")");
        String on = shell(SERVER, "scr:enable " + COMPONENT);
        s.awaitLog(TOOK_UP, CALLERS, 30_000, on);
        assertTrue(component().contains("1 instance"), "after scr:enable: " + component());
        assertEquals("X", options(SERVER), "SIP answers again after scr:enable");
        s.settle(1000);
        s.finish(QUIET_GAP_MS, 0);
    }

    @Test
    @Order(9)
    void theSipBundleStoppedAndStartedAgainKeepsTheMusic() throws Exception {
        Step s = Step.begin("sip bundle stop and start", SERVER, callers);
        String out = shell(SERVER, "bundle:stop org.callpark.sip");
        long offNanos = System.nanoTime();
        s.awaitLog("SIP stopped listening", 1, 10_000, out);
        musicGoesOnWithoutSip(offNanos, "SIP bundle stopped");
        String on = shell(SERVER, "bundle:start org.callpark.sip");
        s.awaitLog(TOOK_UP, CALLERS, 30_000, on);
        assertEquals("X", options(SERVER), "SIP answers again after bundle:start");
        s.settle(1000);
        s.finish(QUIET_GAP_MS, 0);
    }

    /**
     * While no SIP stack runs (from {@code offNanos} on): no SIP answer, yet after 2 s every caller still hears its
     * music (≥ 40 packets in the last second) and all are listed as parked.
     */
    private void musicGoesOnWithoutSip(long offNanos, String what) throws Exception {
        assertEquals(null, options(SERVER), "no SIP answer: " + what);
        awaitNanos(offNanos + 2_000_000_000L);
        long now = System.nanoTime();
        for (Caller c : callers) {
            List<RtpPeer.Packet> last = c.rtp().packetsSince(now - 1_000_000_000L);
            assertTrue(last.size() >= 40, c.user() + " hears " + last.size() + " packets/s: " + what);
        }
        ParkList listed = awaitList(SERVER, l -> l.withCaller(PREFIX).size() == CALLERS, 5_000);
        assertEquals(CALLERS, listed.withCaller(PREFIX).size(), "still parked: " + what + "\n" + listed.text());
        System.out.printf("[systests] hot update: %s for %d ms, every caller heard >= 40 packets in its last second, "
                + "10 listed%n", what, (System.nanoTime() - offNanos) / 1_000_000);
    }

    /**
     * Sends one {@code OPTIONS} over UDP to the server and returns the {@code Server} header of its 200 ("" without
     * one), null if nothing came back within 1 s.
     */
    static String options(AssemblyServer server) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(server.address(), 0))) {
            s.setSoTimeout(1000);
            String callId = "hotupdate-" + System.nanoTime();
            String msg = "OPTIONS sip:" + server.address() + ":" + server.sipPort() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + server.address() + ":" + s.getLocalPort() + ";branch=z9hG4bK" + callId
                    + "\r\nFrom: <sip:systests@" + server.address() + ">;tag=1\r\n"
                    + "To: <sip:" + server.address() + ":" + server.sipPort() + ">\r\n"
                    + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
            byte[] b = msg.getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(b, b.length, new InetSocketAddress(server.address(), server.sipPort())));
            long deadline = System.currentTimeMillis() + 1000;
            while (System.currentTimeMillis() < deadline) {
                DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
                    return null;
                }
                String r = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                if (r.startsWith("SIP/2.0 200") && r.contains(callId)) {
                    return r.lines().filter(l -> l.regionMatches(true, 0, "Server:", 0, 7))
                            .map(l -> l.substring(7).trim()).findFirst().orElse("");
                }
            }
            return null;
        }
    }

    /** Whether the server's SIP port accepts a TCP connection. */
    static boolean tcpOpen(AssemblyServer server) {
        try (Socket t = new Socket()) {
            t.connect(new InetSocketAddress(server.address(), server.sipPort()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The SIP server's line of {@code scr:list} (Felix SCR's gogo command, formatted by the pipe). */
    private static String component() throws Exception {
        String list = shell(SERVER, "scr:list | grep " + COMPONENT);
        return list.lines().filter(l -> l.contains(COMPONENT)).findFirst().orElse("(not in scr:list: " + list + ")")
                .strip();
    }

    /**
     * After every step: {@code *88101} and {@code *88102} as 102 connect the two callers with audio both ways; the
     * retriever's BYE ends the caller's call; the other 8 are hung up by {@code park:hangup} and each gets a BYE.
     */
    @Test
    @Order(10)
    void afterAllStepsTwoAreRetrievedWithAudioBothWaysAndTheOthersHungUp() throws Exception {
        for (int i = 0; i < 2; i++) {
            Caller c = callers.get(i);
            retrieveWithAudio(SERVER, c, "hu-retrieve-" + c.slot(), RTPS, SIPPS);
        }
        hangUpAll(SERVER, callers.subList(2, CALLERS), PREFIX);
    }

    // ------------------------------------------------------------------------------------------------- one step

    /** One step's baseline (time, karaf.log length) and its checks. */
    static final class Step {
        final String name;
        final AssemblyServer server;
        final List<Caller> callers;
        final long t0Nanos = System.nanoTime();
        final long t0Micros = nowMicros();
        final int logOffset;
        final long[] byesBefore;

        private Step(String name, AssemblyServer server, List<Caller> callers) throws IOException {
            this.name = name;
            this.server = server;
            this.callers = callers;
            this.logOffset = server.karafLog().length();
            this.byesBefore = new long[callers.size()];
            for (int i = 0; i < callers.size(); i++) {
                byesBefore[i] = callers.get(i).serverByes();
            }
        }

        static Step begin(String name, AssemblyServer server, List<Caller> callers) throws IOException {
            return new Step(name, server, callers);
        }

        /** What the server logged since the step began. */
        String newLog() {
            String log = server.karafLog();
            return log.length() >= logOffset ? log.substring(logOffset) : log;
        }

        long logCount(String fragment) {
            return newLog().lines().filter(l -> l.contains(fragment)).count();
        }

        /** Waits (bounded) until karaf.log has {@code n} new lines with {@code fragment}. */
        void awaitLog(String fragment, int n, long timeoutMillis, String commandOutput) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (logCount(fragment) < n && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            long got = logCount(fragment);
            assertTrue(got >= n, name + ": karaf.log has " + got + " (not " + n + ") new lines '" + fragment
                    + "' within " + timeoutMillis + " ms (command printed: '" + commandOutput.strip() + "'):\n"
                    + tailOf(newLog(), 60));
            System.out.printf("[systests] hot update %s: %d x '%s' in karaf.log after %d ms%n", name, got, fragment,
                    (System.nanoTime() - t0Nanos) / 1_000_000);
        }

        /** Waits (bounded) until every caller got a re-INVITE since the step began and acknowledged it. */
        void awaitReInvites(long timeoutMillis) throws Exception {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            List<Caller> missing;
            do {
                missing = new ArrayList<>();
                for (Caller c : callers) {
                    if (c.reInvitesSince(t0Micros).isEmpty() || c.reInviteAcks() < c.reInvitesSince(0).size()) {
                        missing.add(c);
                    }
                }
                if (missing.isEmpty()) {
                    break;
                }
                Thread.sleep(100);
            } while (System.currentTimeMillis() < deadline);
            List<Caller> m = missing;
            assertTrue(m.isEmpty(), () -> name + ": " + m.size() + " callers without a (acknowledged) re-INVITE "
                    + "within " + timeoutMillis + " ms: " + m.stream().map(Caller::user).toList() + "\n"
                    + m.get(0).sipp().diagnostics() + "\n" + tailOf(newLog(), 60));
            long last = callers.stream().mapToLong(c -> c.reInvitesSince(t0Micros).get(0).epochMicros()).max()
                    .orElseThrow();
            System.out.printf("[systests] hot update %s: every caller re-INVITEd, the last %d ms after the command "
                    + "started%n", name, (last - t0Micros) / 1000);
        }

        void settle(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }

        /**
         * Music back at every caller (≥ 40 packets in the last second) within 5 s, 10 listed, no BYE; prints and
         * checks the longest silence of each caller since the step began and the re-INVITEs ({@code reInvites}: 0 =
         * none, 1 = exactly one per caller).
         */
        void finish(long maxGapMillis, int reInvites) throws Exception {
            awaitMusic(callers, System.nanoTime() + 5_000_000_000L, name);
            long end = System.nanoTime();
            long[] gaps = new long[callers.size()];
            int total = 0;
            int worst = 0;
            StringBuilder per = new StringBuilder();
            for (int i = 0; i < callers.size(); i++) {
                Caller c = callers.get(i);
                gaps[i] = longestGapMillis(c.rtp().packets(), t0Nanos, end);
                int n = c.reInvitesSince(t0Micros).size();
                total += n;
                worst = gaps[i] > gaps[worst] ? i : worst;
                per.append(String.format(" %s:%dms/%d", c.slot(), gaps[i], n));
            }
            long[] sorted = gaps.clone();
            Arrays.sort(sorted);
            List<String> breaks = new ArrayList<>();
            for (Caller c : callers) {
                String b = streamBreak(c.rtp().packets(), t0Nanos, end);
                if (b != null) {
                    breaks.add(c.user() + ": " + b);
                }
            }
            System.out.printf("[systests] hot update %s: longest silence per caller max %d ms (median %d ms, %s), "
                    + "re-INVITEs %d, RTP stream unbroken (same source and SSRC, no sequence number missing) at %d of "
                    + "%d callers; per caller (slot:silence/re-INVITEs):%s%n", name, sorted[sorted.length - 1],
                    sorted[sorted.length / 2], callers.get(worst).user(), total, callers.size() - breaks.size(),
                    callers.size(), per);

            for (int i = 0; i < callers.size(); i++) {
                Caller c = callers.get(i);
                assertEquals(byesBefore[i], c.serverByes(), name + ": " + c.user() + " got a BYE\n"
                        + c.sipp().diagnostics());
                assertTrue(c.sipp().isAlive(), name + ": sipp of " + c.user() + " ended\n" + c.sipp().diagnostics());
            }
            ParkList l = awaitList(server, x -> x.withCaller(PREFIX).size() == CALLERS, 10_000);
            assertEquals(CALLERS, l.withCaller(PREFIX).size(), name + ": park:list:\n" + l.text());
            if (reInvites == 0) {
                assertEquals(List.of(), breaks, name + ": the music stream goes on unbroken");
            }
            for (Caller c : callers) {
                int n = c.reInvitesSince(t0Micros).size();
                if (reInvites == 0) {
                    assertEquals(0, n, () -> name + ": " + c.user() + " got a re-INVITE\n" + c.sipp().diagnostics());
                } else {
                    assertEquals(reInvites, n, () -> name + ": re-INVITEs of " + c.user() + "\n"
                            + c.sipp().diagnostics());
                }
            }
            assertTrue(sorted[sorted.length - 1] <= maxGapMillis, name + ": longest silence "
                    + sorted[sorted.length - 1] + " ms (" + callers.get(worst).user() + ") > " + maxGapMillis
                    + " ms\n" + silenceDetail(callers.get(worst), t0Nanos, end));
        }
    }

    // ------------------------------------------------------------------------------------------------- callers

    /** A parked caller: its sipp ({@code park_movable}), RTP socket, number and slot extension or group. */
    record Caller(int index, String user, String slot, Sipp sipp, RtpPeer rtp) {

        /** The re-INVITEs received since {@code epochMicros} (retransmissions left out). */
        List<Sipp.Received> reInvitesSince(long epochMicros) {
            try {
                return sipp.receivedByCseq("INVITE").stream().filter(r -> r.epochMicros() >= epochMicros).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long reInviteAcks() {
            return logCount("REINVITE-ACK");
        }

        long serverByes() {
            return logCount("SERVER-BYE");
        }

        private long logCount(String prefix) {
            try {
                return sipp.logLines().stream().filter(l -> l.startsWith(prefix)).count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Where the server's RTP for this caller comes from now (the last packet's source). */
        InetSocketAddress serverMedia() {
            List<RtpPeer.Packet> ps = rtp.packets();
            return ps.isEmpty() ? null : ps.get(ps.size() - 1).source();
        }
    }

    /**
     * Parks {@link #CALLERS} callers at {@code server}, caller i ({@code <prefix><i>}, "Customer i") on
     * {@code *6810<i+1>} for i < 9 and the last on {@code *58} (101's park group Sales), all Referred-By 101, one
     * sipp each (waiting 190 s for a BYE, also after a re-INVITE); waits until each hears music and all are listed.
     */
    static List<Caller> parkCallers(AssemblyServer server, String name, String prefix, List<Sipp> sipps,
            List<RtpPeer> rtps) throws Exception {
        List<Caller> out = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLERS; i++) {
            RtpPeer rtp = new RtpPeer("127.0.0.1");
            rtps.add(rtp);
            String slot = i < 9 ? "10" + (i + 1) : "Sales";
            String service = i < 9 ? "*68" + slot : "*58";
            String user = prefix + i;
            Sipp sipp = Sipp.scenario("park_movable", server).service(service).name(name + "-caller-" + i)
                    .referredBy("101").from("Customer " + i, user).media(rtp.port(), "PCMU")
                    .set("HOLD_MS", 190_000).set("MOVED_HOLD_MS", 190_000).timeout(220);
            sipps.add(sipp);
            sipp.start();
            out.add(new Caller(i, user, slot, sipp, rtp));
        }
        for (Caller c : out) {
            assertTrue(c.rtp().awaitPackets(5, 15_000), () -> "no hold music for " + c.user() + "\n"
                    + c.sipp().diagnostics());
        }
        ParkList l = awaitList(server, x -> x.withCaller(prefix).size() == CALLERS, 10_000);
        assertEquals(CALLERS, l.withCaller(prefix).size(), "all parked:\n" + l.text());
        System.out.printf("[systests] %s: %d callers parked, all hear music and are listed after %d ms%n", name,
                CALLERS, (System.nanoTime() - t0) / 1_000_000);
        return out;
    }

    /**
     * {@code *88<slot>} as 102 (digest 102/pass102): the caller sends 1000 Hz, the retriever 600 Hz; each hears the
     * other's tone in every 100 ms block from 1 s to 3.5 s after the retriever's first packet, no music; the
     * retriever hangs up after 6 s and the caller gets the server's BYE.
     */
    static void retrieveWithAudio(AssemblyServer server, Caller c, String name, List<RtpPeer> rtps, List<Sipp> sipps)
            throws Exception {
        RtpPeer retriever = new RtpPeer("127.0.0.1");
        rtps.add(retriever);
        long invitesBefore = c.reInvitesSince(0).size();
        c.rtp().startTone(1000, 0, c.serverMedia());
        Sipp ret = Sipp.scenario("retrieve", server).service("*88" + c.slot()).name(name).from("Alice", "102")
                .auth("102", "pass102").media(retriever.port(), "PCMU").set("HOLD_MS", 6000).timeout(40);
        sipps.add(ret);
        long t0 = System.nanoTime();
        ret.start();
        assertTrue(retriever.awaitPackets(5, 10_000), () -> name + ": the retriever hears nothing\n"
                + ret.diagnostics());
        long tb = retriever.packets().get(0).nanos();
        retriever.startTone(600, 0, retriever.serverAddress());
        awaitNanos(tb + 500_000_000L);
        c.rtp().startTone(1000, 0, c.serverMedia()); // in case the bridge sends from another leg than the music
        awaitNanos(tb + 3_500_000_000L);
        long from = tb + 1_000_000_000L;
        long to = tb + 3_500_000_000L;
        Audio.checkTone(name + ": retriever hears the caller " + c.user(),
                Audio.window(retriever.packets(), from, to), 1000,
                600);
        Audio.checkTone(name + ": caller " + c.user() + " hears the retriever",
                Audio.window(c.rtp().packets(), from, to), 600,
                1000);
        System.out.printf("[systests] %s: %s connected, retriever's first packet %d ms after its INVITE, caller "
                + "re-INVITEs during the retrieve: %d%n", name, c.user(), (tb - t0) / 1_000_000,
                c.reInvitesSince(0).size() - invitesBefore);
        ret.assertSucceeded();
        assertTrue(ret.logLines().stream().anyMatch(l -> l.startsWith("OWN-BYE")), ret::diagnostics);
        long deadline = System.currentTimeMillis() + 5_000;
        while (c.serverByes() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(1, c.serverByes(), () -> name + ": the caller gets a BYE when the retriever hangs up\n"
                + c.sipp().diagnostics());
        c.rtp().stopTone();
        c.sipp().assertSucceeded();
    }

    /** {@code park:hangup} of each of {@code which} (by its row in park:list): each gets a BYE, none is left. */
    static void hangUpAll(AssemblyServer server, List<Caller> which, String prefix) throws Exception {
        ParkList l = awaitList(server, x -> x.withCaller(prefix).size() == which.size(), 10_000);
        List<String> cmds = new ArrayList<>();
        for (Caller c : which) {
            List<ParkList.Row> rows = l.withCaller(c.user());
            assertEquals(1, rows.size(), c.user() + " listed once:\n" + l.text());
            cmds.add("park:hangup " + rows.get(0).cells().get("Call"));
        }
        long t0 = System.nanoTime();
        String out = shell(server, String.join("\n", cmds));
        long deadline = System.currentTimeMillis() + 10_000;
        while (which.stream().anyMatch(c -> c.serverByes() == 0) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        for (Caller c : which) {
            assertEquals(1, c.serverByes(), () -> "park:hangup of " + c.user() + " (printed: " + out + ") sends it a "
                    + "BYE\n" + c.sipp().diagnostics());
            c.sipp().assertSucceeded();
        }
        System.out.printf("[systests] park:hangup of %d calls: every caller got its BYE within %d ms%n", which.size(),
                (System.nanoTime() - t0) / 1_000_000);
        ParkList after = awaitList(server, x -> x.withCaller(prefix).isEmpty(), 10_000);
        assertTrue(after.withCaller(prefix).isEmpty(), "nothing left parked:\n" + after.text());
    }

    // ------------------------------------------------------------------------------------------------- RTP

    /** Waits until every caller received at least 40 packets within the last second; fails at the deadline. */
    static void awaitMusic(List<Caller> callers, long deadlineNanos, String what) throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            List<Caller> silent = callers.stream().filter(c -> c.rtp().packetsSince(now - 1_000_000_000L).size() < 40)
                    .toList();
            if (silent.isEmpty()) {
                return;
            }
            if (now > deadlineNanos) {
                fail(what + ": " + silent.size() + " callers without music (>= 40 packets/s): " + silent.stream()
                        .map(c -> c.user() + " " + c.rtp().packetsSince(now - 1_000_000_000L).size() + "/s")
                        .collect(Collectors.joining(", ")) + "\n" + silent.get(0).sipp().diagnostics());
            }
            Thread.sleep(100);
        }
    }

    /** The longest time without a packet between {@code fromNanos} and {@code toNanos} (edges count). */
    static long longestGapMillis(List<RtpPeer.Packet> packets, long fromNanos, long toNanos) {
        long prev = fromNanos;
        long max = 0;
        for (RtpPeer.Packet p : packets) {
            if (p.nanos() < fromNanos || p.nanos() > toNanos) {
                continue;
            }
            max = Math.max(max, p.nanos() - prev);
            prev = p.nanos();
        }
        max = Math.max(max, toNanos - prev);
        return max / 1_000_000;
    }

    /**
     * Whether the RTP a caller received from the last packet before {@code fromNanos} up to {@code toNanos} is one
     * unbroken stream: same source, same SSRC, each sequence number one more than the last. Null if so, else where
     * it broke first.
     */
    static String streamBreak(List<RtpPeer.Packet> packets, long fromNanos, long toNanos) {
        RtpPeer.Packet prev = null;
        for (RtpPeer.Packet p : packets) {
            if (p.nanos() > toNanos) {
                break;
            }
            if (p.nanos() < fromNanos) {
                prev = p;
                continue;
            }
            if (prev != null) {
                long at = (p.nanos() - fromNanos) / 1_000_000;
                if (!p.source().equals(prev.source()) || p.ssrc() != prev.ssrc()) {
                    return String.format("new stream at %d ms: %s SSRC %08x -> %s SSRC %08x", at, prev.source(),
                            prev.ssrc(), p.source(), p.ssrc());
                }
                if (p.seq() != ((prev.seq() + 1) & 0xFFFF)) {
                    return String.format("sequence %d -> %d at %d ms", prev.seq(), p.seq(), at);
                }
            }
            prev = p;
        }
        return null;
    }

    /** Where a caller's longest silence lies (ms after {@code fromNanos}) and the packet sources around it. */
    static String silenceDetail(Caller c, long fromNanos, long toNanos) {
        List<RtpPeer.Packet> ps = Audio.window(c.rtp().packets(), fromNanos, toNanos);
        long prev = fromNanos;
        long max = -1;
        long start = fromNanos;
        String before = "-";
        String after = "-";
        for (RtpPeer.Packet p : ps) {
            if (p.nanos() - prev > max) {
                max = p.nanos() - prev;
                start = prev;
                after = p.source() + " seq " + p.seq();
            }
            prev = p.nanos();
        }
        for (RtpPeer.Packet p : ps) {
            if (p.nanos() <= start) {
                before = p.source() + " seq " + p.seq();
            }
        }
        return String.format("%s: silence from %d ms to %d ms after the step began (last packet before: %s, first "
                + "after: %s), sources %s", c.user(), (start - fromNanos) / 1_000_000, (start + max - fromNanos)
                        / 1_000_000, before, after, ps.stream().map(p -> p.source().toString()).distinct().toList());
    }

    static void awaitNanos(long until) throws InterruptedException {
        while (System.nanoTime() < until) {
            Thread.sleep(Math.max(1, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    // ------------------------------------------------------------------------------------------------- server

    /** The shipped directory with recall timers of an hour: no parked call is recalled while a test runs. */
    static String directoryWithoutRecalls() {
        Path f = Path.of(System.getProperty("systests.assembly", "../karaf-assembly/target/assembly"),
                "etc/org.callpark.directory.cfg");
        try {
            return Files.readString(f, StandardCharsets.UTF_8)
                    .replaceAll("(?m)^(\\S+\\.(ringDuration|waitBeforeRingGroup))\\s*=.*$", "$1 = 3600");
        } catch (IOException e) {
            throw new UncheckedIOException("no directory in the assembly: " + f, e);
        }
    }

    /** {@code park:list} parsed (the table of {@link ClusterST.ParkList}). */
    static final class ParkList {
        private final ClusterST.ParkList list;

        private ParkList(ClusterST.ParkList list) {
            this.list = list;
        }

        static ParkList parse(String text) {
            return new ParkList(ClusterST.ParkList.parse(text));
        }

        String text() {
            return list.text();
        }

        List<Row> rows() {
            return list.rows().stream().map(r -> new Row(r.cells())).toList();
        }

        List<Row> withCaller(String fragment) {
            return rows().stream().filter(r -> r.caller().contains(fragment)).toList();
        }

        record Row(java.util.Map<String, String> cells) {
            String caller() {
                return cells.getOrDefault("Caller", "");
            }
        }
    }

    /** Polls {@code park:list} until {@code condition} holds (bounded); returns the last listing. */
    static ParkList awaitList(AssemblyServer server, Predicate<ParkList> condition, long timeoutMillis)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        ParkList l;
        do {
            l = ParkList.parse(shell(server, "park:list"));
            if (condition.test(l)) {
                break;
            }
            Thread.sleep(300);
        } while (System.currentTimeMillis() < deadline);
        return l;
    }

    /**
     * {@link AssemblyServer#shell} without {@code bin/client}'s own warning line ("JAVA_HOME not set") and without
     * ANSI colours.
     */
    static String shell(AssemblyServer server, String command) throws Exception {
        return server.shell(command).replaceAll("\u001B\\[[;\\d]*m", "").lines()
                .filter(l -> !l.startsWith("client: JAVA_HOME not set")).collect(Collectors.joining("\n"));
    }

    static String tailOf(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
