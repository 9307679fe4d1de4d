package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jivesoftware.openfire.container.Plugin;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Openfire with the plugin starts and serves users while no park node runs; when the cluster comes up later the
 * plugin connects by itself and slot presence works; after the whole cluster was gone longer than the connect
 * timeout and came back, it connects again. Ports: Openfire client 26533, Hazelcast member 26541
 * (docs/testing.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenfirePluginLateClusterIT {

    static final int CLIENT_PORT = 26533;
    static final int HAZELCAST_PORT = 26541;

    private final String cluster = "callpark-openfire-late-" + UUID.randomUUID();
    private EmbeddedOpenfire openfire;
    private ParkNodeControl node;
    private SlotWatcher alice;

    @BeforeAll
    void startOpenfireOnly() throws Exception {
        openfire = EmbeddedOpenfire.start(Path.of("target", "openfire-late").toAbsolutePath(), "example.com",
                CLIENT_PORT, List.of(PluginProbe.requiredFile("callpark.plugin.jar")),
                Map.of(PluginSettings.MEMBERS, "127.0.0.1:" + HAZELCAST_PORT, PluginSettings.CLUSTER_NAME, cluster,
                        PluginSettings.CONNECT_TIMEOUT, "2"),
                Duration.ofSeconds(30));
        openfire.createUser("alice", "alice-secret"); // alice@example.com: extension 102
    }

    @AfterAll
    void stop() {
        if (alice != null) {
            alice.close();
        }
        if (openfire != null) {
            openfire.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void connectsWhenTheClusterComesUpLater() throws Exception {
        Plugin plugin = openfire.awaitPlugin("callpark", Duration.ofSeconds(30));
        alice = SlotWatcher.login(openfire, "alice", "alice-secret", "102@park.example.com");
        assertTrue(alice.connection.isAuthenticated(), "Openfire serves users while the park cluster is down");
        Thread.sleep(500);
        assertFalse(PluginProbe.isReady(plugin));

        node = PluginProbe.startNode(cluster, HAZELCAST_PORT);
        PluginProbe.awaitReady(plugin, Duration.ofSeconds(20));

        alice.subscribe("My park slot");
        alice.awaitPresence(p -> p.getType() == Presence.Type.available, Duration.ofSeconds(5), "free");
        node.park("102", "+4930555", "Late Caller", "104");
        Presence parked = alice.awaitPresence(p -> p.getMode() == Presence.Mode.dnd, Duration.ofSeconds(1), "dnd");
        assertEquals("Parked: Late Caller (+4930555) by Dave", parked.getStatus());

        // The whole cluster goes away for longer than the client's connect timeout (2 s): the client gives up, the
        // plugin starts connecting anew and finds the restarted cluster. The restarted cluster lost every call and
        // subscription record; Alice's client probes the slot when she logs in again, which re-subscribes her.
        node.close();
        node = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (PluginProbe.isReady(plugin) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(PluginProbe.isReady(plugin), "the plugin noticed that the cluster is gone");
        node = PluginProbe.startNode(cluster, HAZELCAST_PORT);
        PluginProbe.awaitReady(plugin, Duration.ofSeconds(20));

        alice.close();
        alice = SlotWatcher.login(openfire, "alice", "alice-secret", "102@park.example.com");
        alice.awaitPresence(p -> p.getType() == Presence.Type.available && p.getMode() != Presence.Mode.dnd,
                Duration.ofSeconds(5), "free after the cluster restart");
        node.park("102", "+4930666", "Second Caller", "104");
        Presence again = alice.awaitPresence(p -> p.getMode() == Presence.Mode.dnd, Duration.ofSeconds(1),
                "dnd after the cluster restart");
        assertEquals("Parked: Second Caller (+4930666) by Dave", again.getStatus());
    }
}
