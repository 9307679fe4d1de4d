package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.callpark.api.Directory;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallTarget;
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
 * The final destination at the end of the recall ladder, over real sockets: the real park core on real time (ring
 * duration R = 2 s), the {@link SipRecallDialer}, a real Hazelcast member for the registrations (port 20901+), the
 * server on 27460+, sipp as the parked caller ({@code *68} with Referred-By 101, whose own phone is not registered,
 * so its one recall attempt fails at once after R) and as the final destination (UAS scenarios on ports 28000+).
 * Park group Solo (101, USER_ONLY, one attempt) gets each test's final destination; a changed destination affects the
 * next park, as in production.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipFinalDestinationTest {

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
    private int transferorPort;
    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws IOException {
        Sipp.requireSipp();
        int hzPort = freePort(20901 + ThreadLocalRandom.current().nextInt(100) * 2);
        String cluster = "callpark-final-test-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, List.of(LOCAL + ":" + hzPort), hzPort,
                false, LOCAL, 0));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        core = SipTestCore.realTime("node-1", SipTestCore.recallDirectory(R, W, 1));
        media = new RecordingMedia();
        registrations = new Registrations(() -> hazelcast);
        port = freePort(27460 + ThreadLocalRandom.current().nextInt(200) * 2);
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

    @Test
    void anExtension_ringsWithTheCustomersIdentity_answeredItIsBridged_andTheCallResolvedByIt() throws Exception {
        finalDestination("105");
        int p = uasPort();
        bind("105", p);
        Sipp phone = Sipp.scenario("recall_answer_bye", port).localPort(p).pause(300).name("final-105").start();
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        assertEquals("105", call.recall().finalDestination(), "taken into the call at park time");
        phone.run(); // From/PAI "Parked: Customer" <sip:+4930123@…>, Alert-Info, the caller's codec first
        caller.run(); // BYE after 105 hung up
        assertEquals(1, phone.received("INVITE").size());
        String calleeLeg = bridgedTo(call);
        assertTrue(offerLegs().contains(calleeLeg), "the caller is bridged to the final destination's leg: "
                + newLog());
        ParkEvent answered = event(ParkEvent.Type.RECALL_ANSWERED).orElseThrow();
        assertEquals("final 105", answered.call().resolvedBy());
        assertTrue(events.stream().anyMatch(e -> e.type() == ParkEvent.Type.RECALLING
                && e.call().recallTarget() == RecallTarget.FINAL_DESTINATION), events.toString());
        assertFalse(newLog().stream().anyMatch(l -> l.startsWith("prompt ")), "no final prompt: " + newLog());
        await(() -> newLog().contains("close " + call.leg()) && newLog().contains("close " + calleeLeg),
                "both legs closed after the destination's BYE");
    }

    @Test
    void aSipUri_isInvitedAtThatUri_answeredItIsBridged() throws Exception {
        int p = uasPort();
        String uri = "sip:operator@" + LOCAL + ":" + p;
        finalDestination(uri);
        Sipp op = Sipp.scenario("final_uri_answer_bye", port).localPort(p).pause(300).name("final-uri").start();
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        op.run(); // the To is the URI, From/PAI the marked customer
        caller.run();
        List<Sipp.Received> invites = op.received("INVITE");
        assertEquals(1, invites.size());
        assertTrue(invites.get(0).firstLine().startsWith("INVITE " + uri + " "), invites.get(0).firstLine());
        String calleeLeg = bridgedTo(call);
        assertTrue(offerLegs().contains(calleeLeg), newLog().toString());
        assertEquals("final " + uri, event(ParkEvent.Type.RECALL_ANSWERED).orElseThrow().call().resolvedBy());
    }

    @Test
    void aBusyDestination_theCallerHearsTheFinalPromptAndGetsBye() throws Exception {
        int p = uasPort();
        finalDestination("sip:operator@" + LOCAL + ":" + p);
        Sipp op = Sipp.scenario("recall_busy", port).localPort(p).name("final-busy").start();
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        long parkedAt = System.nanoTime();
        op.run(); // 486
        caller.run(); // BYE after the prompt
        long byeAfter = (System.nanoTime() - parkedAt) / 1_000_000;
        assertTrue(newLog().contains("prompt " + call.leg() + " nobody-available"), newLog().toString());
        assertTrue(event(ParkEvent.Type.TIMED_OUT).isPresent());
        assertFalse(event(ParkEvent.Type.RECALL_ANSWERED).isPresent());
        assertTrue(byeAfter < 2 * R.toMillis() + 4000, "the 486 ends the call at once, not after R: " + byeAfter);
        await(() -> offerLegs().stream().allMatch(l -> newLog().contains("close " + l)), "the final leg closed");
        System.out.printf("busy final destination: caller's BYE %d ms after the park%n", byeAfter);
    }

    @Test
    void aRetrieveWhileTheDestinationRings_wins_andTheDestinationGetsCancel() throws Exception {
        int p = uasPort();
        finalDestination("sip:operator@" + LOCAL + ":" + p);
        Sipp op = Sipp.scenario("recall_ring", port).localPort(p).name("final-ring").start();
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        await(() -> {
            try {
                return !op.received("INVITE").isEmpty();
            } catch (IOException e) {
                return false;
            }
        }, "the final destination got its INVITE");
        sipp("retrieve").service("*88101").auth("102", "pass102").pause(300).name("retrieve-during-final").run();
        op.run(); // CANCEL, 487
        caller.run();
        String retrieverLeg = bridgedTo(call);
        assertFalse(offerLegs().contains(retrieverLeg), "the retriever is bridged: " + newLog());
        assertTrue(event(ParkEvent.Type.RETRIEVED).isPresent());
        assertFalse(event(ParkEvent.Type.RECALL_ANSWERED).isPresent());
    }

    @Test
    void thisServersOwnAddress_isNotCalled_theCallerHearsTheFinalPrompt() throws Exception {
        finalDestination("sip:operator@" + LOCAL + ":" + port);
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        caller.run();
        assertTrue(newLog().contains("prompt " + call.leg() + " nobody-available"), newLog().toString());
        assertTrue(offerLegs().isEmpty(), "no INVITE to ourselves: " + newLog());
        assertTrue(event(ParkEvent.Type.TIMED_OUT).isPresent());
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Park group Solo (101) with final destination {@code destination}, for the calls parked from now on. */
    private void finalDestination(String destination) throws ParkException {
        Directory d = core.directory().current();
        List<ParkGroup> groups = d.allParkGroups().stream().map(g -> g.name().equals("Solo")
                ? new ParkGroup(g.tenant(), g.name(), g.number(), g.members(), g.recallTo(), g.ringGroup(),
                        g.ringDuration(), g.waitBeforeRingGroup(), g.retries(), false, g.recallLabels(), destination)
                : g).toList();
        core.directory().update(new Directory(d.defaultTenant(), d.tenants(), d.allUsers(), d.allRingGroups(),
                groups));
    }

    private Optional<ParkEvent> event(ParkEvent.Type type) {
        synchronized (events) {
            return events.stream().filter(e -> e.type() == type).findFirst();
        }
    }

    private Sipp sipp(String scenario) {
        Sipp s = Sipp.scenario(scenario, port).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer");
        return scenario.startsWith("park") ? s.localPort(transferorPort) : s;
    }

    private void bind(String ext, int uasPort) {
        String contact = "sip:" + ext + "@" + LOCAL + ":" + uasPort + ";transport=udp";
        registrations.put(new Registrations.Binding(DEFAULT, ext, contact, System.currentTimeMillis() + 300_000,
                LOCAL + ":" + transferorPort, "udp", "test-" + ext, 1), 300);
    }

    private List<String> newLog() {
        return SipTests.since(media, logMark);
    }

    private List<String> offerLegs() {
        return SipTests.offerLegs(media, logMark);
    }

    private String bridgedTo(ParkedCall call) throws InterruptedException {
        return SipTests.bridgedTo(media, logMark, call);
    }

    private ParkedCall awaitParked(SlotId slot) throws Exception {
        return SipTests.awaitParked(core.service(), slot, "media " + media.log);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
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
                // taken
            }
        }
        throw new IOException("no free port from " + from);
    }
}
