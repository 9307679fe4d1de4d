package org.callpark.internal.sip;

import static org.callpark.internal.sip.SipTests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.callpark.internal.TestCluster;
import org.callpark.internal.store.HazelcastSlotStore;
import org.callpark.spi.NodeDrain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Parked calls that belong to the cluster, not to a node: two nodes in one JVM, each a real Hazelcast member, the real
 * park core on a {@link HazelcastSlotStore}, a recording media controller with real UDP ports and its own SIP server;
 * sipp callers that accept (or refuse) the takeover re-INVITE. Each test builds its own two nodes (a test kills one).
 */
class ClusterSipTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final String LOCAL = "127.0.0.1";
    private static final TenantId DEFAULT = TenantId.DEFAULT;

    /** One node: member, core, media, SIP server. */
    static final class Node {
        final HazelcastInstance hz;
        final String id;
        final SipTestCore core;
        final RecordingMedia media = new RecordingMedia();
        SipServer server;
        final int port;
        final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());
        boolean dead;

        final SessionJournal journal;

        Node(HazelcastInstance hz, int port) {
            this(hz, port, null);
        }

        Node(HazelcastInstance hz, int port, SessionJournal journal) {
            this.journal = journal;
            this.hz = hz;
            this.id = hz.getCluster().getLocalMember().getUuid().toString();
            this.core = SipTestCore.clustered(new HazelcastSlotStore(hz, id));
            this.port = port;
            TestSipConfig sip = new TestSipConfig();
            sip.port = port;
            sip.minSessionExpires = 10; // only park_move_timer(_uas) ask for a session interval (10 s)
            server = new SipServer(core.service(), core.directory(), media, new Registrations(() -> hz), () -> id,
                    () -> hz, journal, sip, k -> null, k -> null);
            core.setCarrier(server.carrier());
            core.addListener(server);
            core.addListener(events::add);
        }

        /** Dies as kill -9 would: the member vanishes, nothing is sent. */
        void kill() {
            dead = true;
            hz.getLifecycleService().terminate();
            server.deactivate(); // the stack closes; the node's calls are left to the cluster (no BYE, no ending)
            core.close();
            media.shutdown();
        }

        void stop() {
            if (!dead) {
                dead = true;
                if (server != null) {
                    server.deactivate();
                }
                core.close();
                media.shutdown();
                hz.shutdown();
            }
        }

        boolean seen(ParkEvent.Type type) {
            synchronized (events) {
                return events.stream().anyMatch(e -> e.type() == type);
            }
        }
    }

    private Node a;
    private Node b;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @BeforeEach
    void startTwoNodes() throws Exception {
        String cluster = "callpark-cluster-test-" + UUID.randomUUID();
        int hzA = TestCluster.freePort(21701 + ThreadLocalRandom.current().nextInt(300));
        int hzB = TestCluster.freePort(hzA + 2);
        List<String> members = List.of(LOCAL + ":" + hzA, LOCAL + ":" + hzB);
        HazelcastInstance ha = TestCluster.member(cluster, members, hzA);
        HazelcastInstance hb = TestCluster.member(cluster, members, hzB);
        int sipA = TestCluster.freePort(27060 + ThreadLocalRandom.current().nextInt(300) * 2);
        a = new Node(ha, sipA, new SessionJournal(java.nio.file.Files.createTempDirectory("callpark-journal")));
        b = new Node(hb, TestCluster.freePort(sipA + 2));
        await(() -> ha.getCluster().getMembers().size() == 2, "two members");
    }

    @AfterEach
    void stopNodes() {
        for (Node n : new Node[] {a, b}) {
            if (n != null && !n.dead) {
                try {
                    SipTests.endAll(n.core.service());
                } catch (ParkException | RuntimeException e) {
                    // the cluster is going anyway
                }
            }
        }
        if (a != null) {
            a.stop();
        }
        if (b != null) {
            b.stop();
        }
    }

    private Sipp caller(Node at, String scenario, String name) {
        return Sipp.scenario(scenario, at.port).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer").key("referrer", "101").service("*68101").name(name).timeout(40);
    }

    private ParkedCall parkedAt(Node node, int count) throws Exception {
        await(() -> {
            try {
                return node.core.service().list(SlotId.extension(DEFAULT, "101")).size() >= count;
            } catch (ParkException e) {
                return false;
            }
        }, count + " call(s) parked");
        ParkedCall call = node.core.service().list(SlotId.extension(DEFAULT, "101")).get(count - 1);
        await(() -> node.media.log.contains("hold " + call.leg()), "the caller answered (music)");
        return call;
    }

    private static ParkedCall current(Node node, String callId) throws ParkException {
        return node.core.service().find(callId).orElseThrow(() -> new AssertionError("call " + callId + " gone"));
    }

    @Test
    void retrieveAtAnotherNodeMovesTheCallerThereAndBridgesIt() throws Exception {
        Sipp parked = caller(a, "park_move", "parked").start();
        ParkedCall call = parkedAt(a, 1);
        assertEquals(a.id, call.node(), "parked at A");

        Sipp retriever = Sipp.scenario("retrieve", b.port).service("*88101").key("domain", LOCAL)
                .key("from_user", "102").key("from_name", "Alice").auth("102", "pass102").name("retrieve-at-b")
                .pause(1000);
        retriever.run();
        parked.run(); // got B's re-INVITE, answered it, then the BYE after the retriever hung up

        await(() -> b.seen(ParkEvent.Type.RETRIEVED), "RETRIEVED");
        assertTrue(a.media.log.contains("close " + call.leg()), "A let its leg go: " + a.media.log);
        String bridge = b.media.log.stream().filter(l -> l.startsWith("bridge ")).findFirst()
                .orElseThrow(() -> new AssertionError("no bridge on B: " + b.media.log));
        String movedLeg = bridge.split(" ")[1];
        assertTrue(b.media.log.contains("connect " + movedLeg + " PCMA " + 0) || b.media.log.stream()
                .anyMatch(l -> l.startsWith("connect " + movedLeg + " PCMA")), "the moved leg took the caller's "
                + "answer (PCMA): " + b.media.log);
        assertEquals(1, parked.received("INVITE").size(), "exactly one re-INVITE reached the caller");
        assertFalse(a.seen(ParkEvent.Type.FAILED), "no call failed");
        // moved and taken in one compare-and-set: the cluster never saw the call parked at B (the MOVED event of
        // B's claim still names A as its carrier)
        assertTrue(b.events.stream().noneMatch(e -> e.type() == ParkEvent.Type.MOVED && b.id.equals(e.call().node())),
                "never parked at B: " + b.events);
        assertEquals(b.id, b.events.stream().filter(e -> e.type() == ParkEvent.Type.RETRIEVED).findFirst()
                .orElseThrow().call().node(), "taken at B, carried by B");
    }

    /**
     * The retriever stops waiting (3 s) just before the caller accepts the move (3.5 s): the caller must end up parked
     * at B with music — never taken for a retriever who is gone — and a second retrieve gets it.
     */
    @Test
    void aMoveTheRetrieverGaveUpOnLeavesTheCallParkedAtTheNewNode() throws Exception {
        Sipp slow = caller(a, "park_move_slow", "slow").start();
        ParkedCall call = parkedAt(a, 1);

        Sipp.scenario("retrieve_nothing", b.port).service("*88101").key("domain", LOCAL).key("from_user", "102")
                .key("from_name", "Alice").auth("102", "pass102").name("gave-up").timeout(20).run();
        await(() -> {
            try {
                ParkedCall now = current(b, call.id());
                return now.node().equals(b.id) && b.media.log.contains("hold " + now.leg());
            } catch (ParkException e) {
                return false;
            }
        }, "the call parked at B with B's music after the late 200");
        assertFalse(b.seen(ParkEvent.Type.RETRIEVED), "not taken for the retriever who gave up");
        assertTrue(current(b, call.id()).isLive());

        Sipp.scenario("retrieve", b.port).service("*88101").key("domain", LOCAL).key("from_user", "102")
                .key("from_name", "Alice").auth("102", "pass102").name("second-try").pause(500).run();
        await(() -> b.seen(ParkEvent.Type.RETRIEVED), "RETRIEVED by the second retriever");
        slow.run(); // one re-INVITE (answered late), then the BYE after the second retriever hung up
        assertEquals(1, slow.received("INVITE").size(), "exactly one re-INVITE reached the caller");
    }

    @Test
    void manyRetrievesAtOnceOfCallsCarriedByTheOtherNodeAllConnect() throws Exception {
        int n = 12; // more than the SIP stack's 8 listener threads: a retrieve waits for its caller's 200
        List<Sipp> callers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            callers.add(caller(a, "park_move", "many-" + i).start());
            parkedAt(a, i + 1);
        }
        long t0 = System.nanoTime();
        Sipp.scenario("retrieve", b.port).service("*88101").key("domain", LOCAL).key("from_user", "102")
                .key("from_name", "Alice").auth("102", "pass102").name("many-retrieves").pause(500).load(n, 200)
                .timeout(30).run();
        System.out.printf("[cluster] %d retrieves at once at B of calls carried by A: done in %d ms%n", n,
                (System.nanoTime() - t0) / 1_000_000);
        await(() -> b.events.stream().filter(e -> e.type() == ParkEvent.Type.RETRIEVED).count() == n,
                n + " RETRIEVED");
        for (Sipp s : callers) {
            s.run(); // re-INVITEd by B, bridged, hung up when the retriever hung up
        }
    }

    @Test
    void whenItsNodeDiesTheSurvivorReInvitesEveryCallerAndCarriesOn() throws Exception {
        int n = 3;
        List<Sipp> callers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            callers.add(caller(a, "park_move", "parked-" + i).start());
            parkedAt(a, i + 1);
        }
        long t0 = System.nanoTime();
        a.kill();
        await(() -> {
            try {
                List<ParkedCall> live = b.core.service().list();
                return live.size() == n && live.stream().allMatch(c -> c.node().equals(b.id));
            } catch (ParkException e) {
                return false;
            }
        }, "every call carried by B");
        System.out.printf("[cluster] %d calls taken over %d ms after the kill%n", n,
                (System.nanoTime() - t0) / 1_000_000);
        for (ParkedCall c : b.core.service().list()) {
            assertTrue(b.media.log.contains("hold " + c.leg()), "music from B for " + c.id() + ": " + b.media.log);
            assertEquals(ParkedCall.class, c.getClass());
        }
        // still retrievable from B
        Sipp.scenario("retrieve", b.port).service("*88101").key("domain", LOCAL).key("from_user", "102")
                .key("from_name", "Alice").auth("102", "pass102").name("retrieve-after-kill").pause(500).run();
        await(() -> b.seen(ParkEvent.Type.RETRIEVED), "RETRIEVED at B");
        for (ParkedCall c : b.core.service().list()) {
            b.core.service().end(c.id(), Resolution.FORCED);
        }
        for (Sipp s : callers) {
            s.run(); // each got one re-INVITE from B and, at the end, a BYE from B
            assertEquals(1, s.received("INVITE").size(), "one takeover re-INVITE");
        }
        assertFalse(b.seen(ParkEvent.Type.FAILED), "no call failed");
    }

    /**
     * Issue 14 R9 across nodes: the session interval is in the cluster record, so after A dies, B (which re-INVITEd
     * the caller) hangs up a caller that never refreshes, a full interval minus a third after its takeover.
     */
    @Test
    void theSurvivorEnforcesTheSessionTimerOfACallItTookOver() throws Exception {
        Sipp parked = caller(a, "park_move_timer", "timer-moved").start();
        ParkedCall call = parkedAt(a, 1);
        assertEquals(10, SipSession.of(call.session()).orElseThrow().sessionInterval(), call.session());
        a.kill();
        await(() -> {
            try {
                return b.core.service().find(call.id()).map(c -> c.node().equals(b.id)).orElse(false);
            } catch (ParkException e) {
                return false;
            }
        }, "the call carried by B");
        parked.run(); // B's re-INVITE, then (no refresh) B's BYE
        assertEquals(1, parked.received("INVITE").size(), "one takeover re-INVITE");
        long byeAfter = java.time.Duration.between(parked.received("INVITE").get(0).at(),
                parked.received("BYE").get(0).at()).toMillis();
        System.out.printf("[cluster] session timer after the takeover: BYE %d ms after B's re-INVITE (expected"
                + " ~6667)%n", byeAfter);
        assertTrue(byeAfter >= 6000 && byeAfter < 12_000, "BYE one interval after B's takeover: " + byeAfter);
        await(() -> b.seen(ParkEvent.Type.ABANDONED), "the call ended ABANDONED at B");
    }

    /**
     * Issue 14 R9, refresher=uas across nodes: the refresher role is in the cluster record, so after A dies, B (which
     * re-INVITEd the caller) goes on refreshing by UPDATE at half the interval; the caller's 481 to B's second UPDATE
     * makes B hang up and end the call ABANDONED.
     */
    @Test
    void theSurvivorGoesOnRefreshingACallItTookOver() throws Exception {
        Sipp parked = caller(a, "park_move_timer_uas", "timer-uas-moved").start();
        ParkedCall call = parkedAt(a, 1);
        SipSession s = SipSession.of(call.session()).orElseThrow();
        assertEquals(10, s.sessionInterval(), call.session());
        assertEquals("UPDATE", s.ourRefresh(), "we refresh, by UPDATE: " + call.session());
        a.kill();
        await(() -> {
            try {
                return b.core.service().find(call.id()).map(c -> c.node().equals(b.id)).orElse(false);
            } catch (ParkException e) {
                return false;
            }
        }, "the call carried by B");
        parked.run(); // B's re-INVITE, B's UPDATE (200), B's UPDATE (481), B's BYE
        assertEquals(1, parked.received("INVITE").size(), "one takeover re-INVITE");
        java.time.LocalDateTime reInvite = parked.received("INVITE").get(0).at();
        List<Sipp.Received> fromB = parked.received("UPDATE").stream().filter(u -> u.at().isAfter(reInvite))
                .toList();
        assertEquals(2, fromB.size(), "two refreshes by B: " + fromB);
        long first = java.time.Duration.between(reInvite, fromB.get(0).at()).toMillis();
        long gap = java.time.Duration.between(fromB.get(0).at(), fromB.get(1).at()).toMillis();
        System.out.printf("[cluster] refresher=uas after the takeover: B's UPDATEs %d ms after its re-INVITE, then"
                + " %d ms apart (expected ~5000 each)%n", first, gap);
        assertTrue(gap >= 4000 && gap < 8000, "B refreshes once per half interval: " + gap + " ms");
        await(() -> b.seen(ParkEvent.Type.ABANDONED), "the call ended ABANDONED at B after the 481");
    }

    @Test
    void aCallerThatRefusesTheTakeoverGetsAByeAndTheCallEnds() throws Exception {
        Sipp refusing = caller(a, "park_move_refused", "refusing").start();
        ParkedCall call = parkedAt(a, 1);
        a.kill();
        refusing.run(); // 488 to B's re-INVITE, then B's BYE
        await(() -> b.seen(ParkEvent.Type.FAILED), "FAILED");
        assertTrue(b.core.service().find(call.id()).isEmpty(), "not listed any more");
    }

    @Test
    void drainMovesEveryCallToTheOtherNodeWithoutABye() throws Exception {
        int n = 3;
        List<Sipp> callers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            callers.add(caller(a, "park_move", "drained-" + i).start());
            parkedAt(a, i + 1);
        }
        NodeDrain.Result r = a.server.drain(Duration.ofSeconds(10));
        assertEquals(new NodeDrain.Result(n, n, 0), r);
        for (ParkedCall c : b.core.service().list()) {
            assertEquals(b.id, c.node());
            assertTrue(b.media.log.contains("hold " + c.leg()), b.media.log.toString());
        }
        await(() -> a.server.liveLegs() == 0, "A let every leg go (on the MOVED events)");
        for (Sipp s : callers) {
            assertEquals(List.of(), s.received("BYE"), "no BYE during the drain");
        }
        for (ParkedCall c : b.core.service().list()) {
            b.core.service().end(c.id(), Resolution.FORCED);
        }
        for (Sipp s : callers) {
            s.run();
        }
    }

    @Test
    void aNodeThatStopsHandsItsCallsToTheOtherNodeFirst() throws Exception {
        List<Sipp> callers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            callers.add(caller(a, "park_move", "stopping-" + i).start());
            parkedAt(a, i + 1);
        }
        a.server.nodeStoppingForTests(() -> true); // bin/stop: the framework stops
        a.stop();
        List<ParkedCall> live = b.core.service().list();
        assertEquals(3, live.size(), "every call still parked: " + live);
        for (ParkedCall c : live) {
            assertEquals(b.id, c.node(), "carried by B");
            assertTrue(b.media.log.contains("hold " + c.leg()), b.media.log.toString());
        }
        assertFalse(b.seen(ParkEvent.Type.FAILED), "nothing ended");
        for (Sipp s : callers) {
            assertEquals(List.of(), s.received("BYE"), "no BYE while the node stopped");
        }
        for (ParkedCall c : live) {
            b.core.service().end(c.id(), Resolution.FORCED);
        }
        for (Sipp s : callers) {
            s.run();
        }
    }

    @Test
    void theLastNodeThatStopsHangsItsCallersUp() throws Exception {
        Sipp parked = caller(b, "park_move", "last-node").start();
        ParkedCall call = parkedAt(b, 1);
        a.stop();
        await(() -> b.hz.getCluster().getMembers().size() == 1, "B alone");
        b.server.nodeStoppingForTests(() -> true);
        b.server.deactivate();
        parked.run(); // a BYE, not silence
        assertTrue(b.seen(ParkEvent.Type.FAILED), "the call ended FAILED");
        assertTrue(b.core.service().find(call.id()).isEmpty());
        b.core.removeListener(b.server);
        b.server = null;
    }

    @Test
    void aNewSipStackOnTheSameAddressTakesUpTheRunningLegWithoutAReInvite() throws Exception {
        Sipp parked = caller(a, "park_move", "adopted").start();
        ParkedCall call = parkedAt(a, 1);
        // the SIP server goes (bundle update) and comes back on the same node and port
        a.core.removeListener(a.server);
        a.server.deactivate();
        assertTrue(a.core.service().find(call.id()).isPresent(), "still parked while no SIP server runs");
        TestSipConfig sip = new TestSipConfig();
        sip.port = a.port;
        SipServer next = new SipServer(a.core.service(), a.core.directory(), a.media, new Registrations(() -> a.hz),
                () -> a.id, () -> a.hz, null, sip, k -> null, k -> null);
        a.server = next;
        a.core.addListener(next);
        a.core.setCarrier(next.carrier());
        {
            await(() -> next.liveLegs() == 1, "the new stack carries the call");
            ParkedCall adopted = current(a, call.id());
            assertEquals(a.id, adopted.node());
            assertEquals(call.leg(), adopted.leg(), "the same media leg: the music never stopped");
            assertFalse(a.media.log.contains("close " + call.leg()), a.media.log.toString());
            a.core.service().end(call.id(), Resolution.FORCED);
            parked.run(); // no re-INVITE (same Contact), then the new stack's BYE
            assertEquals(0, parked.received("INVITE").size());
            await(() -> a.media.log.contains("close " + call.leg()), "the leg closed with the call");
        }
    }

    @Test
    void aSipPortChangeReInvitesTheParkedCallerKeepingItsMedia() throws Exception {
        Sipp parked = caller(a, "park_move", "port-change").start();
        ParkedCall call = parkedAt(a, 1);
        TestSipConfig sip = new TestSipConfig();
        sip.port = TestCluster.freePort(a.port + 10);
        a.server.modified(sip);
        await(() -> {
            try {
                return parked.received("INVITE").size() == 1
                        && SipSession.of(current(a, call.id()).session()).orElseThrow().contact()
                                .contains(":" + sip.port + ";");
            } catch (ParkException | IOException e) {
                return false;
            }
        }, "a re-INVITE with the new Contact");
        assertEquals(call.leg(), current(a, call.id()).leg(), "same media leg");
        assertFalse(a.media.log.contains("close " + call.leg()), "media kept: " + a.media.log);
        a.core.service().end(call.id(), Resolution.FORCED);
        parked.run(); // the BYE comes from the new port (sipp answers wherever the re-INVITE came from)
    }

    @Test
    void afterEveryNodeDiedTheRestartedNodeTakesItsCallersBackFromItsJournal() throws Exception {
        List<Sipp> callers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            callers.add(caller(a, "park_move", "journal-" + i).start());
            parkedAt(a, i + 1);
        }
        await(() -> a.journal.all().size() == 2, "both calls journalled (from their PARKED events)");
        assertEquals(2, a.journal.all().size(), "both calls journalled");
        b.kill();
        a.kill(); // the whole cluster is gone: its record of the calls with it
        String cluster = "callpark-cluster-test-restart-" + UUID.randomUUID();
        int hzPort = TestCluster.freePort(22401 + ThreadLocalRandom.current().nextInt(300));
        Node restarted = new Node(TestCluster.member(cluster, List.of(LOCAL + ":" + hzPort), hzPort), a.port, a.journal);
        try {
            await(() -> {
                try {
                    List<ParkedCall> live = restarted.core.service().list();
                    return live.size() == 2 && live.stream().allMatch(c -> c.node().equals(restarted.id));
                } catch (ParkException e) {
                    return false;
                }
            }, "both calls back in park on the restarted node");
            for (ParkedCall c : restarted.core.service().list()) {
                assertEquals(SlotId.extension(DEFAULT, "101"), c.slot(), "same slot");
                assertEquals("+4930123", c.caller().number(), "same caller");
                assertTrue(restarted.media.log.contains("hold " + c.leg()), restarted.media.log.toString());
                restarted.core.service().end(c.id(), Resolution.FORCED);
            }
            for (Sipp s : callers) {
                s.run(); // one re-INVITE from the restarted node, then its BYE
                assertEquals(1, s.received("INVITE").size());
            }
            await(() -> restarted.journal.all().isEmpty(), "the journal is empty once the calls ended");
        } finally {
            restarted.stop();
        }
    }

}
