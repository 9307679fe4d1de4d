package org.callpark.internal.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.store.HazelcastSlotStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.HazelcastInstance;

/** The member's life across component restarts and configuration changes, with real members outside OSGi. */
class ClusterMemberTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final Function<String, String> NONE = k -> null;

    private final FakeHazelcastOSGiService osgi = new FakeHazelcastOSGiService();

    @AfterEach
    void shutdown() {
        osgi.shutdownAll();
    }

    private static TestClusterConfig config() throws IOException {
        TestClusterConfig c = new TestClusterConfig();
        c.clusterName = "callpark-test-" + UUID.randomUUID();
        c.port = freePort(17701 + ThreadLocalRandom.current().nextInt(2000));
        c.portAutoIncrement = false;
        return c;
    }

    @Test
    void deactivateKeepsTheMemberAndTheNextActivationReusesIt() throws Exception {
        TestClusterConfig config = config();
        ClusterMember first = new ClusterMember(osgi, config, NONE, NONE);
        HazelcastInstance hz = first.instance();
        assertEquals(1, osgi.created.get());
        assertEquals(hz.getCluster().getLocalMember().getUuid().toString(), first.nodeId());
        hz.getMap("survivor").put("k", "v");

        first.deactivate(); // as on bundle:update of park-bundle
        assertTrue(hz.getLifecycleService().isRunning(), "deactivate must not shut the member down");

        ClusterMember second = new ClusterMember(osgi, config.copy(), NONE, NONE);
        assertSame(hz, second.instance());
        assertEquals(1, osgi.created.get());
        assertEquals("v", second.instance().getMap("survivor").get("k"));

        second.modified(config.copy()); // the second config event of a feature install
        assertSame(hz, second.instance());
        assertEquals(1, osgi.created.get());
    }

    @Test
    void activationWithOtherSettingsReplacesTheMember() throws Exception {
        TestClusterConfig config = config();
        HazelcastInstance old = new ClusterMember(osgi, config, NONE, NONE).instance();
        TestClusterConfig changed = config.copy();
        changed.backupCount = 0;

        ClusterMember member = new ClusterMember(osgi, changed, NONE, NONE);
        assertNotSame(old, member.instance());
        assertFalse(old.getLifecycleService().isRunning());
        assertEquals(2, osgi.created.get());
    }

    @Test
    void invalidChangeKeepsTheRunningMember() throws Exception {
        TestClusterConfig config = config();
        ClusterMember member = new ClusterMember(osgi, config, NONE, NONE);
        HazelcastInstance hz = member.instance();
        TestClusterConfig invalid = config.copy();
        invalid.port = -1;

        member.modified(invalid);
        assertSame(hz, member.instance());
        assertTrue(hz.getLifecycleService().isRunning());
    }

    @Test
    void changedSettingsRestartTheMemberAndTheStoreFollows() throws Exception {
        TestClusterConfig config = config();
        ClusterMember member = new ClusterMember(osgi, config, NONE, NONE);
        HazelcastInstance old = member.instance();
        HazelcastSlotStore store = new HazelcastSlotStore(member);
        List<ParkedCall> seen = new CopyOnWriteArrayList<>();
        List<HazelcastInstance> restarts = new CopyOnWriteArrayList<>();
        member.addRestartListener(restarts::add);
        try (AutoCloseable watch = store.watch((before, after) -> seen.add(after))) {
            TestClusterConfig changed = config.copy();
            changed.port = freePort(config.port + 1);
            member.modified(changed);

            assertNotSame(old, member.instance());
            assertFalse(old.getLifecycleService().isRunning());
            assertEquals(List.of(member.instance()), restarts);
            assertEquals(changed.port, member.instance().getCluster().getLocalMember().getAddress().getPort());
            assertEquals(List.of(member.nodeId()), store.nodes());

            ParkedCall call = new ParkedCall("c1", SlotId.extension(TenantId.DEFAULT, "101"), CallerId.of("1", ""),
                    "", "", Instant.ofEpochMilli(1000), 0, CallState.PARKED, null, 0,
                    new RecallPolicy(RecallMode.USER_ONLY, null, null, Duration.ofSeconds(30), Duration.ZERO, 1), "",
                    "", null, 0);
            store.insert(call);
            assertEquals(Optional.of(call), store.get("c1"));
            await(() -> seen.contains(call), "the listener registered before the restart sees the insert");
        } finally {
            store.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static int freePort(int from) throws IOException {
        for (int port = from; port < from + 200; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                return port;
            } catch (IOException taken) {
                // next one
            }
        }
        throw new IOException("no free port from " + from);
    }
}
