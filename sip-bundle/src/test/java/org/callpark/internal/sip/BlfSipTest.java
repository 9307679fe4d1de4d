package org.callpark.internal.sip;

import static org.callpark.internal.blf.DialogInfoSchema.child;
import static org.callpark.internal.blf.DialogInfoSchema.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.callpark.api.CallState;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.callpark.internal.blf.DialogInfo;
import org.callpark.internal.blf.DialogInfoSchema;
import org.callpark.internal.blf.HazelcastDialogSubscriptionStore;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * BLF end to end over real sockets: sipp phones subscribe ({@code Event: dialog}) to park slots of the SIP server
 * (the real park core on an in-memory slot store, the demo directory), subscriptions in a real Hazelcast member
 * ({@link HazelcastDialogSubscriptionStore}); calls are parked and retrieved by other sipp instances. Every NOTIFY body is
 * checked twice: by the scenario's regular expressions ({@code src/test/resources/sipp/blf_*.xml}) and here, parsed
 * and validated against the RFC 4235 schema ({@code src/test/resources/xsd/dialog-info.xsd}).
 * <p>
 * Fixed ports (docs/testing.md): SIP 25910 (UDP and TCP), Hazelcast 25920. Subscription minimum expiry 2 s so that
 * expiry and 423 can be seen quickly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlfSipTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    static final int SIP_PORT = 25910;
    static final int HAZELCAST_PORT = 25920;
    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final String LOCAL = "127.0.0.1";
    private static final String NS = DialogInfo.NS;

    private HazelcastInstance hazelcast;
    private SipTestCore core;
    private RecordingMedia media;
    private HazelcastDialogSubscriptionStore subscriptions;
    private SipServer server;

    @BeforeAll
    void start() throws IOException {
        Sipp.requireSipp();
        requireFree(SIP_PORT);
        requireFree(HAZELCAST_PORT);
        String cluster = "callpark-blf-test-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, List.of(LOCAL + ":" + HAZELCAST_PORT),
                HAZELCAST_PORT, false, LOCAL, 0));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        subscriptions = new HazelcastDialogSubscriptionStore(() -> hazelcast);
        TestSipConfig sip = new TestSipConfig();
        sip.port = SIP_PORT;
        sip.subscribeMinExpires = 2;
        server = new SipServer(core.service(), core.directory(), media, new Registrations(() -> hazelcast),
                subscriptions, () -> "node-1", sip, k -> null, k -> null);
        core.addListener(server);
        core.addListener(server.blf());
    }

    @AfterAll
    void stop() {
        SipTests.stopAll(server, core, media, hazelcast);
    }

    @AfterEach
    void nothingLeftBehind() throws ParkException {
        SipTests.endAll(core.service());
        hazelcast.getMap(HazelcastDialogSubscriptionStore.MAP_NAME).clear();
    }

    private Sipp sipp(String scenario) {
        return Sipp.scenario(scenario, SIP_PORT).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer").key("expires", "600");
    }

    /** A phone of {@code ext} (password pass{@code ext}) subscribing to {@code slotUser}. */
    private Sipp phone(String scenario, String slotUser, String ext) {
        return sipp(scenario).service(slotUser).key("from_user", ext).auth(ext, "pass" + ext).timeout(30)
                .name(scenario + "-" + ext);
    }

    // ------------------------------------------------------------------------------------------ the lamp's life

    @Test
    void idleThenParkedWithTheCallersIdentityThenIdleAfterRetrieve() throws Exception {
        long n = server.blf().sent();
        Sipp lamp = phone("blf_watch", "*88101", "102").start();
        awaitSent(n + 1, "the initial NOTIFY");
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        awaitSent(n + 2, "the NOTIFY of the park");
        sipp("retrieve").service("*88101").key("from_user", "102").auth("102", "pass102").pause(300).run();
        lamp.run();
        caller.run();
        List<Document> docs = documents(lamp, 4);
        assertIdle(docs.get(0), 0, "sip:*88101@127.0.0.1");
        Element dialog = onlyDialog(docs.get(1), 1);
        assertEquals(call.id(), dialog.getAttribute("id"));
        assertEquals("confirmed", text(dialog, "state"));
        Element remote = child(dialog, "remote");
        assertEquals("Customer", child(remote, "identity").getAttribute("display-name"));
        assertEquals("sip:+4930123@127.0.0.1", text(remote, "identity"));
        assertEquals("sip:*88101@127.0.0.1", child(remote, "target").getAttribute("uri"));
        assertIdle(docs.get(2), 2, "sip:*88101@127.0.0.1");
        assertEquals("3", docs.get(3).getDocumentElement().getAttribute("version"));
        assertEquals(0, subscriptions.size(), "unsubscribed");
    }

    @Test
    void darkAgainWhenTheCallerHangsUp() throws Exception {
        long n = server.blf().sent();
        Sipp lamp = phone("blf_watch", "park+101", "103").start();
        awaitSent(n + 1, "the initial NOTIFY");
        Sipp caller = sipp("park_referred").service("*68").key("referrer", "101").pause(1500).start();
        awaitParked(SlotId.extension(DEFAULT, "101"));
        caller.run(); // hangs up after 1.5 s: ABANDONED
        lamp.run();
        List<Document> docs = documents(lamp, 4);
        assertIdle(docs.get(0), 0, "sip:park+101@127.0.0.1");
        onlyDialog(docs.get(1), 1);
        assertIdle(docs.get(2), 2, "sip:park+101@127.0.0.1");
    }

    @Test
    void darkAgainWhenTheRecallIsAnswered() throws Exception {
        long n = server.blf().sent();
        Sipp lamp = phone("blf_watch", "*88101", "104").start();
        awaitSent(n + 1, "the initial NOTIFY");
        Sipp caller = sipp("park_referred").service("*68").key("referrer", "101").pause(5000).start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        awaitSent(n + 2, "the NOTIFY of the park");
        java.util.concurrent.atomic.AtomicReference<org.callpark.spi.RecallDialer.Outcome> ringing =
                new java.util.concurrent.atomic.AtomicReference<>();
        core.setDialer((c, extensions, timeout, outcome) -> {
            ringing.set(outcome); // rings until the test answers
            return () -> { };
        });
        try {
            core.advance(Duration.ofSeconds(31)); // Sales: recall after 30 s
            await(() -> recalling(call.id()) && ringing.get() != null, "the call is being recalled");
            assertTrue(ringing.get().answered("101"), "the core takes the answer");
        } finally {
            core.setDialer(null);
        }
        lamp.run();
        caller.run();
        List<Document> docs = documents(lamp, 4);
        onlyDialog(docs.get(1), 1);
        assertIdle(docs.get(2), 2, "sip:*88101@127.0.0.1");
    }

    @Test
    void aPhoneThatSubscribesWhileACallIsParkedSeesItAtOnce() throws Exception {
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        long n = server.blf().sent();
        Sipp lamp = phone("blf_parked_first", "*88101", "105").start();
        awaitSent(n + 1, "the initial NOTIFY");
        core.service().end(call.id(), Resolution.FORCED);
        lamp.run();
        caller.run();
        List<Document> docs = documents(lamp, 3);
        assertEquals(call.id(), onlyDialog(docs.get(0), 0).getAttribute("id"));
        assertIdle(docs.get(1), 1, "sip:*88101@127.0.0.1");
    }

    @Test
    void groupKeyShowsOneDialogPerParkedCall() throws Exception {
        long n = server.blf().sent();
        Sipp lamp = phone("blf_group", "park+Sales", "101").start();
        awaitSent(n + 1, "the initial NOTIFY");
        Sipp first = sipp("park_wait_bye").service("*58").key("referrer", "102").name("group-1").start();
        awaitSent(n + 2, "the NOTIFY of the first park");
        Sipp second = sipp("park_wait_bye").service("*58").key("referrer", "103").key("from_user", "+4930999")
                .key("from_name", "Second").name("group-2").start();
        awaitSent(n + 3, "the NOTIFY of the second park");
        List<ParkedCall> calls = core.service().list(SlotId.group(DEFAULT, "Sales"));
        assertEquals(2, calls.size());
        core.service().end(calls.get(0).id(), Resolution.FORCED);
        awaitSent(n + 4, "the NOTIFY of the first hang-up");
        core.service().end(calls.get(1).id(), Resolution.FORCED);
        lamp.run();
        first.run();
        second.run();
        List<Document> docs = documents(lamp, 6);
        NodeList two = docs.get(2).getElementsByTagNameNS(NS, "dialog");
        assertEquals(2, two.getLength());
        assertEquals(calls.get(0).id(), ((Element) two.item(0)).getAttribute("id"), "pickup order");
        assertEquals("Second", child(child((Element) two.item(1), "remote"), "identity").getAttribute("display-name"));
        assertEquals(calls.get(1).id(), onlyDialog(docs.get(3), 3).getAttribute("id"));
        assertIdle(docs.get(4), 4, "sip:park+Sales@127.0.0.1");
    }

    @Test
    void aCallerNameWithMarkupGivesWellFormedXml() throws Exception {
        String nasty = "Ann & Bob <Sales> \\\"VIP\\\"";
        long n = server.blf().sent();
        Sipp lamp = phone("blf_watch", "*88101", "106").start();
        awaitSent(n + 1, "the initial NOTIFY");
        Sipp caller = sipp("park_referred").service("*68").key("referrer", "101").key("from_name", nasty)
                .pause(1500).start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        caller.run();
        lamp.run();
        List<Document> docs = documents(lamp, 4);
        String shown = child(child(onlyDialog(docs.get(1), 1), "remote"), "identity").getAttribute("display-name");
        assertEquals(call.caller().displayName(), shown, "exactly the name the core holds, as text");
        assertTrue(shown.contains("Ann & Bob <Sales>") && shown.contains("VIP"), shown);
    }

    // ------------------------------------------------------------------------------------------ the subscription

    @Test
    void refreshGetsAFullNotifyAndTheVersionGoesOn() throws Exception {
        Sipp lamp = phone("blf_refresh", "*88102", "101").pause(300).start();
        lamp.run();
        List<Document> docs = documents(lamp, 3);
        for (int v = 0; v < 2; v++) {
            assertIdle(docs.get(v), v, "sip:*88102@127.0.0.1");
        }
        assertEquals(0, subscriptions.size());
    }

    @Test
    void aPhoneOnTcpGetsItsNotifiesOverTcp() throws Exception {
        Sipp lamp = phone("blf_refresh", "*88102", "103").tcp().name("blf_refresh-tcp").start();
        lamp.run();
        documents(lamp, 3);
        assertTrue(lamp.messages().contains("TCP message received"), "sipp's trace shows TCP");
    }

    @Test
    void expiryEndsWithTerminatedTimeout() throws Exception {
        Sipp lamp = phone("blf_expire", "*88102", "101").key("expires", "2").start();
        await(() -> subscriptions.size() == 1, "the subscription is stored");
        lamp.run();
        documents(lamp, 2);
        await(() -> subscriptions.size() == 0, "the expired subscription is gone");
    }

    @Test
    void aNotifyAnswered481DropsTheSubscription() throws Exception {
        phone("blf_481", "*88102", "101").run();
        await(() -> subscriptions.size() == 0, "the subscription is dropped after 481");
        await(() -> server.blf().localTimers() == 0, "its expiry timer is cancelled");
    }

    @Test
    void otherEventPackagesAreBadEvent() throws Exception {
        sipp("blf_489").service("*88101").key("from_user", "101").run();
    }

    @Test
    void tooShortIsIntervalTooBrief() throws Exception {
        Sipp s = sipp("blf_423").service("*88101").key("from_user", "101").key("expires", "1");
        s.run();
        assertTrue(s.messages().contains("Min-Expires: 2"), s.messages());
        assertEquals(0, subscriptions.size());
    }

    @Test
    void noPeekingAtAnotherTenantsSlots() throws Exception {
        // 201 of acme, in acme's domain, asks for 101 (a default-tenant extension): acme has no 101
        sipp("blf_404").service("*88101").key("domain", "acme.test").key("from_user", "201").auth("201", "pass201")
                .name("acme-201-to-101").run();
        // 101 of the default tenant cannot authenticate in acme's realm
        sipp("blf_403").service("*88201").key("domain", "acme.test").key("from_user", "101").auth("101", "pass101")
                .name("default-101-to-acme").run();
        // 201 of acme cannot authenticate in the default tenant
        sipp("blf_403").service("*88101").key("from_user", "201").auth("201", "pass201").name("acme-201-to-default")
                .run();
        // a group slot only for its members: 104 is not in Sales
        sipp("blf_403").service("park+Sales").key("from_user", "104").auth("104", "pass104").name("non-member").run();
        assertEquals(0, subscriptions.size());
    }

    @Test
    void unknownSlotsAreNotFound() throws Exception {
        sipp("blf_404").service("*88999").key("from_user", "101").auth("101", "pass101").name("no-999").run();
        sipp("blf_404").service("park+Nobody").key("from_user", "101").auth("101", "pass101").name("no-group").run();
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Every dialog-info body sipp received, in order, retransmissions left out; each validated by the schema. */
    private static List<Document> documents(Sipp sipp, int atLeast) throws IOException {
        List<String> bodies = DialogInfoSchema.bodies(sipp.messages());
        List<Document> docs = bodies.stream().map(DialogInfoSchema::parse).toList();
        assertTrue(docs.size() >= atLeast, "expected " + atLeast + " NOTIFY bodies, got " + bodies);
        for (int i = 0; i < docs.size(); i++) {
            assertEquals(Integer.toString(i), docs.get(i).getDocumentElement().getAttribute("version"),
                    "versions go up by one: " + bodies);
        }
        return docs;
    }

    private static void assertIdle(Document doc, int version, String entity) {
        Element root = doc.getDocumentElement();
        assertEquals(Integer.toString(version), root.getAttribute("version"));
        assertEquals("full", root.getAttribute("state"));
        assertEquals(entity, root.getAttribute("entity"));
        assertEquals(0, doc.getElementsByTagNameNS(NS, "dialog").getLength(), "idle: no dialog");
    }

    private static Element onlyDialog(Document doc, int version) {
        assertEquals(Integer.toString(version), doc.getDocumentElement().getAttribute("version"));
        NodeList dialogs = doc.getElementsByTagNameNS(NS, "dialog");
        assertEquals(1, dialogs.getLength());
        return (Element) dialogs.item(0);
    }

    private boolean recalling(String callId) {
        try {
            return core.service().find(callId).map(c -> c.state() == CallState.RECALLING).orElse(false);
        } catch (ParkException e) {
            return false;
        }
    }

    private void awaitSent(long count, String what) throws InterruptedException {
        await(() -> server.blf().sent() >= count, what + " (NOTIFY #" + count + ")");
        Thread.sleep(50); // on its way over loopback
    }

    private ParkedCall awaitParked(SlotId slot) throws Exception {
        return SipTests.awaitParked(core.service(), slot, "no media log");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        SipTests.await(condition, what);
    }

    private static void requireFree(int port) throws IOException {
        try (ServerSocket t = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                DatagramSocket u = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            // free
        } catch (IOException e) {
            throw new IOException("BlfSipTest needs port " + port + " (docs/testing.md): " + e.getMessage(), e);
        }
    }
}
