package org.callpark.internal.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.callpark.internal.SipTestCore;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.impl.JidCreate;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

/**
 * Park presence end to end with real peers: a real Prosody (c2s 127.0.0.1:26222, component port 26347), the
 * {@link ParkComponent} connected to it as an external component by {@link XmppConnector} (Whack), the real park core
 * ({@code CallParkServiceImpl} on the in-memory store) behind {@link ServiceParkBackend}, and Smack clients as the chat
 * users: Bob (101), Alice (102), Carol (103, Sales), Dave (104, not in Sales) of tenant {@code default}
 * ({@code @example.com}) and Karl (201) of tenant {@code acme} ({@code @acme.test}).
 * Pickup with a real phone is {@code org.callpark.internal.sip.XmppPickupTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XmppPresenceTest {

    static final int C2S = 26222;
    static final int COMPONENT = 26347;
    static final String SECRET = "test-secret";
    static final String PARK = "park.example.com";
    static final TenantId DEFAULT = TenantId.DEFAULT;
    static final TenantId ACME = TenantId.of("acme");
    /** The issue's bound for presence after a park or retrieve. */
    static final Duration PROMPT = Duration.ofSeconds(1);

    private ProsodyServer prosody;
    private SipTestCore core;
    private ServiceParkBackend backend;
    private ParkComponent component;
    private XmppConnector connector;
    private ChatUser bob;
    private ChatUser alice;
    private ChatUser carol;
    private ChatUser dave;
    private ChatUser karl;

    @BeforeAll
    void start() throws Exception {
        prosody = new ProsodyServer("presence", C2S, COMPONENT, PARK, SECRET, List.of("example.com", "acme.test"));
        for (String u : List.of("bob", "alice", "carol", "dave")) {
            prosody.register(u, "example.com", "pw-" + u);
        }
        prosody.register("karl", "acme.test", "pw-karl");
        prosody.register("eve", "example.com", "pw-eve"); // a chat user the directory does not know
        prosody.start();
        core = SipTestCore.realTime("node-1", XmppTestDirectory.build());
        backend = new ServiceParkBackend(core.service(), core.directory(), new InMemoryRosterSubscriberStore());
        core.addListener(backend);
        component = new ParkComponent(backend);
        connector = connect();
        bob = new ChatUser("bob", "example.com", "pw-bob", C2S);
        alice = new ChatUser("alice", "example.com", "pw-alice", C2S);
        carol = new ChatUser("carol", "example.com", "pw-carol", C2S);
        dave = new ChatUser("dave", "example.com", "pw-dave", C2S);
        karl = new ChatUser("karl", "acme.test", "pw-karl", C2S);
    }

    private XmppConnector connect() throws InterruptedException {
        XmppSettings settings = new XmppSettings(true, "127.0.0.1", COMPONENT, "example.com", "park", SECRET,
                Duration.ofSeconds(5));
        XmppConnector c = new XmppConnector(settings, component);
        c.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!c.isConnected()) {
            assertTrue(System.nanoTime() < deadline, "the component did not connect to prosody");
            Thread.sleep(20);
        }
        return c;
    }

    @AfterAll
    void stop() {
        for (ChatUser u : new ChatUser[] {bob, alice, carol, dave, karl}) {
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

    @AfterEach
    void cleanUp() throws Exception {
        for (ParkedCall call : core.service().list()) {
            try {
                core.service().end(call.id(), Resolution.FORCED);
            } catch (ParkException e) {
                // ended meanwhile
            }
        }
        Thread.sleep(200);
        for (ChatUser u : new ChatUser[] {bob, alice, carol, dave, karl}) {
            u.clear();
        }
    }

    private ParkedCall park(ParkTarget target, String parker, String number, String name) throws ParkException {
        return core.service().park(new ParkRequest(DEFAULT, target, parker, CallerId.of(number, name), "leg"));
    }

    static Presence presenceFrom(ChatUser user, String slot, Presence.Mode mode, Duration max)
            throws InterruptedException {
        return user.await(Presence.class, p -> p.getFrom() != null && p.getFrom().asBareJid().toString().equals(slot)
                && p.getType() == Presence.Type.available && p.getMode() == mode, max);
    }

    /** Our {@code <park xmlns='urn:callpark:park:1'>} child, parsed from the stanza as received. */
    static Element park(Stanza stanza) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        org.w3c.dom.Document doc = f.newDocumentBuilder()
                .parse(new InputSource(new StringReader(stanza.toXML().toString())));
        org.w3c.dom.NodeList list = doc.getElementsByTagNameNS(ParkComponent.NAMESPACE, "park");
        assertEquals(1, list.getLength(), "one park element in " + stanza.toXML());
        return (Element) list.item(0);
    }

    static Element child(Element parent, String name) {
        org.w3c.dom.NodeList list = parent.getElementsByTagNameNS(ParkComponent.NAMESPACE, name);
        return list.getLength() == 0 ? null : (Element) list.item(0);
    }

    // ------------------------------------------------------------------------------------------ presence

    @Test
    void subscribedUserSeesParkAsDndAndRetrieveAsFree() throws Exception {
        String slot = "102@" + PARK;
        bob.subscribe(slot);
        Presence free = presenceFrom(bob, slot, Presence.Mode.available, Duration.ofSeconds(5));
        assertNotNull(free, "free presence after subscribing");
        assertEquals("free", free.getStatus());
        assertEquals("free", park(free).getAttribute("state"));

        long t0 = System.nanoTime();
        ParkedCall call = park(ParkTarget.extension("102"), "101", "+4930123456", "Customer Name");
        Presence busy = presenceFrom(bob, slot, Presence.Mode.dnd, PROMPT);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertNotNull(busy, "dnd presence within " + PROMPT);
        System.out.printf("park -> dnd presence at the client: %d ms%n", ms);
        assertEquals("Parked: Customer Name (+4930123456) by Bob", busy.getStatus());
        Element park = park(busy);
        assertEquals("102", park.getAttribute("slot"));
        assertEquals("extension", park.getAttribute("kind"));
        assertEquals("parked", park.getAttribute("state"));
        assertEquals("1", park.getAttribute("calls"));
        assertEquals("sip:*88102@example.com", park.getAttribute("retrieve"));
        Element c = child(park, "call");
        assertEquals(call.id(), c.getAttribute("id"));
        assertEquals(call.parkedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), Instant.parse(c.getAttribute("since")));
        assertEquals("+4930123456", child(c, "caller").getAttribute("number"));
        assertEquals("Customer Name", child(c, "caller").getAttribute("name"));
        assertEquals("101", child(c, "parker").getAttribute("extension"));
        assertEquals("Bob", child(c, "parker").getAttribute("name"));

        t0 = System.nanoTime();
        core.service().retrieve(new RetrieveRequest(DEFAULT, "103", RetrieveTarget.extension("102")));
        Presence again = presenceFrom(bob, slot, Presence.Mode.available, PROMPT);
        System.out.printf("retrieve -> free presence at the client: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertNotNull(again, "available presence within " + PROMPT + " after the retrieve");
        assertEquals("free", again.getStatus());
        assertEquals("0", park(again).getAttribute("calls"));
    }

    @Test
    void ownerIsOfferedTheSlotOnceAndGetsAHeadline() throws Exception {
        String slot = "102@" + PARK;
        alice.clear();
        park(ParkTarget.extension("102"), "101", "+4930999", "First Caller");
        Presence offer = alice.await(Presence.class, p -> p.getType() == Presence.Type.subscribe
                && p.getFrom().toString().equals("102@" + PARK), Duration.ofSeconds(2));
        Message headline = alice.await(Message.class, m -> m.getType() == Message.Type.headline,
                Duration.ofSeconds(2));
        assertNotNull(headline, "headline at park time");
        assertEquals("102@" + PARK, headline.getFrom().asBareJid().toString());
        assertEquals("Call from First Caller (+4930999) parked on 102 \u2014 dial *88102 or reply 'pickup'",
                headline.getBody());
        assertEquals("parked", park(headline).getAttribute("state"));
        if (offer != null) {
            // Alice's client accepted and subscribed back: she now sees the slot busy.
            assertNotNull(presenceFrom(alice, slot, Presence.Mode.dnd, Duration.ofSeconds(2)),
                    "dnd presence after accepting the offer");
        } else {
            // An earlier test already offered 102 to Alice (the offer is sent once per user and slot).
            assertNotNull(presenceFrom(alice, slot, Presence.Mode.dnd, Duration.ofSeconds(2)));
        }
        // A second park on the same slot: another headline, but no second subscription request.
        park(ParkTarget.extension("102"), "101", "+4930888", "Second Caller");
        assertNotNull(alice.await(Message.class, m -> m.getType() == Message.Type.headline
                && m.getBody().contains("Second Caller"), Duration.ofSeconds(2)));
        List<Stanza> rest = alice.drain(Duration.ofMillis(500));
        assertFalse(rest.stream().anyMatch(s -> s instanceof Presence p && p.getType() == Presence.Type.subscribe),
                "a second subscription request: " + rest);
    }

    @Test
    void callerNamesCannotInjectMarkup() throws Exception {
        String slot = "103@" + PARK;
        bob.subscribe(slot);
        assertNotNull(presenceFrom(bob, slot, Presence.Mode.available, Duration.ofSeconds(5)));
        String nasty = "</status><message to='x'>\"&<\u0007";
        park(ParkTarget.extension("103"), "101", "+49<&>", nasty);
        Presence busy = presenceFrom(bob, slot, Presence.Mode.dnd, Duration.ofSeconds(2));
        assertNotNull(busy, "the stream survived and the presence arrived");
        assertEquals("Parked: </status><message to='x'>\"&< (+49<&>) by Bob", busy.getStatus());
        Element caller = child(child(park(busy), "call"), "caller");
        assertEquals("</status><message to='x'>\"&<", caller.getAttribute("name"));
        assertEquals("+49<&>", caller.getAttribute("number"));
        List<Stanza> rest = bob.drain(Duration.ofMillis(300));
        assertFalse(rest.stream().anyMatch(s -> s instanceof Message), "an injected message arrived: " + rest);
        // The component is still connected and answering.
        assertTrue(connector.isConnected());
    }

    @Test
    void groupSlotIsForMembersOnly() throws Exception {
        String slot = "sales@" + PARK;
        carol.subscribe(slot);
        assertNotNull(presenceFrom(carol, slot, Presence.Mode.available, Duration.ofSeconds(5)));
        dave.subscribe(slot);
        Presence refused = dave.await(Presence.class, p -> p.getType() == Presence.Type.unsubscribed
                && p.getFrom().asBareJid().toString().equals(slot), Duration.ofSeconds(5));
        assertNotNull(refused, "a non-member's subscription is refused");

        park(ParkTarget.ownGroup(), "101", "+4930777", "Group Caller");
        Presence busy = presenceFrom(carol, slot, Presence.Mode.dnd, PROMPT);
        assertNotNull(busy);
        assertEquals("Parked: Group Caller (+4930777) by Bob", busy.getStatus());
        assertEquals("Sales", park(busy).getAttribute("slot"));
        assertEquals("group", park(busy).getAttribute("kind"));
        assertEquals("sip:*88700@example.com", park(busy).getAttribute("retrieve"));
        List<Stanza> daves = dave.drain(Duration.ofMillis(300));
        assertFalse(daves.stream().anyMatch(s -> s instanceof Presence p && p.getMode() == Presence.Mode.dnd),
                "a non-member saw the group's call: " + daves);
    }

    @Test
    void anotherTenantNeverSeesOrPicksUpTheCall() throws Exception {
        String slot = "102@" + PARK;
        karl.subscribe(slot);
        Presence refused = karl.await(Presence.class, p -> p.getType() == Presence.Type.unsubscribed
                && p.getFrom().asBareJid().toString().equals(slot), Duration.ofSeconds(5));
        assertNotNull(refused, "acme's Karl has no slot 102");
        park(ParkTarget.extension("102"), "101", "+4930555", "Default Tenant Caller");
        karl.chat(slot, "pickup");
        Message answer = karl.await(Message.class, m -> m.getBody() != null, Duration.ofSeconds(5));
        assertNotNull(answer);
        assertTrue(answer.getBody().contains("no park slot '102'"), answer.getBody());
        XMPPException.XMPPErrorException error = org.junit.jupiter.api.Assertions.assertThrows(
                XMPPException.XMPPErrorException.class, () -> karl.execute(slot, ParkComponent.PICKUP));
        assertEquals(StanzaError.Condition.item_not_found, error.getStanzaError().getCondition());
        List<Stanza> all = karl.drain(Duration.ofMillis(300));
        assertFalse(all.stream().anyMatch(s -> s.toXML().toString().contains("Default Tenant Caller")),
                "acme saw default's caller: " + all);
        // His own tenant's slot works.
        karl.subscribe("201@" + PARK);
        assertNotNull(presenceFrom(karl, "201@" + PARK, Presence.Mode.available, Duration.ofSeconds(5)));
    }

    @Test
    void aJidTheDirectoryDoesNotKnowGetsNothing() throws Exception {
        try (ChatUser eve = new ChatUser("eve", "example.com", "pw-eve", C2S)) {
            park(ParkTarget.extension("102"), "101", "+4930666", "Secret Caller");
            eve.subscribe("102@" + PARK);
            assertNotNull(eve.await(Presence.class, p -> p.getType() == Presence.Type.unsubscribed,
                    Duration.ofSeconds(5)), "subscription refused");
            XMPPException.XMPPErrorException error = org.junit.jupiter.api.Assertions.assertThrows(
                    XMPPException.XMPPErrorException.class, () -> eve.execute("102@" + PARK, ParkComponent.PICKUP));
            assertEquals(StanzaError.Condition.forbidden, error.getStanzaError().getCondition());
            List<Stanza> all = eve.drain(Duration.ofMillis(300));
            assertFalse(all.stream().anyMatch(s -> s.toXML().toString().contains("Secret Caller")), all.toString());
            assertEquals(1, core.service().list().size(), "the call is still parked");
        }
    }

    @Test
    void nonMemberPickupOfAGroupCallIsForbidden() throws Exception {
        park(ParkTarget.ownGroup(), "101", "+4930444", "Group Caller");
        XMPPException.XMPPErrorException error = org.junit.jupiter.api.Assertions.assertThrows(
                XMPPException.XMPPErrorException.class, () -> dave.execute("sales@" + PARK, ParkComponent.PICKUP));
        assertEquals(StanzaError.Condition.forbidden, error.getStanzaError().getCondition());
        assertEquals(1, core.service().list().size(), "the call is still parked");
    }

    @Test
    void userLoggingInAgainGetsTheCurrentStateFromTheServersProbe() throws Exception {
        String slot = "101@" + PARK;
        carol.subscribe(slot);
        assertNotNull(presenceFrom(carol, slot, Presence.Mode.available, Duration.ofSeconds(5)));
        carol.close();
        park(ParkTarget.extension("101"), "102", "+4930222", "Probe Caller");
        carol = new ChatUser("carol", "example.com", "pw-carol", C2S);
        // Carol's initial presence makes the server probe her contacts; the component answers from current state.
        Presence busy = presenceFrom(carol, slot, Presence.Mode.dnd, Duration.ofSeconds(5));
        assertNotNull(busy, "the probe was answered with the current state");
        assertEquals("Parked: Probe Caller (+4930222) by Alice", busy.getStatus());
    }

    @Test
    void slotsOfferThePickupCommand() throws Exception {
        DiscoverItems items = ServiceDiscoveryManager.getInstanceFor(bob.connection())
                .discoverItems(JidCreate.from("102@" + PARK), "http://jabber.org/protocol/commands");
        assertEquals(1, items.getItems().size());
        assertEquals("pickup", items.getItems().get(0).getNode());
        assertTrue(ServiceDiscoveryManager.getInstanceFor(bob.connection())
                .supportsFeature(JidCreate.from("102@" + PARK), "http://jabber.org/protocol/commands"));
    }

    @Test
    void componentRestartResendsEveryState() throws Exception {
        String slot = "104@" + PARK;
        bob.subscribe(slot);
        assertNotNull(presenceFrom(bob, slot, Presence.Mode.available, Duration.ofSeconds(5)));
        connector.close();
        Presence gone = bob.await(Presence.class, p -> p.getFrom().asBareJid().toString().equals(slot)
                && p.getType() == Presence.Type.unavailable, Duration.ofSeconds(2));
        assertNotNull(gone, "a clean stop takes the slot offline (no stale state)");
        // Parked while the component is away: nobody can be told now.
        park(ParkTarget.extension("104"), "101", "+4930333", "While Away");
        assertNull(presenceFrom(bob, slot, Presence.Mode.dnd, Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        connector = connect();
        Presence busy = presenceFrom(bob, slot, Presence.Mode.dnd, Duration.ofSeconds(5));
        System.out.printf("component reconnect -> state re-sent at the client: %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertNotNull(busy, "state re-sent after the component reconnected");
        assertEquals("Parked: While Away (+4930333) by Bob", busy.getStatus());
    }
}
