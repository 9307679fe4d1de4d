package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Several assemblies on this machine as one Hazelcast cluster ({@link AssemblyServer#clusterNode}), and a parked call
 * that moves between them: the node that takes a call over sends the caller an in-dialog re-INVITE (its own Contact,
 * its own RTP address in the SDP), plays the hold music from then on and gets the caller's later BYE. Callers are
 * sipp ({@code park_movable.xml}: answers any number of re-INVITEs, re-targets itself to the latest Contact;
 * {@code park_unmovable.xml}: answers 488) with a Java RTP socket each; what is asserted is what a user notices: RTP
 * packets per second at the caller and where they come from, the SIP messages sipp saw, {@code park:list}.
 *
 * <p>One cluster of three nodes A, B, C (backup count 2) serves every test, in this order: started in parallel before
 * the first (35–55 s on two cores), a node killed by a test is started again (fresh copy,
 * {@code target/server-ClusterST-node<i>-<test>}, 10–25 s) before the next one, calls a failed test left parked are
 * hung up ({@code park:hangup}) after it, the nodes are stopped after the class. Calls are parked at A (and B); where
 * they go is the server's choice among the others, except for the cross-node retrieve (at B). Bounds: a takeover
 * after a crash within {@code -Dsystests.cluster.recoveryMillis} (30 s), the longest music gap of a planned move
 * ({@code park:drain}) {@code -Dsystests.cluster.drainGapMillis} (1000 ms). Figures are printed as
 * {@code [systests] ...}; the whole class takes about 3 minutes when the moves work.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterST {

    private static final long RECOVERY_MS = Long.getLong("systests.cluster.recoveryMillis", 30_000);
    private static final long DRAIN_GAP_MS = Long.getLong("systests.cluster.drainGapMillis", 1_000);
    private static final int CALLERS = 50;
    private static final Pattern TO_USER = Pattern.compile("(?m)^To:.*?sip:([^@;>]+)@");
    private static final Pattern CONTACT = Pattern.compile("(?m)^Contact:.*?@([0-9.]+):(\\d+)");
    private static final Pattern SDP_C = Pattern.compile("(?m)^c=IN IP4 ([0-9.]+)");
    private static final Pattern SDP_M = Pattern.compile("(?m)^m=audio (\\d+) ");
    private static final Pattern CSEQ = Pattern.compile("(?m)^CSeq:\\s*(\\d+)");

    private static final int NODES = 3;
    private static final List<AssemblyServer> CLUSTER = new ArrayList<>();

    private final List<Sipp> sipps = new ArrayList<>();
    private final List<RtpPeer> rtps = new ArrayList<>();

    /** A, B, C all running and in one cluster: started before the first test, killed ones started again. */
    @BeforeEach
    void cluster(TestInfo test) throws Exception {
        long t0 = System.nanoTime();
        if (CLUSTER.isEmpty()) {
            String clusterName = "systests-cluster-" + UUID.randomUUID();
            String directory = directoryWithoutRecalls();
            for (int i = 0; i < NODES; i++) {
                CLUSTER.add(AssemblyServer.clusterNode(i, clusterName, NODES).backupCount(2)
                        .etcFile("org.callpark.directory.cfg", directory));
            }
            AssemblyServer.startAll("ClusterST", CLUSTER);
        } else {
            String tag = test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("restart");
            List<CompletableFuture<Void>> restarts = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                AssemblyServer node = CLUSTER.get(i);
                if (!node.isRunning()) {
                    String name = "ClusterST-node" + i + "-" + tag;
                    restarts.add(CompletableFuture.runAsync(() -> {
                        node.stop(); // forgets a killed JVM; its directory stays for its logs
                        try {
                            node.start(name);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
            }
            if (restarts.isEmpty()) {
                return;
            }
            restarts.forEach(CompletableFuture::join);
        }
        for (AssemblyServer node : CLUSTER) {
            assertTrue(node.awaitClusterSize(NODES, 30_000), () -> "node " + node.memberAddress() + " logged a cluster"
                    + " of " + node.loggedClusterSize() + ", not " + NODES + "\n" + AssemblyServer.tail(node.home()
                            .resolve("data/log/karaf.log")));
        }
        System.out.printf("[systests] cluster: %d nodes running and in one cluster after %d ms (%s)%n", NODES,
                (System.nanoTime() - t0) / 1_000_000, CLUSTER.stream().map(s -> s.memberAddress() + " SIP "
                        + s.sipPort() + " RTP " + s.rtpMin() + "-" + s.rtpMax()).collect(Collectors.joining(", ")));
    }

    /** Ends the test's sipps and RTP sockets, and hangs up whatever calls a failed test left parked. */
    @AfterEach
    void tearDown() throws Exception {
        for (Sipp s : sipps) {
            long stray;
            try {
                stray = s.logLines().stream().filter(l -> l.startsWith("STRAY-482")).count();
            } catch (IOException | RuntimeException e) {
                continue; // never started
            }
            if (stray > 0) {
                System.out.printf("[systests] %s: %d calls got a stray 482 (Loop Detected) to their retransmitted "
                        + "INVITE after its 200 (ignored, as a phone would)%n", s.name(), stray);
            }
        }
        sipps.forEach(Sipp::kill);
        rtps.forEach(RtpPeer::close);
        AssemblyServer node = CLUSTER.stream().filter(AssemblyServer::isRunning).findFirst().orElse(null);
        if (node == null) {
            return;
        }
        ParkList left = ParkList.parse(node.shell("park:list"));
        if (!left.rows().isEmpty()) {
            String cmds = left.rows().stream().map(r -> "park:hangup " + r.cells().get("Call"))
                    .collect(Collectors.joining("\n"));
            node.shell(cmds);
            ParkList after = ParkList.parse(node.shell("park:list"));
            System.out.printf("[systests] cleanup: hung up %d calls left parked, %d still listed%n",
                    left.rows().size(), after.rows().size());
        }
    }

    @AfterAll
    static void stopCluster() {
        AssemblyServer.stopAll(CLUSTER);
        for (AssemblyServer n : CLUSTER) {
            assertFalse(n.isRunning(), "node on SIP port " + n.sipPort() + " still running after stop");
        }
        CLUSTER.clear();
    }

    // ------------------------------------------------------------------------------------------------- the tests

    /**
     * Parked at A, retrieved with {@code *88101} at B: the caller is re-INVITEd by B, B bridges; the customer's 1 kHz
     * reaches the retriever and the retriever's 600 Hz the customer (A plays nothing any more), and when the
     * retriever hangs up B sends the caller's BYE.
     */
    @Test
    @Order(1)
    void crossNodeRetrieveMovesTheCallerAndBridgesBothWays() throws Exception {
        AssemblyServer a = CLUSTER.get(0);
        AssemblyServer b = CLUSTER.get(1);
        RtpPeer customer = rtp();
        RtpPeer retriever = rtp();
        Sipp caller = track(Sipp.scenario("park_movable", a).service("*68101").name("xnode-caller").referredBy("101")
                .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 40_000)
                .set("MOVED_HOLD_MS", 40_000).timeout(70));
        caller.start();
        assertTrue(customer.awaitPackets(5, 5000), () -> "no hold music from A\n" + caller.diagnostics());
        assertFrom(a, customer.packets().get(0), "hold music before the retrieve");
        ParkList onB = awaitList(b, l -> l.withCaller("4930123").size() == 1, 10_000);
        assertEquals(1, onB.withCaller("4930123").size(), "the call parked at A is listed at B:\n" + onB.text());
        customer.startTone(1000, 0, customer.serverAddress());

        Sipp ret = track(Sipp.scenario("retrieve", b).service("*88101").name("xnode-retriever").from("Alice", "102")
                .auth("102", "pass102").media(retriever.port(), "PCMU").set("HOLD_MS", 6000).timeout(40));
        long t0 = System.nanoTime();
        ret.start();
        List<Move> moves = awaitMoves(caller, 1, 10_000);
        assertEquals(1, moves.size(), () -> "the caller got no re-INVITE after the retrieve at B\n"
                + caller.diagnostics() + ret.diagnostics());
        Move m = moves.get(0);
        assertEquals(b.sipPort(), m.contactPort(), "the re-INVITE's Contact is B's: " + m);
        System.out.printf("[systests] cross-node retrieve: re-INVITE from %s %d ms after the retrieve INVITE, "
                + "B's RTP %s%n", m.contact(), (m.epochMicros() - epochMicros(ret.startedNanos())) / 1000, m.media());
        customer.startTone(1000, 0, m.media()); // the caller now sends where B's SDP says
        assertTrue(retriever.awaitPackets(5, 10_000), () -> "the retriever hears nothing\n" + ret.diagnostics());
        long tb = retriever.packets().get(0).nanos();
        retriever.startTone(600, 0, retriever.serverAddress());
        System.out.printf("[systests] cross-node retrieve: retriever's first packet %d ms after its INVITE%n",
                (tb - t0) / 1_000_000);
        awaitNanos(tb + 3_500_000_000L);
        long from = tb + 1_000_000_000L;
        long to = tb + 3_500_000_000L;
        List<RtpPeer.Packet> heardByRetriever = Audio.window(retriever.packets(), from, to);
        List<RtpPeer.Packet> heardByCustomer = Audio.window(customer.packets(), from, to);
        assertTrue(heardByCustomer.stream().noneMatch(p -> inRange(a, p)),
                "A still sends RTP to the caller after the move: " + sources(heardByCustomer));
        assertTrue(heardByCustomer.stream().allMatch(p -> inRange(b, p)),
                "the caller's RTP after the move comes from B: " + sources(heardByCustomer));
        Audio.checkTone("retriever hears the customer", heardByRetriever, 1000, 600);
        Audio.checkTone("customer hears the retriever", heardByCustomer, 600, 1000);

        ret.assertSucceeded();
        caller.assertSucceeded();
        List<String> log = caller.logLines();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("SERVER-BYE") && l.endsWith(":" + b.sipPort())),
                "the caller's BYE comes from B when the retriever hangs up: " + log);
    }

    /**
     * {@code park:drain} at A with 50 parked: all 50 move to B or C (one re-INVITE each, no BYE), music from there
     * within 5 s, {@code park:list} shows B or C as their node, the callers' own BYEs are answered by their new node,
     * and (checked last, so that the rest is seen too) no caller's music gap was longer than
     * {@code systests.cluster.drainGapMillis}.
     */
    @Test
    @Order(2)
    void drainMovesEveryCallWithoutHangingUp() throws Exception {
        AssemblyServer a = CLUSTER.get(0);
        List<AssemblyServer> others = List.of(CLUSTER.get(1), CLUSTER.get(2));
        String prefix = "+4930220";
        Callers callers = parkMany(a, "drain-callers", CALLERS, prefix, 15_000);
        ParkList before = awaitList(CLUSTER.get(1), l -> l.withCaller(prefix).size() == CALLERS, 15_000);
        assertEquals(CALLERS, before.withCaller(prefix).size(), "all parked at A, listed at B:\n" + before.text());

        long drainNanos = System.nanoTime();
        long drainMicros = nowMicros();
        String out = a.shell("park:drain");
        long drainMillis = (System.nanoTime() - drainNanos) / 1_000_000;
        System.out.printf("[systests] drain: park:drain took %d ms and printed: %s%n", drainMillis, out.strip());
        assertTrue(out.contains("Moved " + CALLERS + " of " + CALLERS + " calls"), "park:drain output: " + out);

        Map<String, Move> moves = awaitFirstMoves(callers, 10_000);
        assertEquals(CALLERS, moves.size(), () -> "callers re-INVITEd: " + moves.size() + "\n"
                + callers.sipp().diagnostics());
        for (Move m : moves.values()) {
            assertTrue(others.stream().anyMatch(n -> n.sipPort() == m.contactPort()), "re-INVITE from B or C: " + m);
        }
        System.out.printf("[systests] drain: last re-INVITE %d ms after park:drain started (B: %d, C: %d)%n",
                (moves.values().stream().mapToLong(Move::epochMicros).max().orElseThrow() - drainMicros) / 1000,
                countFrom(moves, others.get(0)), countFrom(moves, others.get(1)));
        awaitMusic(callers, others, System.nanoTime() + 5_000_000_000L);
        Gap gap = reportGaps("drain", callers, moves, drainNanos, drainMicros); // asserted last: see everything else
        List<String> log = callers.sipp().logLines();
        assertTrue(log.stream().noneMatch(l -> l.startsWith("SERVER-BYE")), "no caller was hung up by the drain: "
                + log);
        assertEquals(CALLERS, callers.sipp().receivedByCseq("INVITE").size(), "exactly one re-INVITE per caller");

        ParkList after = awaitList(a, l -> l.withCaller(prefix).size() == CALLERS
                && l.withCaller(prefix).stream().allMatch(r -> isOneOf(r.node(), others)), 15_000);
        assertTrue(after.hasNodeColumn(), "park:list has a Node column:\n" + after.text());
        assertEquals(CALLERS, after.withCaller(prefix).stream().filter(r -> isOneOf(r.node(), others)).count(),
                "all 50 held by B or C (listed at A):\n" + after.text());

        callers.sipp().assertSucceeded();
        assertEquals(CALLERS, callers.sipp().logLines().stream().filter(l -> l.startsWith("OWN-BYE-200")).count(),
                "each caller's own BYE answered by its new node");
        gap.assertAtMost(DRAIN_GAP_MS);
    }

    /**
     * A caller that refuses the takeover (488 to the re-INVITE) after its node A was killed is hung up by the
     * survivor and leaves {@code park:list}; a second caller parked next to it moves normally (so a takeover did run).
     */
    @Test
    @Order(3)
    void aCallerThatRefusesTheTakeoverIsHungUpAndUnlisted() throws Exception {
        AssemblyServer a = CLUSTER.get(0);
        AssemblyServer b = CLUSTER.get(1);
        List<AssemblyServer> survivors = List.of(b, CLUSTER.get(2));
        RtpPeer refuserRtp = rtp();
        RtpPeer controlRtp = rtp();
        Sipp refuser = track(Sipp.scenario("park_unmovable", a).service("*68101").name("refuser").referredBy("101")
                .from("Refuser", "+4930555").media(refuserRtp.port(), "PCMU").set("HOLD_MS", 60_000)
                .set("MOVED_HOLD_MS", 15_000).timeout(90));
        Sipp control = track(Sipp.scenario("park_movable", a).service("*68102").name("control").referredBy("101")
                .from("Control", "+4930666").media(controlRtp.port(), "PCMU").set("HOLD_MS", 60_000)
                .set("MOVED_HOLD_MS", 30_000).timeout(90));
        refuser.start();
        control.start();
        assertTrue(refuserRtp.awaitPackets(5, 5000), refuser::diagnostics);
        assertTrue(controlRtp.awaitPackets(5, 5000), control::diagnostics);
        ParkList before = awaitList(b, l -> l.withCaller("4930555").size() == 1 && l.withCaller("4930666").size() == 1,
                10_000);
        assertEquals(1, before.withCaller("4930555").size(), before.text());

        long killMicros = nowMicros();
        a.kill9();
        List<Move> controlMoves = awaitMoves(control, 1, RECOVERY_MS);
        assertEquals(1, controlMoves.size(), () -> "the control caller was taken over\n" + control.diagnostics());
        List<Move> refused = awaitMoves(refuser, 1, RECOVERY_MS);
        assertEquals(1, refused.size(), () -> "the refusing caller got a re-INVITE\n" + refuser.diagnostics());
        assertTrue(survivors.stream().anyMatch(n -> n.sipPort() == refused.get(0).contactPort()),
                "re-INVITE from a survivor: " + refused.get(0));
        long byeDeadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < byeDeadline && refuser.logLines().stream()
                .noneMatch(l -> l.startsWith("SERVER-BYE"))) {
            Thread.sleep(100);
        }
        List<Sipp.Received> byes = refuser.receivedByCseq("BYE");
        assertEquals(1, byes.size(), () -> "the refusing caller gets a BYE within 10 s of its 488\n"
                + refuser.diagnostics());
        System.out.printf("[systests] refuse: re-INVITE %d ms, BYE %d ms after the kill; control caller re-INVITEd "
                + "after %d ms%n", (refused.get(0).epochMicros() - killMicros) / 1000,
                (byes.get(0).epochMicros() - killMicros) / 1000, (controlMoves.get(0).epochMicros() - killMicros)
                        / 1000);
        refuser.assertSucceeded();
        List<String> log = refuser.logLines();
        assertTrue(log.stream().noneMatch(l -> l.startsWith("OWN-BYE")), log::toString);

        ParkList after = awaitList(b, l -> l.withCaller("4930555").isEmpty(), 10_000);
        assertTrue(after.withCaller("4930555").isEmpty(), "the refused call left park:list:\n" + after.text());
        assertEquals(1, after.withCaller("4930666").size(), "the control call is still parked:\n" + after.text());
    }

    /**
     * 50 callers parked at A, A killed (SIGKILL): every caller is re-INVITEd by B or C, hears music again (≥ 40
     * packets/s from the survivor's RTP range), all 50 are listed at B with a survivor as their node, one is retrieved
     * at B and one at C, and the callers' own BYEs (MOVED_HOLD_MS after their re-INVITE) are answered by the
     * survivors.
     */
    @Test
    @Order(4)
    void kill9OfTheHoldingNodeMovesEveryCallToTheSurvivors() throws Exception {
        AssemblyServer a = CLUSTER.get(0);
        AssemblyServer b = CLUSTER.get(1);
        AssemblyServer cc = CLUSTER.get(2);
        List<AssemblyServer> survivors = List.of(b, cc);
        String prefix = "+4930210";
        Callers callers = parkMany(a, "kill9-callers", CALLERS, prefix, 25_000);
        ParkList before = awaitList(b, l -> l.withCaller(prefix).size() == CALLERS, 15_000);
        assertEquals(CALLERS, before.withCaller(prefix).size(), "all parked at A, listed at B:\n" + before.text());

        long killNanos = System.nanoTime();
        long killMicros = nowMicros();
        a.kill9();
        System.out.printf("[systests] kill9: node A (%s) killed%n", a.memberAddress());
        Map<String, Move> moves = awaitFirstMoves(callers, RECOVERY_MS);
        assertEquals(CALLERS, moves.size(), () -> "callers re-INVITEd within " + RECOVERY_MS + " ms of the kill: "
                + moves.size() + " of " + CALLERS + "\n" + callers.sipp().diagnostics());
        for (Move m : moves.values()) {
            assertTrue(survivors.stream().anyMatch(n -> n.sipPort() == m.contactPort()),
                    "re-INVITE from a survivor: " + m);
        }
        System.out.printf("[systests] kill9: %d callers re-INVITEd, first %d ms, last %d ms after the kill "
                + "(B: %d, C: %d)%n", moves.size(),
                (moves.values().stream().mapToLong(Move::epochMicros).min().orElseThrow() - killMicros) / 1000,
                (moves.values().stream().mapToLong(Move::epochMicros).max().orElseThrow() - killMicros) / 1000,
                countFrom(moves, b), countFrom(moves, cc));

        awaitMusic(callers, survivors, killNanos + RECOVERY_MS * 1_000_000L);
        reportGaps("kill9", callers, moves, killNanos, killMicros).assertAtMost(RECOVERY_MS);

        ParkList after = awaitList(b, l -> l.withCaller(prefix).size() == CALLERS
                && l.withCaller(prefix).stream().allMatch(r -> isOneOf(r.node(), survivors)), 15_000);
        List<ParkList.Row> rows = after.withCaller(prefix);
        assertEquals(CALLERS, rows.size(), "50 calls listed at B after the kill:\n" + after.text());
        assertTrue(after.hasNodeColumn(), "park:list has a Node column:\n" + after.text());
        for (ParkList.Row r : rows) {
            assertTrue(isOneOf(r.node(), survivors), "held by a survivor, not " + r.node() + ":\n" + after.text());
        }

        retrieveOne(b, "kill9-retrieve-at-B");
        retrieveOne(cc, "kill9-retrieve-at-C");
        ParkList left = awaitList(cc, l -> l.withCaller(prefix).size() == CALLERS - 2, 10_000);
        assertEquals(CALLERS - 2, left.withCaller(prefix).size(), "two retrieved:\n" + left.text());

        callers.sipp().assertSucceeded();
        List<String> log = callers.sipp().logLines();
        long ownByeAnswered = log.stream().filter(l -> l.startsWith("OWN-BYE-200")).count();
        long serverByes = log.stream().filter(l -> l.startsWith("SERVER-BYE")).count();
        System.out.printf("[systests] kill9: %d callers hung up themselves (200 from a survivor), %d were hung up by "
                + "the server after their retrieve%n", ownByeAnswered, serverByes);
        assertEquals(CALLERS - 2, ownByeAnswered, "the callers' own BYEs answered by the survivors");
        assertEquals(2, serverByes, "the two retrieved callers get the server's BYE");
        for (String l : log) {
            if (l.startsWith("OWN-BYE ")) {
                assertTrue(survivors.stream().anyMatch(n -> l.endsWith(":" + n.sipPort() + ";transport=udp")),
                        "own BYE to a survivor's Contact: " + l);
            }
        }
    }

    /**
     * Backup count 2, calls parked at A and at B, both killed at once: C holds every call (re-INVITEs from C, music
     * from C's RTP range, {@code park:list} at C shows C as the node of each, the callers' BYEs answered by C).
     */
    @Test
    @Order(5)
    void twoOfThreeKilledAtOnceTheThirdHoldsEveryCall() throws Exception {
        AssemblyServer a = CLUSTER.get(0);
        AssemblyServer b = CLUSTER.get(1);
        AssemblyServer cc = CLUSTER.get(2);
        int perNode = 15;
        Callers atA = parkMany(a, "kill2-at-A", perNode, "+4930230", 15_000);
        Callers atB = parkMany(b, "kill2-at-B", perNode, "+4930240", 15_000);
        Predicate<ParkList.Row> ours = r -> r.caller().contains("+4930230") || r.caller().contains("+4930240");
        ParkList before = awaitList(cc, l -> l.rows().stream().filter(ours).count() == 2 * perNode, 15_000);
        assertEquals(2 * perNode, before.rows().stream().filter(ours).count(), "listed at C:\n" + before.text());

        long killNanos = System.nanoTime();
        long killMicros = nowMicros();
        CompletableFuture<Void> ka = CompletableFuture.runAsync(() -> kill(a));
        CompletableFuture<Void> kb = CompletableFuture.runAsync(() -> kill(b));
        ka.join();
        kb.join();
        System.out.printf("[systests] kill2: A and B killed within %d ms%n", (System.nanoTime() - killNanos)
                / 1_000_000);
        for (Callers callers : List.of(atA, atB)) {
            Map<String, Move> moves = awaitFirstMoves(callers, RECOVERY_MS);
            assertEquals(perNode, moves.size(), () -> callers.name() + ": callers re-INVITEd within " + RECOVERY_MS
                    + " ms of the kill: " + moves.size() + " of " + perNode + "\n" + callers.sipp().diagnostics());
            for (Move m : moves.values()) {
                assertEquals(cc.sipPort(), m.contactPort(), "re-INVITE from C: " + m);
            }
            System.out.printf("[systests] kill2: %s last re-INVITE %d ms after the kill%n", callers.name(),
                    (moves.values().stream().mapToLong(Move::epochMicros).max().orElseThrow() - killMicros) / 1000);
            awaitMusic(callers, List.of(cc), killNanos + RECOVERY_MS * 1_000_000L);
            reportGaps("kill2 " + callers.name(), callers, moves, killNanos, killMicros).assertAtMost(RECOVERY_MS);
        }
        ParkList after = awaitList(cc, l -> l.rows().stream().filter(ours).count() == 2 * perNode
                && l.rows().stream().filter(ours).allMatch(r -> cc.memberAddress().equals(r.node())), 15_000);
        assertTrue(after.hasNodeColumn(), "park:list has a Node column:\n" + after.text());
        assertEquals(2 * perNode, after.rows().stream().filter(ours).filter(r -> cc.memberAddress().equals(r.node()))
                .count(), "C holds all:\n" + after.text());
        atA.sipp().assertSucceeded();
        atB.sipp().assertSucceeded();
        for (Callers callers : List.of(atA, atB)) {
            assertEquals(perNode, callers.sipp().logLines().stream().filter(l -> l.startsWith("OWN-BYE-200")).count(),
                    callers.name() + ": the callers' own BYEs answered by C");
        }
    }


    // ---------------------------------------------------------------------------------------------------- cluster

    /** The shipped directory with recall timers of an hour: no parked call is recalled while a test runs. */
    private static String directoryWithoutRecalls() throws IOException {
        Path f = Path.of(System.getProperty("systests.assembly", "../karaf-assembly/target/assembly"),
                "etc/org.callpark.directory.cfg");
        return Files.readString(f, StandardCharsets.UTF_8)
                .replaceAll("(?m)^(\\S+\\.(ringDuration|waitBeforeRingGroup))\\s*=.*$", "$1 = 3600");
    }

    private static void kill(AssemblyServer node) {
        try {
            node.kill9();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long countFrom(Map<String, Move> moves, AssemblyServer node) {
        return moves.values().stream().filter(m -> m.contactPort() == node.sipPort()).count();
    }

    private static boolean isOneOf(String node, Collection<AssemblyServer> servers) {
        return node != null && servers.stream().anyMatch(s -> s.memberAddress().equals(node));
    }

    // ---------------------------------------------------------------------------------------------------- callers

    private RtpPeer rtp() throws IOException {
        RtpPeer p = new RtpPeer("127.0.0.1");
        rtps.add(p);
        return p;
    }

    private Sipp track(Sipp s) {
        sipps.add(s);
        return s;
    }

    /** One parked caller of a {@link #parkMany} run: its number and RTP socket. */
    record Caller(String user, RtpPeer rtp) {
    }

    /** The callers of one sipp run, parked at {@code parkedAt}. */
    record Callers(String name, AssemblyServer parkedAt, Sipp sipp, Map<String, Caller> byUser) {
        Collection<Caller> all() {
            return byUser.values();
        }
    }

    /**
     * Parks {@code n} callers ({@code <prefix><2 digits>}, Referred-By 101, {@code *68101}) at {@code node} in one sipp
     * run (20 calls/s, an injection file gives each its number and RTP port), and waits until each hears music from
     * that node. They wait 60 s for a move, then {@code movedHoldMs} after their latest re-INVITE, then hang up.
     */
    private Callers parkMany(AssemblyServer node, String name, int n, String prefix, int movedHoldMs)
            throws Exception {
        Map<String, Caller> byUser = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("SEQUENTIAL\n");
        for (int i = 0; i < n; i++) {
            Caller caller = new Caller(String.format("%s%02d", prefix, i), rtp());
            byUser.put(caller.user(), caller);
            csv.append(caller.rtp().port()).append(';').append(caller.user()).append(";\n");
        }
        Path inf = Path.of("target", "cluster", name + "-" + System.nanoTime() + ".csv").toAbsolutePath();
        Files.createDirectories(inf.getParent());
        Files.writeString(inf, csv);
        Sipp sipp = track(Sipp.scenario("park_movable", node).service("*68101").name(name).referredBy("101")
                .from("Customer", "[field1]").set("RTP_PORT", "[field0]").set("HOLD_MS", 60_000)
                .set("MOVED_HOLD_MS", movedHoldMs).calls(n).timeout(150)
                .args("-inf", inf.toString(), "-r", "20", "-l", Integer.toString(n)));
        long t0 = System.nanoTime();
        sipp.start();
        long deadline = System.currentTimeMillis() + 15_000 + n * 100L;
        for (Caller caller : byUser.values()) {
            assertTrue(caller.rtp().awaitPackets(5, Math.max(1, deadline - System.currentTimeMillis())),
                    () -> "no hold music for " + caller.user() + "\n" + sipp.diagnostics());
            assertFrom(node, caller.rtp().packets().get(0), "hold music of " + caller.user());
        }
        System.out.printf("[systests] %s: %d callers parked at %s, all hear music after %d ms%n", name, n,
                node.memberAddress(), (System.nanoTime() - t0) / 1_000_000);
        return new Callers(name, node, sipp, byUser);
    }

    /** A re-INVITE a caller received: when, from which Contact, with which RTP address. */
    record Move(long epochMicros, String callId, String user, int cseq, String contact, int contactPort,
            InetSocketAddress media) {
    }

    private static List<Move> moves(Sipp sipp) throws IOException {
        List<Move> out = new ArrayList<>();
        for (Sipp.Received r : sipp.receivedByCseq("INVITE")) {
            String msg = r.message();
            Matcher user = TO_USER.matcher(msg);
            Matcher contact = CONTACT.matcher(msg);
            Matcher c = SDP_C.matcher(msg);
            Matcher m = SDP_M.matcher(msg);
            Matcher cseq = CSEQ.matcher(msg);
            if (!(user.find() && contact.find() && c.find() && m.find() && cseq.find())) {
                fail("re-INVITE without To user, Contact host:port, SDP c=/m= or CSeq:\n" + msg);
            }
            out.add(new Move(r.epochMicros(), r.callId(), user.group(1), Integer.parseInt(cseq.group(1)),
                    contact.group(1) + ":" + contact.group(2), Integer.parseInt(contact.group(2)),
                    new InetSocketAddress(c.group(1), Integer.parseInt(m.group(1)))));
        }
        return out;
    }

    /** Waits (bounded) until sipp received {@code n} re-INVITEs and answered them (their ACK came). */
    private static List<Move> awaitMoves(Sipp sipp, int n, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        List<Move> ms;
        do {
            ms = moves(sipp);
            long acked = sipp.logLines().stream().filter(l -> l.startsWith("REINVITE-ACK")
                    || l.startsWith("REFUSED-MOVE-ACK")).count();
            if (ms.size() >= n && acked >= n) {
                return ms;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        return ms;
    }

    /** Waits (bounded) until every caller got a re-INVITE; returns each caller's first one. */
    private static Map<String, Move> awaitFirstMoves(Callers callers, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Map<String, Move> first;
        do {
            first = new LinkedHashMap<>();
            for (Move m : moves(callers.sipp())) {
                if (callers.byUser().containsKey(m.user())) {
                    first.putIfAbsent(m.user(), m);
                }
            }
            long acked = callers.sipp().logLines().stream().filter(l -> l.startsWith("REINVITE-ACK")).count();
            if (first.size() == callers.byUser().size() && acked >= first.size()) {
                return first;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        return first;
    }

    // ---------------------------------------------------------------------------------------------------- RTP

    /**
     * Waits until every caller received at least 40 packets within the last second, all of that second's packets
     * from the RTP range of one of {@code from}; fails at {@code deadlineNanos}.
     */
    private static void awaitMusic(Callers callers, List<AssemblyServer> from, long deadlineNanos) throws Exception {
        Set<String> waiting = new java.util.TreeSet<>(callers.byUser().keySet());
        while (true) {
            long now = System.nanoTime();
            waiting.removeIf(u -> {
                List<RtpPeer.Packet> last = callers.byUser().get(u).rtp().packetsSince(now - 1_000_000_000L);
                return last.size() >= 40 && last.stream().allMatch(p -> from.stream().anyMatch(n -> inRange(n, p)));
            });
            if (waiting.isEmpty()) {
                return;
            }
            if (now > deadlineNanos) {
                String detail = waiting.stream().limit(5).map(u -> {
                    List<RtpPeer.Packet> last = callers.byUser().get(u).rtp().packetsSince(now - 1_000_000_000L);
                    return u + ": " + last.size() + " pkt/s from " + sources(last);
                }).collect(Collectors.joining("; "));
                fail(waiting.size() + " of " + callers.byUser().size() + " callers of " + callers.name()
                        + " without music (>= 40 pkt/s) from " + from.stream().map(AssemblyServer::memberAddress)
                                .toList() + ": " + detail);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Prints each caller's re-INVITE delay and longest gap between music packets since {@code sinceNanos - 1 s}, the
     * time line of the worst callers (last packet from the node they were parked at, re-INVITE, first packet from
     * elsewhere, where the longest gap lies; ms after {@code since}). Returns the longest gap of all callers and whose
     * it is.
     */
    private static Gap reportGaps(String what, Callers callers, Map<String, Move> moves, long sinceNanos,
            long sinceMicros) {
        long now = System.nanoTime();
        Map<String, Long> gaps = new LinkedHashMap<>();
        for (Caller c : callers.all()) {
            long gap = longestGapMillis(c.rtp().packets(), sinceNanos - 1_000_000_000L, now);
            gaps.put(c.user(), gap);
            Move m = moves.get(c.user());
            System.out.printf("[systests] %s: caller %s re-INVITE from %s after %d ms, longest music gap %d ms%n",
                    what, c.user(), m == null ? "-" : m.contact(), m == null ? -1 : (m.epochMicros() - sinceMicros)
                            / 1000, gap);
        }
        List<String> byGap = gaps.keySet().stream().sorted((x, y) -> Long.compare(gaps.get(y), gaps.get(x))).toList();
        for (String user : byGap.subList(0, Math.min(3, byGap.size()))) {
            List<RtpPeer.Packet> ps = callers.byUser().get(user).rtp().packets();
            long lastOld = ps.stream().filter(p -> inRange(callers.parkedAt(), p)).mapToLong(RtpPeer.Packet::nanos)
                    .max().orElse(-1);
            long firstNew = ps.stream().filter(p -> p.nanos() >= sinceNanos && !inRange(callers.parkedAt(), p))
                    .mapToLong(RtpPeer.Packet::nanos).min().orElse(-1);
            Move m = moves.get(user);
            long gapEnd = longestGapEndNanos(ps, sinceNanos - 1_000_000_000L, now);
            System.out.printf("[systests] %s: worst %s: gap %d ms (%d..%d ms); last packet from %s at %s ms, "
                    + "re-INVITE at %s ms, first packet from elsewhere at %s ms%n", what, user, gaps.get(user),
                    (gapEnd - sinceNanos) / 1_000_000 - gaps.get(user), (gapEnd - sinceNanos) / 1_000_000,
                    callers.parkedAt().memberAddress(), lastOld < 0 ? "-" : (lastOld - sinceNanos) / 1_000_000,
                    m == null ? "-" : (m.epochMicros() - sinceMicros) / 1000,
                    firstNew < 0 ? "-" : (firstNew - sinceNanos) / 1_000_000);
        }
        long[] sorted = gaps.values().stream().mapToLong(Long::longValue).sorted().toArray();
        String worstUser = byGap.get(0);
        long worst = gaps.get(worstUser);
        System.out.printf("[systests] %s: longest music gap per caller: median %d ms, max %d ms (%s)%n", what,
                sorted[sorted.length / 2], worst, worstUser);
        return new Gap(what, worst, worstUser);
    }

    /** The longest music gap of a group of callers. */
    record Gap(String what, long millis, String user) {
        void assertAtMost(long maxMillis) {
            assertTrue(millis <= maxMillis, what + ": longest music gap " + millis + " ms (" + user + ") > " + maxMillis
                    + " ms");
        }
    }

    /** When the longest gap of {@link #longestGapMillis} ended (nanoTime). */
    private static long longestGapEndNanos(List<RtpPeer.Packet> packets, long fromNanos, long toNanos) {
        long prev = fromNanos;
        long max = -1;
        long end = toNanos;
        for (RtpPeer.Packet p : packets) {
            if (p.nanos() < fromNanos || p.nanos() > toNanos) {
                continue;
            }
            if (p.nanos() - prev > max) {
                max = p.nanos() - prev;
                end = p.nanos();
            }
            prev = p.nanos();
        }
        return toNanos - prev > max ? toNanos : end;
    }

    private static long longestGapMillis(List<RtpPeer.Packet> packets, long fromNanos, long toNanos) {
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

    private static boolean inRange(AssemblyServer node, RtpPeer.Packet p) {
        int port = p.source().getPort();
        return port >= node.rtpMin() && port <= node.rtpMax();
    }

    private static void assertFrom(AssemblyServer node, RtpPeer.Packet p, String what) {
        assertTrue(inRange(node, p), what + " comes from " + p.source() + ", not from " + node.memberAddress()
                + "'s RTP range " + node.rtpMin() + "-" + node.rtpMax());
    }

    private static String sources(List<RtpPeer.Packet> ps) {
        return ps.stream().map(p -> p.source().toString()).distinct().collect(Collectors.joining(", ", "[", "]"));
    }

    private static void awaitNanos(long until) throws InterruptedException {
        while (System.nanoTime() < until) {
            Thread.sleep(Math.max(1, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** The epoch µs of a {@link System#nanoTime()} instant in the past. */
    private static long epochMicros(long nanos) {
        return nowMicros() - (System.nanoTime() - nanos) / 1000;
    }

    // ---------------------------------------------------------------------------------------------------- retrieve

    /** {@code *88101} at {@code node} as 102: answered 200 (sipp's scenario succeeds), then hung up by 102. */
    private void retrieveOne(AssemblyServer node, String name) throws Exception {
        RtpPeer r = rtp();
        Sipp s = track(Sipp.scenario("retrieve", node).service("*88101").name(name).from("Alice", "102")
                .auth("102", "pass102").media(r.port(), "PCMU").set("HOLD_MS", 1500).timeout(30));
        long t0 = System.nanoTime();
        s.run();
        assertTrue(s.logLines().stream().anyMatch(l -> l.contains("OWN-BYE")), s::diagnostics);
        System.out.printf("[systests] %s: retrieved at %s in %d ms (incl. 1.5 s talk)%n", name, node.memberAddress(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    // ---------------------------------------------------------------------------------------------------- park:list

    /** {@code park:list} as a table: header names, rows as name → cell. */
    record ParkList(String text, List<String> columns, List<Row> rows) {

        record Row(Map<String, String> cells) {
            String caller() {
                return cells.getOrDefault("Caller", "");
            }

            /** The {@code Node} column (the holding member's Hazelcast address), null without that column. */
            String node() {
                return cells.get("Node");
            }
        }

        boolean hasNodeColumn() {
            return columns.contains("Node");
        }

        List<Row> withCaller(String fragment) {
            return rows.stream().filter(r -> r.caller().contains(fragment)).toList();
        }

        static ParkList parse(String text) {
            List<String> lines = text.lines().toList();
            int header = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("|") && lines.get(i).contains("Caller")) {
                    header = i;
                    break;
                }
            }
            if (header < 0) {
                return new ParkList(text, List.of(), List.of());
            }
            List<String> columns = Arrays.stream(lines.get(header).split("\\|")).map(String::trim).toList();
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(header + 1, lines.size())) {
                String[] cells = line.split("\\|", -1);
                if (cells.length != columns.size() || line.matches("[-+\\s]+")) {
                    continue;
                }
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 0; i < cells.length; i++) {
                    m.put(columns.get(i), cells[i].trim());
                }
                rows.add(new Row(m));
            }
            return new ParkList(text, columns, rows);
        }
    }

    /** Polls {@code park:list} at {@code node} until {@code condition} holds (bounded); returns the last listing. */
    private static ParkList awaitList(AssemblyServer node, Predicate<ParkList> condition, long timeoutMillis)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        ParkList l;
        do {
            l = ParkList.parse(node.shell("park:list"));
            if (condition.test(l)) {
                break;
            }
            Thread.sleep(300);
        } while (System.currentTimeMillis() < deadline);
        System.out.printf("[systests] park:list at %s: %d rows%s%n", node.memberAddress(), l.rows().size(),
                l.rows().size() <= 3 ? "\n" + l.text().strip() : " (first: " + (l.rows().isEmpty() ? "-"
                        : l.rows().get(0).cells()) + ")");
        return l;
    }
}
