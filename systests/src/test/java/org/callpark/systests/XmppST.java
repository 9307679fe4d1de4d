package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.callpark.internal.xmpp.ChatUser;
import org.callpark.internal.xmpp.ProsodyServer;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Park presence through the real server: a real Prosody (c2s 127.0.0.1:26242, component port 26367) started before
 * the assembly, the assembly's XMPP entry point connecting to it as {@code park.example.com} (its
 * {@code etc/org.callpark.xmpp.cfg} points it there; Tinder, Whack and dom4j run embedded in the OSGi bundle), Bob
 * (101, bob@example.com in the shipped directory) on Smack, and sipp parking a customer on 102 with Referred-By 101.
 */
class XmppST {

    private static final int C2S = 26242;
    private static final int COMPONENT = 26367;
    private static final String SECRET = "systest-secret";
    private static final String SLOT = "102@park.example.com";

    static final AssemblyServer SERVER = new AssemblyServer().etcFile("org.callpark.xmpp.cfg",
            "host = 127.0.0.1\nport = " + COMPONENT + "\ndomain = example.com\nsubdomain = park\nsecret = " + SECRET
                    + "\n");
    private static ProsodyServer prosody;
    private static ChatUser bob;
    private static ChatUser alice;

    @BeforeAll
    static void start() throws Exception {
        prosody = new ProsodyServer("systest", C2S, COMPONENT, "park.example.com", SECRET, List.of("example.com"));
        prosody.register("bob", "example.com", "pw-bob").register("alice", "example.com", "pw-alice");
        prosody.start();
        SERVER.start("XmppST");
        bob = new ChatUser("bob", "example.com", "pw-bob", C2S);
        alice = new ChatUser("alice", "example.com", "pw-alice", C2S);
    }

    @AfterAll
    static void stop() {
        if (bob != null) {
            bob.close();
        }
        if (alice != null) {
            alice.close();
        }
        SERVER.stop();
        if (prosody != null) {
            prosody.close();
        }
    }

    private static Presence presence(ChatUser user, Presence.Mode mode, Duration max) throws InterruptedException {
        return user.await(Presence.class, p -> p.getFrom() != null && p.getFrom().asBareJid().toString().equals(SLOT)
                && p.getType() == Presence.Type.available && p.getMode() == mode, max);
    }

    /** Bob subscribes to the slot until the component answers (it connects in the background once Karaf is up). */
    private static Presence subscribeBob() throws Exception {
        Presence free = null;
        long deadline = System.currentTimeMillis() + 60_000;
        while (free == null && System.currentTimeMillis() < deadline) {
            bob.subscribe(SLOT);
            free = presence(bob, Presence.Mode.available, Duration.ofSeconds(2));
        }
        assertNotNull(free, "the assembly's component answered Bob's subscription");
        return free;
    }

    @Test
    void parkedCallShowsAsDndOnTheSlotContact_andFreeAfterTheCallerHangsUp() throws Exception {
        Presence free = subscribeBob();
        assertEquals("free", free.getStatus());

        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp sipp = Sipp.scenario("park", SERVER).service("*68102").name("xmpp-park").from("Customer", "+4930123")
                .referredBy("101").media(rtp.port(), "PCMU").set("HOLD_MS", 3000).timeout(25);
        try {
            sipp.start();
            Presence busy = presence(bob, Presence.Mode.dnd, Duration.ofSeconds(10));
            assertNotNull(busy, "dnd presence while the call is parked\n" + sipp.diagnostics());
            System.out.printf("[systests] INVITE sent -> dnd presence at the client: %d ms%n",
                    (System.nanoTime() - sipp.startedNanos()) / 1_000_000);
            assertEquals("Parked: Customer (+4930123) by Bob", busy.getStatus());
            assertTrue(busy.toXML().toString().contains("urn:callpark:park:1"), busy.toXML().toString());
            // Alice owns 102: she is offered the slot and gets the pop-up.
            Message headline = alice.await(Message.class, m -> m.getType() == Message.Type.headline,
                    Duration.ofSeconds(5));
            assertNotNull(headline, "Alice's headline");
            assertEquals("Call from Customer (+4930123) parked on 102 \u2014 dial *88102 or reply 'pickup'",
                    headline.getBody());
            sipp.run(); // the customer hangs up after HOLD_MS
            assertNotNull(presence(bob, Presence.Mode.available, Duration.ofSeconds(10)),
                    "free again after the caller hung up");
        } finally {
            sipp.kill();
            rtp.close();
        }
    }

