package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.openfire.node.ParkNode;
import org.callpark.spi.json.CallCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;

/**
 * The plugin's read-only store against a real park node (the real core on the Hazelcast store, a member on 26543),
 * read through a Hazelcast client as inside Openfire: the same calls in pickup order and the same events the core
 * made, with nothing but the api's codecs.
 */
class ClusterCallsTest {

    private static final String CLUSTER = "callpark-clustercalls-test";
    private static final int PORT = 26543;
    private static final SlotId SLOT = SlotId.extension(TenantId.DEFAULT, "102");

    private ParkNode node;
    private HazelcastInstance client;
    private ClusterCalls calls;

    @BeforeEach
    void start() throws Exception {
        node = new ParkNode(CLUSTER, PORT, Path.of("../park-bundle/src/main/config/org.callpark.directory.cfg"));
        ClientConfig config = new ClientConfig();
        config.setClusterName(CLUSTER);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().addAddress("127.0.0.1:" + PORT);
        client = HazelcastClient.newHazelcastClient(config);
        calls = new ClusterCalls(client.getMap(CallCodec.MAP));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.shutdown();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void seesTheCoresCallsInPickupOrderAndItsEvents() throws Exception {
        BlockingQueue<ParkEvent> events = new LinkedBlockingQueue<>();
        try (AutoCloseable listening = calls.listen(events::add)) {
            String first = node.park("102", "+4930111", "First Caller", "104");
            String second = node.park("102", "+4930222", "Second Caller", "104");
            assertEquals(List.of(first, second), ids(calls.live(SLOT)));
            assertEquals("First Caller", calls.live(SLOT).get(0).caller().displayName());

            assertEquals(first, node.retrieve("101", "102"), "the core picks up the oldest, as listed");
            assertEquals(List.of(second), ids(calls.live(SLOT)), "the retrieved call is no longer live");

            assertEquals(List.of(ParkEvent.Type.PARKED, ParkEvent.Type.PARKED, ParkEvent.Type.RETRIEVED),
                    List.of(next(events).type(), next(events).type(), next(events).type()));
        }
        node.park("102", "+4930333", "Third Caller", "104");
        assertNull(events.poll(300, TimeUnit.MILLISECONDS), "no events after the handle was closed");
        assertEquals(List.of(), ids(calls.live(SlotId.extension(TenantId.DEFAULT, "103"))), "another slot is empty");
    }

    private static List<String> ids(List<ParkedCall> list) {
        return list.stream().map(ParkedCall::id).toList();
    }

    private static ParkEvent next(BlockingQueue<ParkEvent> events) throws InterruptedException {
        ParkEvent e = events.poll(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no park event within 5 s");
        }
        return e;
    }
}
