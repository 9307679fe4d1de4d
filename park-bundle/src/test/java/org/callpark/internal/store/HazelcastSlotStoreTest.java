package org.callpark.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.callpark.spi.SlotStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * The Hazelcast store passes the contract with two real members in this JVM (TCP/IP join on 127.0.0.1, free ports
 * from 15701 up, a random cluster name, multicast off): node A and node B are stores on different members.
 */
class HazelcastSlotStoreTest extends SlotStoreContract {

    static {
        // Hazelcast logs through SLF4J (slf4j-simple in tests): keep its INFO chatter out of the build output.
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private HazelcastInstance memberA;
    private HazelcastInstance memberB;
    private HazelcastSlotStore storeA;
    private HazelcastSlotStore storeB;

    @BeforeAll
    void startMembers() throws IOException {
        String cluster = "callpark-test-" + UUID.randomUUID();
        int portA = freePort(15701 + ThreadLocalRandom.current().nextInt(2000));
        int portB = freePort(portA + 1);
        List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
        memberA = Hazelcast.newHazelcastInstance(memberConfig(cluster, members, portA));
        memberB = Hazelcast.newHazelcastInstance(memberConfig(cluster, members, portB));
        assertEquals(2, memberA.getCluster().getMembers().size(), "the two members formed one cluster");
        storeA = new HazelcastSlotStore(memberA, memberA.getCluster().getLocalMember().getUuid().toString());
        storeB = new HazelcastSlotStore(memberB, memberB.getCluster().getLocalMember().getUuid().toString());
    }

    @AfterAll
    void stopMembers() {
        if (storeA != null) {
            storeA.close();
            storeB.close();
        }
        if (memberB != null) {
            memberB.shutdown();
        }
        if (memberA != null) {
            memberA.shutdown();
        }
    }

    static Config memberConfig(String cluster, List<String> members, int port) {
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, members, port, false, "127.0.0.1", 1));
        config.setInstanceName(cluster + "-" + port);
        // Tests only: do not wait for other members longer than needed.
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        return config;
    }

    static int freePort(int from) throws IOException {
        for (int port = from; port < from + 200 && port < 65536; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                s.setReuseAddress(true);
                return port;
            } catch (IOException taken) {
                // next one
            }
        }
        throw new IOException("no free port from " + from);
    }

    @Override
    protected SlotStore nodeA() {
        return storeA;
    }

    @Override
    protected SlotStore nodeB() {
        return storeB;
    }

    @Test
    void theTwoNodesAreDistinctMembers() {
        assertNotEquals(storeA.localNode(), storeB.localNode());
        assertEquals(2, storeA.nodes().size());
        assertEquals(storeA.nodes().stream().sorted().toList(), storeB.nodes().stream().sorted().toList());
    }

    @Test
    void aStoppedMemberMeansStoreUnavailable() throws Exception {
        String cluster = "callpark-test-" + UUID.randomUUID();
        int port = freePort(memberB.getCluster().getLocalMember().getAddress().getPort() + 1);
        HazelcastInstance lone = Hazelcast.newHazelcastInstance(
                memberConfig(cluster, List.of("127.0.0.1:" + port), port));
        HazelcastSlotStore store = new HazelcastSlotStore(lone, "lone");
        lone.shutdown();

        for (ThrowingCall call : List.<ThrowingCall>of(() -> store.get("x"), () -> store.delete("x"),
                () -> store.update("x", SlotStoreContract.retrieve()), () -> store.all(),
                () -> store.find(SlotId.parse("default/ext/1")),
                () -> store.insert(TestCalls.parked("x", SlotId.parse("default/ext/1"))))) {
            ParkException e = assertThrows(ParkException.class, call::run);
            assertEquals(ParkException.Reason.STORE_UNAVAILABLE, e.reason());
        }
    }

    /**
     * A node updates from the value it saw last (one cluster operation instead of two); when another node changed the
     * call meanwhile, the update must still apply to what the map holds, never to the remembered value.
     */
    @Test
    void anUpdateAfterAnotherNodesChangeAppliesToTheCurrentValue() throws Exception {
        SlotId slot = SlotId.parse("default/ext/4711");
        String id = TestCalls.newId();
        ParkedCall parked = TestCalls.parked(id, slot);
        long v = parked.version();
        storeA.insert(parked); // A remembers version v
        ParkedCall atB = storeB.update(id, c -> c.carried("node-b", "leg-b", "{}")).orElseThrow();
        assertEquals(v + 1, atB.version());

        // A's remembered value (version v) is stale: a compare on it must fail and A re-read version v + 1.
        ParkedCall atA = storeA.update(id, c -> c.carried("node-a", "leg-a", c.session())).orElseThrow();
        assertEquals(v + 2, atA.version());
        assertEquals("{}", atA.session(), "B's change is kept: A updated the current value, not its stale copy");

        // A transition that refuses the remembered value is asked again about the current one.
        storeB.update(id, c -> c.carried("node-b", "leg-b2", "{}")).orElseThrow(); // v + 3; A remembers v + 2
        ParkedCall expected = storeA.update(id, c -> c.version() == v + 3 ? c.carried("node-a", "leg-a2", "{}")
                : null).orElseThrow(() -> new AssertionError("refused on A's stale copy (version v + 2)"));
        assertEquals(v + 4, expected.version());
        assertEquals("leg-a2", storeB.get(id).orElseThrow().leg());

        // Removed elsewhere: the remembered value must not resurrect it.
        storeB.delete(id);
        assertTrue(storeA.update(id, c -> c.carried("node-a", "leg-a3", "{}")).isEmpty());
        assertTrue(storeA.get(id).isEmpty());
    }

    /**
     * B answers a slot's queue from its view once it read the slot: the view follows what A parks (an older call goes
     * first), moves and takes, without B reading the records again; what B's view cannot know yet (a call parked on A
     * while B's view of the slot is empty) is found in the records.
     */
    @Test
    void theViewOfASlotFollowsTheOtherNode() throws Exception {
        SlotId slot = SlotId.group(TestCalls.newTenant(), "Sales");
        ParkedCall second = at(TestCalls.parked(TestCalls.newId(), slot), 2_000, "node-a");
        storeA.insert(second);
        assertEquals(List.of(second.id()), ids(storeB.queue(slot)), "an empty view: read from the records at once");

        ParkedCall first = at(TestCalls.parked(TestCalls.newId(), slot), 1_000, "node-a");
        storeA.insert(first);
        await(() -> ids(queue(storeB, slot)).equals(List.of(first.id(), second.id())), "B's view has A's older call first");

        storeA.update(first.id(), c -> c.carried("node-b", "leg-b", c.session())).orElseThrow();
        await(() -> queue(storeB, slot).get(0).node().equals("node-b"), "B's view follows the move");

        storeA.update(first.id(), c -> c.ended(org.callpark.api.Resolution.ANSWERED)).orElseThrow();
        await(() -> ids(queue(storeB, slot)).equals(List.of(second.id())), "B's view drops the call A took");

        storeA.update(second.id(), c -> c.ended(org.callpark.api.Resolution.ANSWERED)).orElseThrow();
        storeA.delete(second.id());
        ParkedCall third = at(TestCalls.parked(TestCalls.newId(), slot), 3_000, "node-a");
        storeA.insert(third);
        assertEquals(List.of(third.id()), ids(storeB.queueFromRecords(slot)));
    }

    private static ParkedCall at(ParkedCall c, long millisAfterT0, String node) {
        return new ParkedCall(c.id(), c.slot(), c.caller(), c.parkedBy(), c.parkGroup(),
                java.time.Instant.parse("2026-12-07T10:00:00Z").plusMillis(millisAfterT0), 0, c.state(), c.resolution(),
                c.recallAttempt(), c.recall(), node, c.leg(), c.nextActionAt(), c.version());
    }

    private static List<SlotStore.Queued> queue(SlotStore store, SlotId slot) {
        try {
            return store.queue(slot);
        } catch (ParkException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> ids(List<SlotStore.Queued> queue) {
        return queue.stream().map(SlotStore.Queued::id).toList();
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }
}
