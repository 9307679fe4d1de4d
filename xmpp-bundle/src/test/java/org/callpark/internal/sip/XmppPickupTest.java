package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.callpark.internal.xmpp.ChatUser;
import org.callpark.internal.xmpp.HazelcastRosterSubscriberStore;
import org.callpark.internal.xmpp.ParkComponent;
import org.callpark.internal.xmpp.ProsodyServer;
import org.callpark.internal.xmpp.ServiceParkBackend;
import org.callpark.internal.xmpp.XmppConnector;
import org.callpark.internal.xmpp.XmppSettings;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandNote;
import org.jivesoftware.smackx.commands.RemoteCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Pickup from chat with a real phone: a real Prosody (c2s 127.0.0.1:26232, component port 26357) with the
 * {@link ParkComponent} connected through Whack, the real park core with the SIP server on 26060 (registrar bindings
 * in a real Hazelcast member on 26701, which also holds the XMPP subscribers), sipp as the parked customer (parks
 * itself with {@code *68102}) and as Alice's phone (REGISTERs as 102 with digest auth from 26100, then answers),
 * Smack as Alice. The XEP-0050 {@code pickup} on {@code 102@park.example.com} must ring Alice's phone and bridge the
 * customer to it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XmppPickupTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final String LOCAL = "127.0.0.1";
    private static final int C2S = 26232;
    private static final int COMPONENT = 26357;
    private static final int SIP = 26060;
    private static final int PHONE = 26100;
    private static final int HAZELCAST = 26701;
    private static final String PARK = "park.example.com";

    private ProsodyServer prosody;
    private HazelcastInstance hazelcast;
    private SipTestCore core;
    private RecordingMedia media;
    private Registrations registrations;
    private SipServer server;
    private XmppConnector connector;
    private ChatUser alice;
    private ChatUser bob;
    private int logMark;
    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws Exception {
        ProsodyServer.requireProsody();
        Sipp.requireSipp();
        prosody = new ProsodyServer("pickup", C2S, COMPONENT, PARK, "pickup-secret", List.of("example.com"));
        prosody.register("alice", "example.com", "pw-alice").register("bob", "example.com", "pw-bob");
        prosody.start();
        String cluster = "callpark-xmpp-pickup-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, List.of(LOCAL + ":" + HAZELCAST),
                HAZELCAST, false, LOCAL, 0));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        core = SipTestCore.realTime("node-1", org.callpark.internal.xmpp.XmppTestDirectory.build());
        media = new RecordingMedia();
        registrations = new Registrations(() -> hazelcast);
        TestSipConfig sip = new TestSipConfig();
        sip.port = SIP;
        server = new SipServer(core.service(), core.directory(), media, registrations, () -> "node-1", sip,
                k -> null, k -> null);
        core.addListener(server);
        core.addListener(events::add);
        core.setDialer(server.recallDialer());
        ServiceParkBackend backend = new ServiceParkBackend(core.service(), core.directory(),
                new HazelcastRosterSubscriberStore(() -> hazelcast));
        core.addListener(backend);
        connector = new XmppConnector(new XmppSettings(true, LOCAL, COMPONENT, "example.com", "park",
                "pickup-secret", Duration.ofSeconds(5)), new ParkComponent(backend));
        connector.start();
        await(connector::isConnected, "the component connected");
        alice = new ChatUser("alice", "example.com", "pw-alice", C2S);
        bob = new ChatUser("bob", "example.com", "pw-bob", C2S);
    }

    @AfterAll
    void stop() {
        for (ChatUser u : new ChatUser[] {alice, bob}) {
            if (u != null) {
                u.close();
            }
        }
        if (connector != null) {
            connector.close();
        }
        SipTests.stopAll(server, core, media, hazelcast);
        if (prosody != null) {
            prosody.close();
        }
    }

    @AfterEach
    void cleanUp() throws ParkException {
        SipTests.endAll(core.service());
        for (String ext : List.of("101", "102")) {
            registrations.removeAll(DEFAULT, ext);
        }
        events.clear();
        alice.clear();
        bob.clear();
        logMark = media.log.size();
    }

    @Test
    void adHocPickup_ringsTheUsersPhoneAndBridgesTheParkedCaller() throws Exception {
        Sipp.scenario("register", SIP).key("domain", LOCAL).key("from_user", "102").key("from_name", "Alice")
                .key("expires", "300").auth("102", "pass102").localPort(PHONE).name("xmpp-register-102").run();
        assertEquals(1, registrations.lookup(DEFAULT, "102").size(), "Alice's phone registered through sipp");
        Sipp phone = Sipp.scenario("recall_answer_bye", SIP).localPort(PHONE).pause(300).name("xmpp-phone-102")
                .start();
        Sipp caller = Sipp.scenario("park_wait_bye", SIP).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer").service("*68102").key("referrer", "101").start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "102"));

        RemoteCommand command = alice.execute("102@" + PARK, ParkComponent.PICKUP);
        assertEquals(AdHocCommand.Status.completed, command.getStatus());
        List<AdHocCommandNote> notes = command.getNotes();
        assertEquals(1, notes.size());
        assertEquals(AdHocCommandNote.Type.info, notes.get(0).getType());
        assertEquals("Ringing your phone (102): answer it to take the call parked on 102.", notes.get(0).getValue());

        Message done = alice.await(Message.class, m -> m.getBody() != null && m.getBody().startsWith("Connected"),
                Duration.ofSeconds(15));
        assertNotNull(done, "Alice is told the call is hers");
        assertEquals("Connected: the call from Customer (+4930123) is on your phone (102).", done.getBody());
        phone.run();
        caller.run();
        assertEquals(1, phone.received("INVITE").size(), "Alice's phone was called once");
        String calleeLeg = bridgedTo(call);
        assertTrue(offerLegs().contains(calleeLeg), "the caller is bridged to Alice's phone: " + newLog());
        synchronized (events) {
            assertTrue(events.stream().anyMatch(e -> e.type() == ParkEvent.Type.RETRIEVED
                    && e.call().id().equals(call.id()) && e.call().resolution() == Resolution.ANSWERED), "RETRIEVED");
        }
    }

    @Test
    void chatPickup_withoutARegisteredPhone_saysSoAndTheCallStaysParked() throws Exception {
        Sipp caller = Sipp.scenario("park_wait_bye", SIP).key("domain", LOCAL).key("from_user", "+4930777")
                .key("from_name", "Waiting").service("*68101").key("referrer", "102").timeout(20).start();
        ParkedCall call = awaitParked(SlotId.extension(DEFAULT, "101"));
        bob.chat("101@" + PARK, "pickup");
        Message answer = bob.await(Message.class, m -> m.getBody() != null && m.getBody().startsWith("Pickup failed"),
                Duration.ofSeconds(15));
        assertNotNull(answer, "Bob is told his phone could not be called");
        assertTrue(answer.getBody().contains("stays parked on 101"), answer.getBody());
        assertEquals(List.of(call.id()), core.service().list(SlotId.extension(DEFAULT, "101")).stream()
                .map(ParkedCall::id).toList(), "still parked");
        core.service().end(call.id(), Resolution.FORCED);
        caller.run();
    }

    @Test
    void chatPickup_ofAnEmptySlot_isAnAnswerNotAnError() throws Exception {
        bob.chat("101@" + PARK, "pickup");
        Message answer = bob.await(Message.class, m -> m.getBody() != null, Duration.ofSeconds(5));
        assertNotNull(answer);
        assertTrue(answer.getBody().startsWith("Pickup failed: "), answer.getBody());
        assertEquals(Message.Type.chat, answer.getType());
    }

    // ------------------------------------------------------------------------------------------ helpers

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

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        SipTests.await(condition, what);
    }
}