    /**
     * {@code bundle:update org.callpark.xmpp} with a call parked: the new revision's component connects again and
     * tells Bob, who subscribed before the update, that the slot is still busy — within 2 s of the update.
     */
    @Test
    void anUpdateOfTheXmppBundleResendsThePresenceOfAParkedCall() throws Exception {
        subscribeBob();

        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp sipp = Sipp.scenario("park", SERVER).service("*68102").name("xmpp-update").from("Customer", "+4930123")
                .referredBy("101").media(rtp.port(), "PCMU").set("HOLD_MS", 20000).timeout(40);
        try {
            sipp.start();
            assertNotNull(presence(bob, Presence.Mode.dnd, Duration.ofSeconds(10)),
                    "dnd presence while the call is parked\n" + sipp.diagnostics());
            bob.clear();
            String out = HotUpdateST.shell(SERVER, "bundle:update org.callpark.xmpp");
            long t0 = System.nanoTime(); // the shell client's own start (a JVM) is not the component's time
            assertTrue(out.isBlank(), "bundle:update org.callpark.xmpp printed: " + out);
            Presence again = presence(bob, Presence.Mode.dnd, Duration.ofSeconds(10));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("[systests] bundle:update org.callpark.xmpp returned -> dnd presence again at the client:"
                    + " %d ms%n", ms);
            assertNotNull(again, "the updated component told Bob the slot is busy");
            assertEquals("Parked: Customer (+4930123) by Bob", again.getStatus());
            assertTrue(ms <= 2_000, "presence re-sent " + ms + " ms after the update (at most 2 s)");
            sipp.run(); // the customer hangs up after HOLD_MS
            assertNotNull(presence(bob, Presence.Mode.available, Duration.ofSeconds(20)),
                    "free again after the caller hung up");
        } finally {
            sipp.kill();
            rtp.close();
        }
    }

    /**
     * {@code bundle:update org.callpark.park} with a call parked: the XMPP component references the core dynamically,
     * so it stays connected (Bob never sees the slot {@code unavailable}, as a restarted component would send) and
     * re-sends the slot's presence (still busy) once the core is back.
     */
    @Test
    void anUpdateOfTheParkCoreKeepsTheComponentConnectedAndResendsPresence() throws Exception {
        subscribeBob();

        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp sipp = Sipp.scenario("park", SERVER).service("*68102").name("xmpp-core-update")
                .from("Customer", "+4930123").referredBy("101").media(rtp.port(), "PCMU").set("HOLD_MS", 20000)
                .timeout(40);
        try {
            sipp.start();
            assertNotNull(presence(bob, Presence.Mode.dnd, Duration.ofSeconds(10)),
                    "dnd presence while the call is parked\n" + sipp.diagnostics());
            bob.clear();
            String out = HotUpdateST.shell(SERVER, "bundle:update org.callpark.park");
            long t0 = System.nanoTime();
            assertTrue(out.isBlank(), "bundle:update org.callpark.park printed: " + out);
            Presence again = presence(bob, Presence.Mode.dnd, Duration.ofSeconds(10));
            System.out.printf("[systests] bundle:update org.callpark.park returned -> dnd presence re-sent: %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            assertNotNull(again, "the component re-sent the slot's presence when the core was back");
            assertEquals("Parked: Customer (+4930123) by Bob", again.getStatus());
            List<org.jivesoftware.smack.packet.Stanza> meanwhile = bob.drain(Duration.ofMillis(500));
            assertTrue(meanwhile.stream().noneMatch(st -> st instanceof Presence p && p.getFrom() != null
                    && p.getFrom().asBareJid().toString().equals(SLOT) && p.getType() == Presence.Type.unavailable),
                    "the slot went unavailable (the component restarted): " + meanwhile);
            sipp.run(); // the customer hangs up after HOLD_MS
            assertNotNull(presence(bob, Presence.Mode.available, Duration.ofSeconds(20)),
                    "free again after the caller hung up");
        } finally {
            sipp.kill();
            rtp.close();
        }
    }
}
