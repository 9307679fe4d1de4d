package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Recalls over real sockets: the real park core on <b>real time</b> with short timers (ring duration R = 2 s, wait
 * before the ring group W = 1 s), the {@link SipRecallDialer} plugged into it, a real Hazelcast member for the
 * registrations (port 20701+), the server on 27060+, and sipp as the parked caller (a UAC that parks itself with
 * {@code *68} + Referred-By) and as the recalled phones (UAS scenarios {@code recall_*.xml} on fixed ports 28000+,
 * which check the marked caller ID, P-Asserted-Identity, Alert-Info and the offer's codec order with regexps).
 * Bindings: one test REGISTERs the parker through sipp with digest auth; the others put the binding straight into
 * {@link Registrations} (a sipp UAC cannot REGISTER and then take an INVITE with a new Call-ID in one scenario).
 * <p>
 * The parked callers' INVITEs come from the address the parker registered from ({@link #transferorPort}: the
 * transferor's own phone), so the parker is verified and rung; an outsider's park naming a registered user is not
 * (docs/sip.md, "Who is rung back").
 * <p>
 * Directory ({@link SipTestCore#recallDirectory}): Solo = 101 USER_ONLY with 2 attempts, Sales = 102
 * USER_THEN_RING_GROUP, Back = 103 RING_GROUP_ONLY; ring group Reception = 104 + 105.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipRecallTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final String LOCAL = "127.0.0.1";
    private static final Duration R = Duration.ofSeconds(2);
    private static final Duration W = Duration.ofSeconds(1);

    private HazelcastInstance hazelcast;
    private SipTestCore core;
    private RecordingMedia media;
    private Registrations registrations;
    private SipServer server;
    private int port;
    private int logMark;
    private long testStart;
    /** The port the parked caller's sipp sends from, and the source every {@link #bind} binding registered from. */
    private int transferorPort;
    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws IOException {
        Sipp.requireSipp();
        int hzPort = freePort(20701 + ThreadLocalRandom.current().nextInt(100) * 2);
        String cluster = "callpark-recall-test-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, List.of(LOCAL + ":" + hzPort), hzPort,
                false, LOCAL, 0));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        core = SipTestCore.realTime("node-1", SipTestCore.recallDirectory(R, W, 2));
        media = new RecordingMedia();
        registrations = new Registrations(() -> hazelcast);
        port = freePort(27060 + ThreadLocalRandom.current().nextInt(200) * 2);
        TestSipConfig sip = new TestSipConfig();
        sip.port = port;
        server = new SipServer(core.service(), core.directory(), media, registrations, () -> "node-1", sip,
                k -> null, k -> null);
        core.addListener(server);
        core.addListener(events::add);
        core.setDialer(server.recallDialer());
    }

    @AfterAll
    void stop() {
        SipTests.stopAll(server, core, media, hazelcast);
    }

    @BeforeEach
    void mark() throws IOException {
        transferorPort = uasPort();
        logMark = media.log.size();
        testStart = System.nanoTime();
    }

    @AfterEach
    void cleanUp(TestInfo info) throws ParkException {
        System.out.printf("%s: %d ms%n", info.getDisplayName(), (System.nanoTime() - testStart) / 1_000_000);
        SipTests.endAll(core.service());
        for (String ext : List.of("101", "102", "103", "104", "105", "106")) {
            registrations.removeAll(DEFAULT, ext);
        }
        events.clear();
    }

    // ------------------------------------------------------------------------------------------ USER_ONLY

    @Test
    void parkerRegisteredNeverAnswers_exactlyTwoRecallsThenPromptAndBye() throws Exception {
        int p = uasPort();
        sipp("register").localPort(p).key("from_user", "101").key("expires", "300").auth("101", "pass101")
                .name("register-101").run();
        assertEquals(1, registrations.lookup(DEFAULT, "101").size(), "101 registered through sipp");
        // The park comes through a trusted proxy (its Referred-By is believed): the registered phone is not the
        // transferor's address here (it listens as the recalled phone).
        TestSipConfig trusted = new TestSipConfig();
        trusted.port = port;
        trusted.trustedProxies = LOCAL;
        server.modified(trusted);
        long parkedAt;
        ParkedCall call;
        Sipp phone;
        Sipp caller;
        try {
            phone = Sipp.scenario("recall_ring", port).localPort(p).calls(2).timeout(25).name("ring-101").start();
            caller = sipp("park_wait_bye").service("*68").key("referrer", "101").timeout(25).start();
            call = awaitParked(SlotId.extension(DEFAULT, "101"));
            parkedAt = System.nanoTime();
        } finally {
            TestSipConfig direct = new TestSipConfig();
            direct.port = port;
            server.modified(direct);
        }
        phone.run();
        caller.run(); // BYE from us after the prompt
        long byeAfter = (System.nanoTime() - parkedAt) / 1_000_000;
        List<Sipp.Received> invites = phone.received("INVITE");
        assertEquals(2, invites.size(), "exactly N = 2 recall INVITEs: " + invites);
        assertEquals(2, offerLegs().size(), "two recall media legs opened: " + newLog());
        long gap = Duration.between(invites.get(0).at(), invites.get(1).at()).toMillis();
        assertTrue(gap >= 3700 && gap < 4600, "attempt 2 starts R (ring) + R (wait) = 4 s after attempt 1: " + gap);
        assertTrue(newLog().contains("prompt " + call.leg() + " nobody-available"), newLog().toString());
        assertTrue(seen(ParkEvent.Type.TIMED_OUT));
        assertFalse(seen(ParkEvent.Type.RECALL_ANSWERED));
        await(() -> newLog().contains("close " + call.leg()), "the caller's leg is closed");
        for (String leg : offerLegs()) {
            assertTrue(newLog().contains("close " + leg), "recall leg closed: " + newLog());
        }
        await(() -> ((SipRecallDialer) server.recallDialer()).pendingForks(call.id()) == 0, "no fork left");
        System.out.printf("two unanswered recalls %d ms apart, caller's BYE %d ms after the park (expected ~8 s +"
                + " prompt)%n", gap, byeAfter);
    }

    @Test
    void parkerAnswersTheSecondAttempt_bridged_calleeHangsUpAndTheCallerGetsBye() throws Exception {
        int p = uasPort();
        bind("101", p);
        Sipp first = Sipp.scenario("recall_ring", port).localPort(p).name("ring-101-once").start();
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        first.run();
        Sipp second = Sipp.scenario("recall_answer_bye", port).localPort(p).pause(300).name("answer-101").start();
        second.run();
        caller.run();
        String calleeLeg = bridgedTo(call);
        assertTrue(offerLegs().contains(calleeLeg), "the bridged leg is the 2nd recall's: " + newLog());
        assertEquals(2, offerLegs().size(), newLog().toString());
        assertTrue(newLog().stream().anyMatch(l -> l.startsWith("connect " + calleeLeg + " PCMA ")),
                "the callee's answer (PCMA) connected its leg: " + newLog());
        assertTrue(seen(ParkEvent.Type.RECALL_ANSWERED));
        await(() -> newLog().contains("close " + call.leg()) && newLog().contains("close " + calleeLeg),
                "both legs closed after the callee's BYE");
    }

    // ------------------------------------------------------------------------------------------ send to extension

    @Test
    void sendToExtension_theRegisteredPhoneAnswers_bridgedAndRetrieved() throws Exception {
        int p = uasPort();
        bind("104", p);
        Sipp phone = Sipp.scenario("recall_answer_bye", port).localPort(p).pause(300).name("send-104").start();
        Sipp caller = sipp("park_wait_bye").service("*68102").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));
        ParkedCall taken = core.service().sendTo(new RetrieveRequest(DEFAULT, null, RetrieveTarget.call(call.id())),
                "104", Duration.ofSeconds(10)).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Resolution.ANSWERED, taken.resolution());
        assertEquals(call.id(), taken.id());
        phone.run();
        caller.run();
        assertEquals(1, phone.received("INVITE").size(), "104's phone was called once");
        String calleeLeg = bridgedTo(call);
        assertTrue(offerLegs().contains(calleeLeg), "the caller is bridged to 104's leg: " + newLog());
        assertTrue(seen(ParkEvent.Type.RETRIEVED));
        await(() -> newLog().contains("close " + call.leg()) && newLog().contains("close " + calleeLeg),
                "both legs closed after 104's BYE");
    }

    @Test
    void callerHangsUpWhileTheRecallRings_phoneGetsCancel() throws Exception {
        int p = uasPort();
        bind("101", p);
        Sipp phone = Sipp.scenario("recall_ring", port).localPort(p).name("ring-101-abandon").start();
        Sipp caller = sipp("park_referred").service("*68").key("referrer", "101").pause(3000).start();
        awaitParked(SlotId.extension(DEFAULT, "101"));
        caller.run();
        phone.run(); // it got the CANCEL
        // the core's events reach listeners on their own thread: the ABANDONED may follow sipp's end by a moment
        await(() -> seen(ParkEvent.Type.ABANDONED), "an ABANDONED event");
        await(() -> offerLegs().stream().allMatch(l -> newLog().contains("close " + l)), "recall leg closed");
    }

    @Test
    void retrieveWhileTheRecallRings_phoneGetsCancel_retrieverBridged() throws Exception {
        int p = uasPort();
        bind("101", p);
        Sipp phone = Sipp.scenario("recall_ring", port).localPort(p).name("ring-101-retrieve").start();
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        awaitInvite(phone);
        sipp("retrieve").service("*88101").auth("102", "pass102").pause(300).name("retrieve-during-recall").run();
        phone.run(); // CANCEL, 487
        caller.run();
        String retrieverLeg = bridgedTo(call);
        assertFalse(offerLegs().contains(retrieverLeg), "the retriever, not a recall leg, is bridged: " + newLog());
        assertTrue(seen(ParkEvent.Type.RETRIEVED));
        assertFalse(seen(ParkEvent.Type.RECALL_ANSWERED));
    }

    @Test
    void answerCrossingTheCancel_isAckedAndHungUp_retrieverKeepsTheCall() throws Exception {
        int p = uasPort();
        bind("101", p);
        Sipp phone = Sipp.scenario("recall_answer_late", port).localPort(p).name("answer-late-101").start();
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        awaitInvite(phone);
        sipp("retrieve").service("*88101").auth("102", "pass102").pause(300).name("retrieve-vs-late-answer").run();
        phone.run(); // its 200 was ACKed, then BYE
        caller.run();
        String bridged = bridgedTo(call);
        assertFalse(offerLegs().contains(bridged), "the late answer is not bridged: " + newLog());
        assertTrue(seen(ParkEvent.Type.RETRIEVED));
        assertFalse(seen(ParkEvent.Type.RECALL_ANSWERED));
        assertTrue(offerLegs().stream().allMatch(l -> newLog().contains("close " + l)), newLog().toString());
    }

    @Test
    void cancelBeforeAnyProvisional_waitsForThe180() throws Exception {
        int p = uasPort();
        bind("101", p);
        Sipp phone = Sipp.scenario("recall_ring_slow", port).localPort(p).pause(1500).name("ring-slow-101").start();
        Sipp caller = sipp("park_referred").service("*68").key("referrer", "101").pause(2300).start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        caller.run(); // hangs up ~0.3 s into the recall, before the phone's 180
        phone.run();  // a CANCEL before its 180 would have failed the scenario
        long cancelAfter = Duration.between(phone.received("INVITE").get(0).at(), phone.received("CANCEL").get(0)
                .at()).toMillis();
        System.out.printf("cancel before 1xx: CANCEL %d ms after the INVITE (the 180 came after 1500 ms)%n",
                cancelAfter);
        assertTrue(cancelAfter >= 1450, "CANCEL only after the 180: " + cancelAfter + " ms");
        assertTrue(seen(ParkEvent.Type.ABANDONED));
        await(() -> ((SipRecallDialer) server.recallDialer()).pendingForks(call.id()) == 0, "no fork left");
    }

    // ------------------------------------------------------------------------------------------ ring groups

    @Test
    void userThenRingGroup_membersRingInParallelAfterTheWait() throws Exception {
        int p102 = uasPort();
        int p104 = uasPort();
        int p105 = uasPort();
        bind("102", p102);
        bind("104", p104);
        bind("105", p105);
        Sipp parker = Sipp.scenario("recall_ring", port).localPort(p102).name("ring-102").start();
        Sipp m104 = Sipp.scenario("recall_answer", port).localPort(p104).pause(500).name("answer-104").start();
        Sipp m105 = Sipp.scenario("recall_ring", port).localPort(p105).name("ring-105").start();
        Sipp caller = sipp("park_referred").service("*68").key("referrer", "102").pause(5000).start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));
        parker.run();
        m105.run(); // CANCEL once 104 answered
        caller.run();
        m104.run(); // BYE from us after the caller's BYE
        java.time.LocalDateTime t102 = parker.received("INVITE").get(0).at();
        java.time.LocalDateTime t104 = m104.received("INVITE").get(0).at();
        java.time.LocalDateTime t105 = m105.received("INVITE").get(0).at();
        long spread = Math.abs(Duration.between(t104, t105).toMillis());
        long after = Duration.between(t102, t104).toMillis();
        System.out.printf("USER_THEN_RING_GROUP: ring group %d ms after the parker (W = %d ms), 104/105 %d ms"
                + " apart%n", after, W.toMillis(), spread);
        assertTrue(spread < 150, "the members ring in parallel: " + spread + " ms apart");
        assertTrue(after >= W.toMillis() - 100 && after < W.toMillis() + 500, "after the wait W: " + after);
        String calleeLeg = bridgedTo(call);
        assertTrue(offerLegs().contains(calleeLeg));
        assertTrue(seen(ParkEvent.Type.RECALL_ANSWERED));
    }

    @Test
    void parkerAnswerCrossingTheStepChange_sameAttempt_stillTakesTheCall() throws Exception {
        try (DatagramSocket silent104 = new DatagramSocket(uasPort(), InetAddress.getLoopbackAddress());
                DatagramSocket silent105 = new DatagramSocket(uasPort(), InetAddress.getLoopbackAddress())) {
            int p102 = uasPort();
            bind("102", p102);
            bind("104", silent104.getLocalPort());
            bind("105", silent105.getLocalPort());
            // 102 rings for W; the step moves to the ring group and CANCELs 102, whose 200 crosses the CANCEL
            Sipp parker = Sipp.scenario("recall_answer_late", port).localPort(p102).name("late-102").start();
            Sipp caller = sipp("park_referred").service("*68").key("referrer", "102").pause(4000).start();
            ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));
            caller.run();
            parker.run(); // ACK for its 200, then our BYE after the caller's BYE
            String bridged = bridgedTo(call);
            assertEquals(offerLegs().get(0), bridged, "the parker's (first) recall leg is bridged: " + newLog());
            assertTrue(seen(ParkEvent.Type.RECALL_ANSWERED), "docs/park-groups.md: same attempt still wins");
        }
    }

    @Test
    void ringGroupOnly_parkerNeverRings_busyMemberDoesNotEndTheStep() throws Exception {
        try (DatagramSocket parkerPhone = new DatagramSocket(uasPort(), InetAddress.getLoopbackAddress())) {
            bind("103", parkerPhone.getLocalPort());
            int p104 = uasPort();
            int p105 = uasPort();
            bind("104", p104);
            bind("105", p105);
            Sipp busy = Sipp.scenario("recall_busy", port).localPort(p104).name("busy-104").start();
            Sipp m105 = Sipp.scenario("recall_answer", port).localPort(p105).pause(400).name("answer-105").start();
            Sipp caller = sipp("park_referred").service("*68").key("referrer", "103").pause(4000).start();
            ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "103"));
            busy.run();
            caller.run();
            m105.run();
            assertTrue(offerLegs().contains(bridgedTo(call)), "105 took the call although 104 was busy");
            parkerPhone.setSoTimeout(50);
            try {
                parkerPhone.receive(new DatagramPacket(new byte[4096], 4096));
                throw new AssertionError("the parker (103) was rung in RING_GROUP_ONLY");
            } catch (SocketTimeoutException expected) {
                // nothing for the parker
            }
            assertEquals(2, offerLegs().size(), "two forks (104, 105), none for 103: " + newLog());
        }
    }

    @Test
    void busyParker_ringGroupRingsAtOnce() throws Exception {
        int p102 = uasPort();
        int p104 = uasPort();
        int p105 = uasPort();
        bind("102", p102);
        bind("104", p104);
        bind("105", p105);
        Sipp parker = Sipp.scenario("recall_busy", port).localPort(p102).name("busy-102").start();
        Sipp m104 = Sipp.scenario("recall_answer", port).localPort(p104).pause(300).name("answer-104b").start();
        Sipp m105 = Sipp.scenario("recall_ring", port).localPort(p105).name("ring-105b").start();
        Sipp caller = sipp("park_referred").service("*68").key("referrer", "102").pause(3500).start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));
        parker.run();
        m105.run();
        caller.run();
        m104.run();
        long after = Duration.between(parker.received("INVITE").get(0).at(), m104.received("INVITE").get(0).at())
                .toMillis();
        System.out.printf("busy parker: ring group %d ms after the parker's INVITE (W = %d ms)%n", after,
                W.toMillis());
        assertTrue(after < 300, "the ring group rings at once, not after W: " + after + " ms");
        assertTrue(offerLegs().contains(bridgedTo(call)));
    }

    @Test
    void outboundProxy_oneInvitePerExtensionToTheTenantDomainWithRoute_noLookup() throws Exception {
        int p = uasPort();
        TestSipConfig viaProxy = new TestSipConfig();
        viaProxy.port = port;
        viaProxy.outboundProxy = LOCAL + ":" + p;
        viaProxy.trustedProxies = LOCAL; // the phones register with the proxy, the parks come through it
        server.modified(viaProxy);
        try {
            // nobody registered; the "proxy" (sipp) answers every INVITE 486: parker, then both ring group members
            Sipp proxy = Sipp.scenario("recall_busy", port).localPort(p).calls(3).name("proxy-busy").start();
            Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "102").start();
            ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));
            proxy.run();
            caller.run(); // one attempt, all busy: time-out, prompt, BYE
            List<String> uris = proxy.received("INVITE").stream().map(Sipp.Received::firstLine).sorted().toList();
            assertEquals(List.of("INVITE sip:102@127.0.0.1 SIP/2.0", "INVITE sip:104@127.0.0.1 SIP/2.0",
                    "INVITE sip:105@127.0.0.1 SIP/2.0"), uris);
            assertTrue(proxy.messages().contains("Route: <sip:127.0.0.1:" + p + ";transport=udp;lr>"),
                    "loose route to the proxy");
            assertTrue(newLog().contains("prompt " + call.leg() + " nobody-available"), newLog().toString());
        } finally {
            TestSipConfig direct = new TestSipConfig();
            direct.port = port;
            server.modified(direct);
        }
    }

    // ------------------------------------------------------------------------------------------ who is rung back

    /**
     * Issue 14 R2: an outsider parks a call with the Referred-By of registered user 102 (Sales: parker, then the ring
     * group). 102's phone gets no INVITE at all; the recall goes straight to the ring group (104 answers), as for a
     * parker nobody vouched for.
     */
    @Test
    void outsidersParkNamingARegisteredUser_thatUserIsNotRung_theRingGroupIs() throws Exception {
        try (DatagramSocket phone102 = new DatagramSocket(uasPort(), InetAddress.getLoopbackAddress())) {
            int p104 = uasPort();
            int p105 = uasPort();
            bind("102", phone102.getLocalPort(), phone102.getLocalPort()); // 102's own phone, not the outsider
            bind("104", p104);
            bind("105", p105);
            Sipp m104 = Sipp.scenario("recall_answer", port).localPort(p104).pause(300).name("answer-104o").start();
            Sipp m105 = Sipp.scenario("recall_ring", port).localPort(p105).name("ring-105o").start();
            // the recall UAS scenarios check the caller ID "Parked: Customer" <+4930123>; the outsider is the sender
            Sipp outsider = Sipp.scenario("park_referred", port).key("domain", LOCAL).key("from_user", "+4930123")
                    .key("from_name", "Customer").service("*68").key("referrer", "102").pause(3500)
                    .name("outsider-park").start();
            ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));
            assertEquals("102", call.parkedBy(), "the call is parked on the slot it names");
            assertFalse(call.parkerVerified(), "the core knows: its ladder makes no parker step");
            assertTrue(SipSession.of(call.session()).orElseThrow().parkerUnverified(), call.session());
            m105.run();
            outsider.run();
            m104.run();
            assertTrue(offerLegs().contains(bridgedTo(call)), "the ring group took the call: " + newLog());
            assertTrue(seen(ParkEvent.Type.RECALL_ANSWERED));
            assertEquals(2, offerLegs().size(), "forks to 104 and 105 only, none to 102: " + newLog());
            synchronized (events) {
                assertTrue(events.stream().noneMatch(e -> e.type() == ParkEvent.Type.RECALLING
                        && e.call().recallTarget() == RecallTarget.PARKER), "no step rang (or pretended to ring) 102");
            }
            phone102.setSoTimeout(50);
            try {
                phone102.receive(new DatagramPacket(new byte[4096], 4096));
                throw new AssertionError("the user named by the outsider's Referred-By (102) was rung");
            } catch (SocketTimeoutException expected) {
                // 102's phone stayed silent
            }
        }
    }

    /** The same park sent from 102's own registered contact: 102 is the verified parker and is rung first. */
    @Test
    void parkFromTheUsersRegisteredContact_thatUserIsRung() throws Exception {
        int p102 = uasPort();
        bind("102", p102); // registered from the transferor port the park comes from
        Sipp parker = Sipp.scenario("recall_answer", port).localPort(p102).pause(300).name("answer-102v").start();
        Sipp caller = sipp("park_referred").service("*68").key("referrer", "102").pause(3500).start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));
        assertTrue(call.parkerVerified());
        assertFalse(SipSession.of(call.session()).orElseThrow().parkerUnverified(), call.session());
        caller.run();
        parker.run();
        assertEquals(1, parker.received("INVITE").size(), "102 was rung back");
        assertTrue(offerLegs().contains(bridgedTo(call)));
        assertTrue(seen(ParkEvent.Type.RECALL_ANSWERED));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static void awaitInvite(Sipp phone) throws InterruptedException {
        await(() -> {
            try {
                return !phone.received("INVITE").isEmpty();
            } catch (IOException e) {
                return false;
            }
        }, "the phone got the recall INVITE");
    }

    /** A sipp; a parked caller's ({@code park*}) sends from {@link #transferorPort}. */
    private Sipp sipp(String scenario) {
        Sipp s = Sipp.scenario(scenario, port).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer");
        return scenario.startsWith("park") ? s.localPort(transferorPort) : s;
    }

    /** Registers {@code ext} at a sipp UAS on {@code uasPort}, as if its REGISTER came from the transferor port. */
    private void bind(String ext, int uasPort) {
        bind(ext, uasPort, transferorPort);
    }

    private void bind(String ext, int uasPort, int registeredFrom) {
        String contact = "sip:" + ext + "@" + LOCAL + ":" + uasPort + ";transport=udp";
        registrations.put(new Registrations.Binding(DEFAULT, ext, contact, System.currentTimeMillis() + 300_000,
                LOCAL + ":" + registeredFrom, "udp", "test-" + ext, 1), 300);
    }

    private List<String> newLog() {
        return SipTests.since(media, logMark);
    }

    /** The ids of the media legs opened for outgoing INVITEs (offers) in this test. */
    private List<String> offerLegs() {
        return SipTests.offerLegs(media, logMark);
    }

    private String bridgedTo(ParkedCall call) throws InterruptedException {
        return SipTests.bridgedTo(media, logMark, call);
    }

    private ParkedCall awaitParked(SlotId slot) throws Exception {
        return SipTests.awaitParked(core.service(), slot, "media " + media.log);
    }

    private boolean seen(ParkEvent.Type type) {
        synchronized (events) {
            return events.stream().anyMatch(e -> e.type() == type);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        SipTests.await(condition, what);
    }

    /** A free port for a sipp UAS whose binding the test registers ({@link Sipp#freeUasPort}). */
    private static int uasPort() {
        return Sipp.freeUasPort();
    }

    private static int freePort(int from) throws IOException {
        for (int p = from; p < from + 400; p += 2) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket u = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException e) {
                // next
            }
        }
        throw new IOException("no free port from " + from);
    }
}
