package org.callpark.internal.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.callpark.api.CallerId;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The XMPP component while the park core is away ({@code bundle:update org.callpark.park}): the test unbinds the
 * {@code CallParkService} and {@code DirectoryService} from the running {@link ServiceParkBackend} as SCR does for the
 * {@link XmppEntryPoint}'s dynamic references, and binds them again. Real peers as in {@link XmppPresenceTest}: a real
 * Prosody (c2s 127.0.0.1:26272, component port 26397), the component connected through {@link XmppConnector}, the real
 * park core, Smack users Bob (101) and Alice (102).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XmppWithoutCoreTest {

    private static final int C2S = 26272;
    private static final int COMPONENT = 26397;
    private static final String SECRET = "test-secret";
    private static final String PARK = "park.example.com";
    private static final String SLOT = "102@" + PARK;

    private ProsodyServer prosody;
    private SipTestCore core;
    private ServiceParkBackend backend;
    private XmppConnector connector;
    private ChatUser bob;
    private ChatUser alice;

    @BeforeAll
    void start() throws Exception {
        prosody = new ProsodyServer("without-core", C2S, COMPONENT, PARK, SECRET, List.of("example.com"));
        prosody.register("bob", "example.com", "pw-bob");
        prosody.register("alice", "example.com", "pw-alice");
        prosody.start();
        core = SipTestCore.realTime("node-1", XmppTestDirectory.build());
        // as the XmppEntryPoint: unbound at first, the component re-sends every slot when the core is (back) there
        backend = new ServiceParkBackend(new InMemoryRosterSubscriberStore());
        ParkComponent component = new ParkComponent(backend);
        backend.onBack(component::resend);
        coreComesBack();
        connector = new XmppConnector(new XmppSettings(true, "127.0.0.1", COMPONENT, "example.com", "park", SECRET,
                Duration.ofSeconds(5)), component);
        connector.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!connector.isConnected()) {
            assertTrue(System.nanoTime() < deadline, "the component did not connect to prosody");
            Thread.sleep(20);
        }
        bob = new ChatUser("bob", "example.com", "pw-bob", C2S);
        alice = new ChatUser("alice", "example.com", "pw-alice", C2S);
        // Alice (102) owns slot 102, so the park below offers it to her. An accepting client would subscribe back at
        // once and be subscribed before her own subscribe while the core is away; Prosody (RFC 6121 3.1.6) then drops
        // the component's "subscribed" to an already subscribed user (no pending "ask"), and the test would only pass
        // when that park-time "subscribed" happened to arrive after alice.clear(). She leaves the offer pending.
        alice.acceptOffers = false;
    }

    @AfterAll
    void stop() {
        for (ChatUser u : new ChatUser[] {bob, alice}) {
            if (u != null) {
                u.close();
            }
        }
        if (connector != null) {
            connector.close();
        }
        if (core != null) {
            core.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    @Test
    void whileTheCoreIsAwayTheComponentStaysConnected_pickupsAreRefused_presenceIsResentWhenItIsBack()
            throws Exception {
        bob.subscribe(SLOT);
        assertNotNull(XmppPresenceTest.presenceFrom(bob, SLOT, Presence.Mode.available, Duration.ofSeconds(5)),
                "free presence after subscribing");
        core.service().park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension("102"), "101",
                CallerId.of("+4930123456", "Customer Name"), "leg-1"));
        assertNotNull(XmppPresenceTest.presenceFrom(bob, SLOT, Presence.Mode.dnd, Duration.ofSeconds(2)),
                "dnd presence after the park");
        assertNotNull(alice.await(Presence.class, p -> p.getType() == Presence.Type.subscribe
                && p.getFrom().asBareJid().toString().equals(SLOT), Duration.ofSeconds(2)),
                "the park offers the slot to its owner (left pending)");
        bob.clear();
        alice.clear();

        coreGoesAway();

        // (a) pickups: a clear answer, from chat and from the ad-hoc command
        bob.chat(SLOT, "pickup");
        Message reply = bob.await(Message.class, m -> m.getBody() != null, Duration.ofSeconds(2));
        assertNotNull(reply, "an answer to the chat pickup");
        assertEquals("Pickup failed: the park service is restarting, try again.", reply.getBody());
        XMPPException.XMPPErrorException error = assertThrows(XMPPException.XMPPErrorException.class,
                () -> alice.execute(SLOT, ParkComponent.PICKUP));
        assertEquals(StanzaError.Condition.service_unavailable, error.getStanzaError().getCondition());
        assertTrue(error.getStanzaError().getDescriptiveText().contains("the park service is restarting, try again"),
                error.getStanzaError().toString());

        // (b) presence queries: what is known (the directory: Alice may subscribe) or nothing (no "free" while the
        // slot's calls cannot be read) — the call is retrieved meanwhile, unseen by the component
        core.service().retrieve(new RetrieveRequest(TenantId.DEFAULT, "103", RetrieveTarget.extension("102")));
        alice.subscribe(SLOT);
        assertNotNull(alice.await(Presence.class, p -> p.getType() == Presence.Type.subscribed
                && p.getFrom().asBareJid().toString().equals(SLOT), Duration.ofSeconds(2)), "subscribed");
        List<Stanza> meanwhile = bob.drain(Duration.ofMillis(500));
        meanwhile.addAll(alice.drain(Duration.ZERO));
        assertFalse(meanwhile.stream().anyMatch(s -> s instanceof Presence p && p.getFrom() != null
                && p.getFrom().asBareJid().toString().equals(SLOT) && (p.getType() == Presence.Type.unavailable
                        || p.getType() == Presence.Type.available)),
                "no slot presence while the core is away (no restart's unavailable, no guessed state): " + meanwhile);
        assertTrue(connector.isConnected(), "the component stayed connected");

        // (c) the core is back: every subscriber gets the slot's current state (free: retrieved while away)
        coreComesBack();
        Presence bobNow = XmppPresenceTest.presenceFrom(bob, SLOT, Presence.Mode.available, Duration.ofSeconds(2));
        assertNotNull(bobNow, "presence re-sent to Bob when the core is back");
        assertEquals("free", bobNow.getStatus());
        assertNotNull(XmppPresenceTest.presenceFrom(alice, SLOT, Presence.Mode.available, Duration.ofSeconds(2)),
                "and to Alice, who subscribed while it was away");

        // (d) and it works as before
        core.service().park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension("102"), "101",
                CallerId.of("+4930999", "Second Caller"), "leg-2"));
        assertNotNull(XmppPresenceTest.presenceFrom(bob, SLOT, Presence.Mode.dnd, Duration.ofSeconds(2)),
                "park events reach the subscribers again");
        bob.chat(SLOT, "pickup");
        Message again = bob.await(Message.class, m -> m.getBody() != null, Duration.ofSeconds(5));
        assertNotNull(again, "an answer to the chat pickup");
        assertFalse(again.getBody().contains("restarting"), again.getBody());
    }

    @Test
    void unbindingAServiceThatIsNotTheBoundOneKeepsTheCore() throws Exception {
        // a greedy reference binds a new service before it unbinds the old one
        try (SipTestCore old = SipTestCore.realTime("node-1", XmppTestDirectory.build())) {
            backend.unbind(old.service());
            backend.unbind(old.directory());
        }
        assertTrue(backend.available());
    }

    @Test
    void theEntryPointsReferencesToTheCoreAreDynamicOptionalAndGreedy() throws Exception {
        Path ds = Path.of("target/classes/OSGI-INF/" + XmppEntryPoint.class.getName() + ".xml");
        String xml = Files.readString(ds);
        for (String iface : List.of("org.callpark.api.CallParkService", "org.callpark.api.DirectoryService",
                "org.callpark.spi.ClusterNode")) {
            int at = xml.indexOf("interface=\"" + iface + "\"");
            assertTrue(at > 0, iface + " in " + xml);
            String ref = xml.substring(xml.lastIndexOf("<reference", at), xml.indexOf("/>", at));
            assertTrue(ref.contains("cardinality=\"0..1\""), ref);
            assertTrue(ref.contains("policy=\"dynamic\""), ref);
            assertTrue(ref.contains("policy-option=\"greedy\""), ref);
        }
    }

    /** As SCR does when park-bundle's services are unregistered (no events either: the core is gone). */
    private void coreGoesAway() {
        core.removeListener(backend);
        backend.unbind(core.service());
        backend.unbind(core.directory());
    }

    /** As SCR does when they are registered again. */
    private void coreComesBack() {
        backend.bind(core.service());
        backend.bind(core.directory());
        core.addListener(backend);
    }
}
