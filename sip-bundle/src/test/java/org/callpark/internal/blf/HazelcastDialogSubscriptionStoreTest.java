package org.callpark.internal.blf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;

/**
 * The contract on two real Hazelcast members (one cluster, fixed ports 25930/25931, docs/testing.md), each store on
 * its own member, so every compare-and-set may cross the wire.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HazelcastDialogSubscriptionStoreTest extends DialogSubscriptionStoreContract {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private HazelcastInstance one;
    private HazelcastInstance two;
    private int turn;

    @BeforeAll
    void start() {
        String cluster = "callpark-blf-store-" + UUID.randomUUID();
        List<String> members = List.of("127.0.0.1:25930", "127.0.0.1:25931");
        one = member(cluster, members, 25930);
        two = member(cluster, members, 25931);
    }

    private static HazelcastInstance member(String cluster, List<String> members, int port) {
        Config c = MemberConfigFactory.build(new MemberSettings(cluster, members, port, false, "127.0.0.1", 1));
        c.setInstanceName(cluster + "-" + port);
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        return Hazelcast.newHazelcastInstance(c);
    }

    @AfterAll
    void stop() {
        if (two != null) {
            two.shutdown();
        }
        if (one != null) {
            one.shutdown();
        }
    }

    @AfterEach
    void clear() {
        one.getMap(HazelcastDialogSubscriptionStore.MAP_NAME).clear();
    }

    @Override
    DialogSubscriptionStore store() {
        HazelcastInstance hz = turn++ % 2 == 0 ? one : two;
        return new HazelcastDialogSubscriptionStore(() -> hz);
    }

    @Test
    void aNewSubscriptionHasATtl() {
        DialogSubscriptionStore s = new HazelcastDialogSubscriptionStore(() -> one);
        Subscription a = sub("ttl", "default/ext/101");
        s.put(a);
        IMap<String, HazelcastJsonValue> map = one.getMap(HazelcastDialogSubscriptionStore.MAP_NAME);
        long ttl = map.getEntryView(a.id()).getTtl();
        assertTrue(ttl > 0 && ttl < Long.MAX_VALUE, "a TTL is set: " + ttl);
    }

    @Test
    void aDeadNodesSubscriptionsAreNotifiedByThePartitionOwner() {
        Subscription orphan = new Subscription("c9;t1", "default", "default/ext/101", "sip:*88101@x", "sip:*88101@x",
                "102", "c9", "t1", "r1", "sip:*88101@x", "<sip:102@x>", "sip:102@127.0.0.1:5070", List.of(), "udp",
                UUID.randomUUID().toString(), System.currentTimeMillis() + 60_000, 0, -1);
        String oneId = one.getCluster().getLocalMember().getUuid().toString();
        String twoId = two.getCluster().getLocalMember().getUuid().toString();
        boolean byOne = new HazelcastDialogSubscriptionStore(() -> one).notifiesHere(orphan, oneId);
        boolean byTwo = new HazelcastDialogSubscriptionStore(() -> two).notifiesHere(orphan, twoId);
        assertTrue(byOne ^ byTwo, "exactly one member takes over: " + byOne + "/" + byTwo);
        Subscription ofOne = new Subscription("c8;t1", "default", "default/ext/101", "sip:*88101@x", "sip:*88101@x",
                "102", "c8", "t1", "r1", "sip:*88101@x", "<sip:102@x>", "sip:102@127.0.0.1:5070", List.of(), "udp",
                oneId, System.currentTimeMillis() + 60_000, 0, -1);
        assertTrue(new HazelcastDialogSubscriptionStore(() -> one).notifiesHere(ofOne, oneId));
        assertFalse(new HazelcastDialogSubscriptionStore(() -> two).notifiesHere(ofOne, twoId), "its node is alive");
    }

    /**
     * {@link DialogSubscriptionStore#forSlot} answers from each node's copy (issue 17): a subscription accepted on one
     * node, its NOTIFY counters and its removal reach the other node's answers through the map's events; one written
     * before the other node's first question is read from the map; a cleared map is read again.
     */
    @Test
    void eachNodesAnswerFollowsTheOtherNodesSubscriptions() throws Exception {
        HazelcastDialogSubscriptionStore a = new HazelcastDialogSubscriptionStore(() -> one);
        HazelcastDialogSubscriptionStore b = new HazelcastDialogSubscriptionStore(() -> two);
        try {
            a.put(sub("before", "default/ext/101"));
            assertEquals(List.of("before"), callIds(b.forSlot("default/ext/101")), "read from the map");
            assertEquals(List.of("before"), callIds(a.forSlot("default/ext/101")));

            Subscription later = sub("later", "default/ext/101");
            a.put(later);
            assertEquals(List.of("before", "later"), callIds(a.forSlot("default/ext/101")), "its own write, at once");
            await(() -> callIds(b.forSlot("default/ext/101")).equals(List.of("before", "later")));

            Subscription counted = a.next(later.id()).orElseThrow();
            await(() -> b.forSlot("default/ext/101").stream().anyMatch(
                    s -> s.id().equals(later.id()) && s.version() == counted.version()));

            assertTrue(a.remove(later.id()));
            assertEquals(List.of("before"), callIds(a.forSlot("default/ext/101")));
            await(() -> callIds(b.forSlot("default/ext/101")).equals(List.of("before")));
            assertTrue(b.forSlot("default/group/sales").isEmpty());

            one.getMap(HazelcastDialogSubscriptionStore.MAP_NAME).clear(); // no entry events, one "cleared"
            await(() -> b.forSlot("default/ext/101").isEmpty());
        } finally {
            a.close();
            b.close();
        }
    }

    private static List<String> callIds(List<Subscription> subs) {
        return subs.stream().map(Subscription::callId).sorted().toList();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not seen within 10 s");
            Thread.sleep(20);
        }
    }
}
