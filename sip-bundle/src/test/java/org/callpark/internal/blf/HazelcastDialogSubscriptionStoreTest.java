package org.callpark.internal.blf;

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
}
