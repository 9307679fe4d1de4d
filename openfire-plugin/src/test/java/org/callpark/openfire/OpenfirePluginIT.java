package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jivesoftware.openfire.container.Plugin;
import org.jivesoftware.openfire.container.PluginClassLoader;
import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The plugin artifact ({@code target/callpark.jar}) in an embedded Openfire 4.2.0, loaded by Openfire's plugin
 * manager from {@code plugins/}, against a park node (real park core on a Hazelcast member, in its own class loader)
 * that the plugin reaches as a Hazelcast client. A Smack user with the slot JID {@code 102@park.example.com} in the
 * roster sees it available, then dnd with "Parked: … by Bob" and our element within 1 s of a park, then available
 * again after the retrieve. Ports: Openfire client 26532, Hazelcast member 26540 (docs/testing.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenfirePluginIT {

    static final int CLIENT_PORT = 26532;
    static final int HAZELCAST_PORT = 26540;
    static final String NS = "urn:callpark:park:1";
    static final Duration WITHIN = Duration.ofSeconds(1);

    private ParkNodeControl node;
    private EmbeddedOpenfire openfire;
    private Plugin plugin;
    private XMPPTCPConnection bob;
    private BareJid slot;
    private final BlockingQueue<Presence> slotPresence = new LinkedBlockingQueue<>();
    private final BlockingQueue<Message> slotMessages = new LinkedBlockingQueue<>();

    @BeforeAll
    void start() throws Exception {
        Path pluginJar = requiredFile("callpark.plugin.jar");
        Path cfg = requiredFile("callpark.directory.cfg");
        List<Path> nodeJars = Arrays.stream(System.getProperty("callpark.node.classpath", "").split(","))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
        assertEquals(5, nodeJars.size(), "park-bundle, Hazelcast and Jackson jars for the park node: " + nodeJars);
        assertTrue(classMissing("com.hazelcast.core.Hazelcast") && classMissing("org.callpark.api.ParkedCall")
                && classMissing("org.callpark.openfire.CallParkPlugin"),
                "the plugin's classes and libraries must not be on the test class path");

        String cluster = "callpark-openfire-it-" + UUID.randomUUID();
        node = IsolatedNodeLoader.of(requiredFile("callpark.node.classes"), nodeJars)
                .startNode(cluster, HAZELCAST_PORT, cfg);

        openfire = EmbeddedOpenfire.start(Path.of("target", "openfire-it").toAbsolutePath(), "example.com",
                CLIENT_PORT, List.of(pluginJar),
                Map.of(PluginSettings.MEMBERS, "127.0.0.1:" + HAZELCAST_PORT, PluginSettings.CLUSTER_NAME, cluster),
                Duration.ofSeconds(30));
        plugin = openfire.awaitPlugin("callpark", Duration.ofSeconds(30));
        awaitConnected(plugin, Duration.ofSeconds(20));

        openfire.createUser("bob", "bob-secret"); // bob@example.com: extension 101 in the demo directory
        bob = SmackClients.connect(openfire, "bob", "bob-secret");
        slot = JidCreate.bareFrom("102@park.example.com");
        bob.addSyncStanzaListener(p -> slotPresence.add((Presence) p),
                new AndFilter(StanzaTypeFilter.PRESENCE, FromMatchesFilter.createBare(slot)));
        bob.addSyncStanzaListener(m -> slotMessages.add((Message) m),
                new AndFilter(StanzaTypeFilter.MESSAGE, FromMatchesFilter.createBare(slot)));
        Roster roster = Roster.getInstanceFor(bob);
        roster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        roster.createItemAndRequestSubscription(slot, "Park 102", null);
    }

    @AfterAll
    void stop() {
        if (bob != null) {
            bob.instantShutdown();
        }
        if (openfire != null) {
            openfire.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theRealPluginArtifactShowsParkedCallsAsPresence() throws Exception {
        assertEquals("org.callpark.openfire.CallParkPlugin", plugin.getClass().getName());
        assertTrue(plugin.getClass().getClassLoader() instanceof PluginClassLoader,
                "loaded by Openfire's plugin class loader from plugins/callpark/");

        Presence free = awaitPresence(p -> p.getType() == Presence.Type.available, Duration.ofSeconds(5),
                "the free slot after subscribing");
        assertEquals(Presence.Mode.available, free.getMode());
        assertNotNull(free.getExtensionElement("park", NS), "our element on the free slot");

        long parkedAt = System.nanoTime();
        node.park("102", "+493012345678", "Customer Name", "101");
        Presence parked = awaitPresence(p -> p.getMode() == Presence.Mode.dnd, WITHIN, "dnd within 1 s of the park");
        long parkMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - parkedAt);
        assertEquals("Parked: Customer Name (+493012345678) by Bob", parked.getStatus());
        ExtensionElement park = parked.getExtensionElement("park", NS);
        assertNotNull(park, "our element on the parked slot");
        String xml = park.toXML().toString();
        assertTrue(xml.contains("+493012345678") && xml.contains("Customer Name"), xml);

        long retrievedAt = System.nanoTime();
        node.retrieve("101", "102");
        Presence back = awaitPresence(p -> p.getType() == Presence.Type.available
                && p.getMode() != Presence.Mode.dnd, WITHIN, "available within 1 s of the retrieve");
        long retrieveMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - retrievedAt);
        assertEquals(Presence.Mode.available, back.getMode());
        System.out.printf("OpenfirePluginIT: park -> dnd presence %d ms, retrieve -> available %d ms%n", parkMs,
                retrieveMs);
    }

    @Test
    void aHostileCallerNameArrivesAsTextAndChatPickupSaysWhatToDial() throws Exception {
        String hostile = "</status><message to='x'>\"&<";
        node.park("102", "+493099999", hostile, "101");
        Presence parked = awaitPresence(p -> p.getMode() == Presence.Mode.dnd, WITHIN, "dnd for the hostile name");
        assertEquals("Parked: " + hostile + " (+493099999) by Bob", parked.getStatus());
        StandardExtensionElement park = (StandardExtensionElement) parked.getExtensionElement("park", NS);
        StandardExtensionElement caller = park.getFirstElement("call").getFirstElement("caller");
        assertEquals(hostile, caller.getAttributeValue("name"), park.toXML().toString());

        slotMessages.clear();
        bob.sendStanza(MessageBuilder.buildMessage().to(slot).ofType(Message.Type.chat).setBody("pickup").build());
        Message answer = awaitMessage(m -> m.getType() == Message.Type.chat, Duration.ofSeconds(5));
        assertTrue(answer.getBody().contains("dial *88102 from your phone"), answer.getBody());

        node.retrieve("101", "102");
        awaitPresence(p -> p.getMode() != Presence.Mode.dnd, WITHIN, "available again");
    }

    private Presence awaitPresence(java.util.function.Predicate<Presence> wanted, Duration within, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Presence p = left > 0 ? slotPresence.poll(left, TimeUnit.NANOSECONDS) : null;
            if (p == null) {
                return fail("no presence of " + slot + " matching '" + what + "' within " + within);
            }
            if (wanted.test(p)) {
                return p;
            }
        }
    }

    private Message awaitMessage(java.util.function.Predicate<Message> wanted, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Message m = left > 0 ? slotMessages.poll(left, TimeUnit.NANOSECONDS) : null;
            if (m == null) {
                return fail("no chat answer from " + slot + " within " + within);
            }
            if (wanted.test(m)) {
                return m;
            }
        }
    }

    /** Until the plugin's cluster client has connected and read the directory (ClusterParkBackend#isReady). */
    private static void awaitConnected(Plugin plugin, Duration timeout) throws Exception {
        var backendMethod = plugin.getClass().getDeclaredMethod("backend");
        backendMethod.setAccessible(true);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Object backend = backendMethod.invoke(plugin);
            if (backend != null && (boolean) backend.getClass().getMethod("isReady").invoke(backend)) {
                return;
            }
            Thread.sleep(50);
        }
        fail("the plugin did not connect to the park cluster within " + timeout);
    }

    private static Path requiredFile(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value))) {
            // a missing artifact is a build problem: fail, never skip (CI or not)
            fail("system property " + property + " must name an existing file: " + value
                    + " (run through Maven: mvn verify -pl openfire-plugin -am)");
        }
        return Path.of(value);
    }

    private static boolean classMissing(String name) {
        try {
            Class.forName(name, false, OpenfirePluginIT.class.getClassLoader());
            return false;
        } catch (ClassNotFoundException e) {
            return true;
        }
    }
}
