package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.callpark.api.DialPlan;
import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.callpark.internal.SipTestCore;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Per-tenant feature codes and one-touch park over real sockets: the real park core with the demo directory in which
 * {@code acme} dials FreePBX-style {@code 70}/{@code 71}/{@code 72}, a real SipServer, a real Hazelcast member for the
 * registrar, sipp as the phones (the scenarios of {@link SipServerTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipDialPlanTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final TenantId ACME = TenantId.of("acme");
    private static final String LOCAL = "127.0.0.1";

    private HazelcastInstance hazelcast;
    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private int port;

    @BeforeAll
    void start() throws IOException, ParkException {
        Sipp.requireSipp();
        int hzPort = freePort(21301 + ThreadLocalRandom.current().nextInt(200));
        String cluster = "callpark-dialplan-test-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, List.of(LOCAL + ":" + hzPort), hzPort,
                false, LOCAL, 0));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        core = new SipTestCore("node-1");
        core.directory().update(withAcmeCodes(core.directory().current(), new DialPlan("70", "71", "72")));
        assertEquals("de", core.directory().current().tenant(ACME).orElseThrow().language());
        media = new RecordingMedia();
        port = freePort(29060 + ThreadLocalRandom.current().nextInt(400) * 2);
        TestSipConfig sip = new TestSipConfig();
        sip.port = port;
        server = new SipServer(core.service(), core.directory(), media, new Registrations(() -> hazelcast),
                () -> "node-1", sip, k -> null, k -> null);
        core.addListener(server);
    }

    @AfterAll
    void stop() {
        SipTests.stopAll(server, core, media, hazelcast);
    }

    @AfterEach
    void noCallLeftBehind() throws ParkException {
        SipTests.endAll(core.service());
    }

    /** The directory with acme's tenant given {@code plan} and prompt language {@code de}, the rest as it was. */
    private static Directory withAcmeCodes(Directory d, DialPlan plan) {
        List<Tenant> tenants = d.tenants().stream().map(t -> !t.id().equals(ACME) ? t
                : t.withSettings(plan, t.recallLabels(), "de")).toList();
        List<User> users = new java.util.ArrayList<>();
        tenants.forEach(t -> users.addAll(d.users(t.id())));
        List<org.callpark.api.RingGroup> rings = new java.util.ArrayList<>();
        List<org.callpark.api.ParkGroup> groups = new java.util.ArrayList<>();
        tenants.forEach(t -> {
            rings.addAll(d.ringGroups(t.id()));
            groups.addAll(d.parkGroups(t.id()));
        });
        return new Directory(d.defaultTenant(), tenants, users, rings, groups);
    }

    private Sipp sipp(String scenario) {
        return Sipp.scenario(scenario, port).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer");
    }

    @Test
    void acmeParksWith70AndRetrievesWith71AndTheExtension() throws Exception {
        Sipp caller = sipp("park_wait_bye").service("70").key("domain", "acme.test").key("referrer", "201").start();
        ParkedCall call = awaitParked(SlotId.extension(ACME, "201"));
        assertEquals("201", call.parkedBy());
        sipp("retrieve").service("71201").key("domain", "acme.test").auth("202", "pass202").pause(200).run();
        caller.run();
        assertEquals(1, media.lines("bridge " + call.leg()).size(), media.log.toString());
    }

    @Test
    void acmeParksOnItsGroupWith72() throws Exception {
        Sipp caller = sipp("park_wait_bye").service("72").key("domain", "acme.test").key("referrer", "201").start();
        ParkedCall call = awaitParked(SlotId.group(ACME, "Support"));
        sipp("retrieve").service("park+Support").key("domain", "acme.test").auth("202", "pass202").pause(200)
                .run();
        caller.run();
        assertEquals(1, media.lines("bridge " + call.leg()).size(), media.log.toString());
    }

    @Test
    void theSeedCodesAreNoCodesInAcmeButStillAreInTheDefaultTenant() throws Exception {
        sipp("park_404").service("*68").key("domain", "acme.test").key("referrer", "201").run();
        assertTrue(core.service().list().isEmpty(), "*68 parks nothing in acme");
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        sipp("retrieve").service("*88101").auth("102", "pass102").pause(200).run();
        caller.run();
        assertEquals(1, media.lines("bridge " + call.leg()).size(), media.log.toString());
    }

    @Test
    void oneTouchParkTheCustomerTransferredToTheBlfKeyIsParkedThere() throws Exception {
        // 101 pressed the BLF key of 102 during a call: the customer's phone INVITEs *88102 with Referred-By: 101
        Sipp customer = sipp("park_wait_bye").service("*88102").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));
        assertEquals("101", call.parkedBy(), "the transferor parks");
        assertEquals("+4930123", call.caller().number(), "the customer is the parked caller");
        // 103 presses the same key, no call up: a retrieve with digest, bridged to the customer
        sipp("retrieve").service("*88102").auth("103", "pass103").pause(200).run();
        customer.run();
        assertEquals(1, media.lines("bridge " + call.leg()).size(), media.log.toString());
    }

    @Test
    void oneTouchParkByBlfUriAndInAcmeWithItsOwnRetrieveCode() throws Exception {
        Sipp a = sipp("park_wait_bye").service("park+103").key("referrer", "101").start();
        ParkedCall onDefault = awaitParked(SlotId.extension(DEFAULT, "103"));
        Sipp b = sipp("park_wait_bye").service("71202").key("domain", "acme.test").key("referrer", "201").start();
        ParkedCall onAcme = awaitParked(SlotId.extension(ACME, "202"));
        assertEquals("101", onDefault.parkedBy());
        assertEquals("201", onAcme.parkedBy());
        SipTests.endAll(core.service());
        a.run();
        b.run();
    }

    @Test
    void oneTouchParkIntoAGroupIsForItsMembersOnly() throws Exception {
        sipp("park_refused").service("park+Sales").key("referrer", "104").run();
        assertTrue(core.service().list().isEmpty(), "104 is no member of Sales");
        Sipp customer = sipp("park_wait_bye").service("*88700").key("referrer", "102").start();
        ParkedCall call = awaitParked(SlotId.group(DEFAULT, "Sales"));
        assertEquals("102", call.parkedBy());
        SipTests.endAll(core.service());
        customer.run();
    }

    @Test
    void acmeCallersHearPromptsInAcmesLanguageAndTheDefaultTenantsInTheDefaultLanguage() throws Exception {
        int before = media.log.size();
        sipp("retrieve_nothing").service("71203").key("domain", "acme.test").auth("202", "pass202").run();
        sipp("retrieve_nothing").service("*88106").auth("106", "pass106").run();
        List<String> prompts = media.log.subList(before, media.log.size()).stream()
                .filter(l -> l.startsWith("prompt ")).map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
        assertEquals(List.of("de/nothing-parked", "nothing-parked"), prompts, media.log.toString());

        Sipp caller = sipp("park_wait_bye").service("70").key("domain", "acme.test").key("referrer", "201").start();
        ParkedCall call = awaitParked(SlotId.extension(ACME, "201"));
        for (int i = 0; i < 20 && core.service().find(call.id()).isPresent(); i++) {
            core.advance(java.time.Duration.ofSeconds(60)); // nobody answers: the ladder ends
        }
        caller.run(); // the BYE after the prompt
        assertTrue(media.log.contains("prompt " + call.leg() + " de/nobody-available"), media.log.toString());
    }

    private ParkedCall awaitParked(SlotId slot) throws Exception {
        return SipTests.awaitParked(core.service(), slot, "media " + media.log);
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
