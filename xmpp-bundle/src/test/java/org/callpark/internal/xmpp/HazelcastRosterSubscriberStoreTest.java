package org.callpark.internal.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.callpark.internal.xmpp.RosterSubscriberStore.State;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * The subscriber store on two real Hazelcast members (127.0.0.1:26711-26712) of one cluster, as two park servers see
 * it: the same view from both, one offer between them when both offer at once, plain JSON strings in the map.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HazelcastRosterSubscriberStoreTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private HazelcastInstance one;
    private HazelcastInstance two;

    @BeforeAll
    void start() {
        String cluster = "callpark-xmpp-store-" + UUID.randomUUID();
        one = member(cluster, 26711);
        two = member(cluster, 26712);
    }

    private static HazelcastInstance member(String cluster, int port) {
        Config config = MemberConfigFactory.build(new MemberSettings(cluster,
                List.of("127.0.0.1:26711", "127.0.0.1:26712"), port, false, "127.0.0.1", 0));
        config.setInstanceName(cluster + "-" + port);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        return Hazelcast.newHazelcastInstance(config);
    }

    @AfterAll
    void stop() {
        if (one != null) {
            one.shutdown();
        }
        if (two != null) {
            two.shutdown();
        }
    }

    @Test
    void bothNodesSeeTheSameSubscribers_valuesArePlainJson() {
        RosterSubscriberStore a = new HazelcastRosterSubscriberStore(() -> one);
        RosterSubscriberStore b = new HazelcastRosterSubscriberStore(() -> two);
        a.set("102@park.example.com", "bob@example.com", State.SUBSCRIBED);
        b.set("102@park.example.com", "carol@example.com", State.DECLINED);
        assertEquals(Map.of("bob@example.com", State.SUBSCRIBED, "carol@example.com", State.DECLINED),
                b.subscribers("102@park.example.com"));
        assertEquals(a.subscribers("102@park.example.com"), b.subscribers("102@park.example.com"));
        assertTrue(a.slots().contains("102@park.example.com"));
        assertEquals("{\"bob@example.com\":\"SUBSCRIBED\",\"carol@example.com\":\"DECLINED\"}",
                one.getMap(HazelcastRosterSubscriberStore.MAP).get("102@park.example.com"));
        assertEquals(Map.of(), a.subscribers("nobody@park.example.com"));
    }

    @Test
    void anOfferIsMadeOnce_evenWhenBothNodesOfferAtOnce() throws Exception {
        RosterSubscriberStore a = new HazelcastRosterSubscriberStore(() -> one);
        RosterSubscriberStore b = new HazelcastRosterSubscriberStore(() -> two);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                String slot = "sales" + round + "@park.example.com";
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> offers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    RosterSubscriberStore s = i % 2 == 0 ? a : b;
                    offers.add(pool.submit(() -> {
                        go.await();
                        return s.offer(slot, "alice@example.com");
                    }));
                }
                go.countDown();
                int made = 0;
                for (Future<Boolean> f : offers) {
                    made += f.get() ? 1 : 0;
                }
                assertEquals(1, made, "offers made in round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
        // Once answered, never offered again.
        a.set("sales0@park.example.com", "alice@example.com", State.DECLINED);
        assertFalse(b.offer("sales0@park.example.com", "alice@example.com"));
        assertEquals(Set.of("alice@example.com"), a.subscribers("sales0@park.example.com").keySet());
    }
}
