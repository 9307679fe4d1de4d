package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.jivesoftware.openfire.container.Plugin;
import org.jivesoftware.openfire.container.PluginClassLoader;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.jivesoftware.openfire.component.InternalComponentManager;
import org.xmpp.packet.JID;

/**
 * The plugin artifact ({@code target/callpark.jar}) in an embedded Openfire 4.2.0, loaded by Openfire's plugin
 * manager from {@code plugins/}, against a park node (the real park core on a Hazelcast member, in its own class
 * loader) that the plugin reaches as a Hazelcast client. A Smack user with the slot JID {@code 102@park.example.com}
 * in the roster sees it available, then dnd with "Parked: … by Bob" and our element within 1 s of a park, then
 * available again within 1 s of the retrieve. Ports: Openfire client 26532, Hazelcast member 26540 (docs/testing.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenfirePluginIT {

    static final int CLIENT_PORT = 26532;
    static final int HAZELCAST_PORT = 26540;
    static final String NS = "urn:callpark:park:1";
    static final Duration WITHIN = Duration.ofSeconds(1);

    private ParkNodeControl node;
    private EmbeddedOpenfire openfire;
    private Plugin plugin;
    private SlotWatcher bob;

    @BeforeAll
    void start() throws Exception {
        Path pluginJar = PluginProbe.requiredFile("callpark.plugin.jar");
        assertEquals(6, PluginProbe.nodeJars().size(),
                "park node jars (api, core, Hazelcast, Jackson): " + PluginProbe.nodeJars());
        assertTrue(PluginProbe.classMissing("com.hazelcast.core.Hazelcast")
                && PluginProbe.classMissing("org.callpark.api.ParkedCall")
                && PluginProbe.classMissing("org.callpark.openfire.CallParkPlugin"),
                "the plugin's classes and libraries must not be on the test class path");

        String cluster = "callpark-openfire-it-" + UUID.randomUUID();
        node = PluginProbe.startNode(cluster, HAZELCAST_PORT);
        openfire = EmbeddedOpenfire.start(Path.of("target", "openfire-it").toAbsolutePath(), "example.com",
                CLIENT_PORT, List.of(pluginJar),
                Map.of(PluginSettings.MEMBERS, "127.0.0.1:" + HAZELCAST_PORT, PluginSettings.CLUSTER_NAME, cluster),
                Duration.ofSeconds(30));
        plugin = openfire.awaitPlugin("callpark", Duration.ofSeconds(30));
        PluginProbe.awaitReady(plugin, Duration.ofSeconds(20));

        openfire.createUser("bob", "bob-secret"); // bob@example.com: extension 101 in the demo directory
        bob = SlotWatcher.login(openfire, "bob", "bob-secret", "102@park.example.com");
        bob.subscribe("Park 102");
    }

    @AfterAll
    void stop() {
        if (bob != null) {
            bob.close();
        }
        if (openfire != null) {
            openfire.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /**
     * The plugin is built from the api and the XMPP bundle only: none of the park core (no store, cluster member,
     * directory service or shell command; its own small read-only store reads the cluster), no SIP stack, no B2BUA, and
     * none of the libraries Openfire brings itself (Tinder, dom4j, Whack).
     */
    @Test
    @Order(0)
    void thePluginJarCarriesNoParkCoreNoSipAndNoShell() throws Exception {
        Path jar = PluginProbe.requiredFile("callpark.plugin.jar");
        List<String> entries;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            entries = zip.stream().map(java.util.zip.ZipEntry::getName).toList();
        }
        List<String> forbidden = entries.stream().filter(e -> e.startsWith("classes/org/callpark/internal/store/")
                || e.startsWith("classes/org/callpark/internal/cluster/")
                || e.startsWith("classes/org/callpark/internal/directory/")
                || e.startsWith("classes/org/callpark/internal/shell/")
                || e.startsWith("classes/org/callpark/internal/sip/")
                || e.startsWith("classes/org/callpark/internal/blf/")
                // of org.callpark.internal only the XMPP adapter: no park core class (CallParkServiceImpl …)
                || (e.startsWith("classes/org/callpark/internal/") && e.endsWith(".class")
                        && !e.startsWith("classes/org/callpark/internal/xmpp/"))
                || e.contains("/Sip") || e.startsWith("classes/gov/nist/") || e.startsWith("classes/javax/sip/")
                || e.startsWith("lib/jain-sip") || e.startsWith("lib/org.callpark")
                || e.startsWith("classes/org/xmpp/") || e.startsWith("classes/org/dom4j/")
                || e.startsWith("classes/org/jivesoftware/whack/")).toList();
        assertTrue(forbidden.isEmpty(), "the plugin jar carries " + forbidden.size()
                + " park core/SIP/shell/library entries, e.g. " + forbidden.stream().limit(5).toList());
        assertTrue(entries.contains("classes/org/callpark/openfire/ClusterCalls.class"), "its own store is in");
        assertTrue(entries.contains("classes/org/callpark/spi/json/DirectorySnapshot.class"),
                "the api's codecs are in");
        assertTrue(entries.contains("classes/org/callpark/internal/xmpp/ParkComponent.class"), "the component is in");
        assertTrue(entries.contains("classes/org/callpark/api/CallParkService.class"), "the api is in");
        long ours = entries.stream().filter(e -> e.startsWith("classes/org/callpark/") && e.endsWith(".class")).count();
        System.out.printf("[openfire] plugin jar %s: %d bytes, %d entries, %d classes of ours%n", jar.getFileName(),
                java.nio.file.Files.size(jar), entries.size(), ours);
    }

    @Test
    @Order(1)
    void theRealPluginArtifactShowsParkedCallsAsPresence() throws Exception {
        assertEquals("org.callpark.openfire.CallParkPlugin", plugin.getClass().getName());
        assertTrue(plugin.getClass().getClassLoader() instanceof PluginClassLoader,
                "loaded by Openfire's plugin class loader from plugins/callpark/");

        Presence free = bob.awaitPresence(p -> p.getType() == Presence.Type.available, Duration.ofSeconds(5),
                "the free slot after subscribing");
        assertEquals(Presence.Mode.available, free.getMode());
        assertNotNull(free.getExtensionElement("park", NS), "our element on the free slot");

        long parkedAt = System.nanoTime();
        node.park("102", "+493012345678", "Customer Name", "101");
        Presence parked = bob.awaitPresence(p -> p.getMode() == Presence.Mode.dnd, WITHIN,
                "dnd within 1 s of the park");
        long parkMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - parkedAt);
        assertEquals("Parked: Customer Name (+493012345678) by Bob", parked.getStatus());
        StandardExtensionElement park = (StandardExtensionElement) parked.getExtensionElement("park", NS);
        assertNotNull(park, "our element on the parked slot");
        assertEquals("102", park.getAttributeValue("slot"));
        StandardExtensionElement caller = park.getFirstElement("call").getFirstElement("caller");
        assertEquals("+493012345678", caller.getAttributeValue("number"));
        assertEquals("Customer Name", caller.getAttributeValue("name"));

        long retrievedAt = System.nanoTime();
        node.retrieve("101", "102");
        Presence back = bob.awaitPresence(p -> p.getType() == Presence.Type.available
                && p.getMode() != Presence.Mode.dnd, WITHIN, "available within 1 s of the retrieve");
        long retrieveMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - retrievedAt);
        assertEquals(Presence.Mode.available, back.getMode());
        System.out.printf("OpenfirePluginIT: park -> dnd presence %d ms, retrieve -> available %d ms%n", parkMs,
                retrieveMs);
    }

    @Test
    @Order(2)
    void aHostileCallerNameArrivesAsTextAndChatPickupSaysWhatToDial() throws Exception {
        String hostile = "</status><message to='x'>\"&<";
        node.park("102", "+493099999", hostile, "101");
        Presence parked = bob.awaitPresence(p -> p.getMode() == Presence.Mode.dnd, WITHIN,
                "dnd for the hostile name");
        assertEquals("Parked: " + hostile + " (+493099999) by Bob", parked.getStatus());
        StandardExtensionElement park = (StandardExtensionElement) parked.getExtensionElement("park", NS);
        StandardExtensionElement caller = park.getFirstElement("call").getFirstElement("caller");
        assertEquals(hostile, caller.getAttributeValue("name"), park.toXML().toString());

        bob.clearMessages();
        bob.connection.sendStanza(
                MessageBuilder.buildMessage().to(bob.slot).ofType(Message.Type.chat).setBody("pickup").build());
        Message answer = bob.awaitMessage(m -> m.getType() == Message.Type.chat, Duration.ofSeconds(5),
                "the answer to 'pickup'");
        assertTrue(answer.getBody().contains("dial *88102 from your phone"), answer.getBody());

        node.retrieve("101", "102");
        bob.awaitPresence(p -> p.getMode() != Presence.Mode.dnd, WITHIN, "available again");
    }

    @Test
    @Order(3)
    void deletingThePluginRemovesTheComponentAndDisconnects() throws Exception {
        JID component = new JID("park.example.com");
        assertTrue(InternalComponentManager.getInstance().hasComponent(component));
        assertEquals(1, node.connectedClients(), "the plugin's Hazelcast client");

        // what the admin console's "delete plugin" does: remove the JAR, the plugin monitor unloads the plugin
        openfire.server().getPluginManager().deletePlugin("callpark");

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((node.connectedClients() > 0 || InternalComponentManager.getInstance().hasComponent(component))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(InternalComponentManager.getInstance().hasComponent(component), "component removed");
        assertEquals(0, node.connectedClients(), "the plugin's Hazelcast client disconnected");
    }
}
