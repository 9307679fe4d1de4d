package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import org.callpark.api.TenantId;
import org.callpark.internal.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.hazelcast.core.HazelcastInstance;

/**
 * Bindings made on one node are found on the other (two real members): those made before the other node's first
 * lookup and those made after it, refreshed, removed and expired ones are gone there; a lookup answers from the node's
 * copy, which follows the map's events.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistrationsTest {

    private HazelcastInstance ha;
    private HazelcastInstance hb;
    private Registrations a;
    private Registrations b;

    @BeforeAll
    void start() throws Exception {
        String cluster = "registrations-" + UUID.randomUUID();
        int pa = TestCluster.freePort(23701 + ThreadLocalRandom.current().nextInt(300));
        int pb = TestCluster.freePort(pa + 2);
        List<String> members = List.of("127.0.0.1:" + pa, "127.0.0.1:" + pb);
        ha = TestCluster.member(cluster, members, pa);
        hb = TestCluster.member(cluster, members, pb);
        a = new Registrations(() -> ha);
        b = new Registrations(() -> hb);
    }

    @AfterAll
    void stop() {
        a.close();
        b.close();
        hb.shutdown();
        ha.shutdown();
    }

    private static Registrations.Binding binding(TenantId t, String ext, String contact, long ttlSeconds) {
        return new Registrations.Binding(t, ext, contact, System.currentTimeMillis() + ttlSeconds * 1000,
                "10.0.0.7:5060", "udp", "reg-" + contact, 1);
    }

    private static List<String> contacts(Registrations r, TenantId t, String ext) {
        return r.lookup(t, ext).stream().map(Registrations.Binding::contact).toList();
    }

    @Test
    void bindingsMadeOnOneNodeAreFoundOnTheOther() throws Exception {
        TenantId t = TenantId.of("t" + UUID.randomUUID().toString().substring(0, 8));
        a.put(binding(t, "101", "sip:101@10.0.0.7:5060", 600), 600); // before B's copy exists
        assertEquals(List.of("sip:101@10.0.0.7:5060"), contacts(b, t, "101"));

        a.put(binding(t, "101", "sip:101@10.0.0.8:5060", 900), 900); // after: B follows the event
        await(() -> contacts(b, t, "101").equals(List.of("sip:101@10.0.0.8:5060", "sip:101@10.0.0.7:5060")),
                "B has the second contact, the one that expires last first");
        assertEquals(List.of(), contacts(b, t, "1010"), "another AOR with the same first digits has nothing");

        a.remove(t, "101", "sip:101@10.0.0.7:5060");
        assertEquals(List.of("sip:101@10.0.0.8:5060"), contacts(a, t, "101"), "A's own removal, at once");
        await(() -> contacts(b, t, "101").equals(List.of("sip:101@10.0.0.8:5060")), "B drops the removed one");

        b.removeAll(t, "101");
        await(() -> contacts(a, t, "101").isEmpty(), "A drops what B removed");
    }

    @Test
    void anExpiredBindingIsNotFound() throws Exception {
        TenantId t = TenantId.of("t" + UUID.randomUUID().toString().substring(0, 8));
        Registrations.Binding shortLived = binding(t, "102", "sip:102@10.0.0.9:5060", 1);
        a.put(shortLived, 1);
        await(() -> contacts(b, t, "102").size() == 1, "B sees the binding");
        await(() -> System.currentTimeMillis() > shortLived.expiresAt(), "the binding's expiry passed");
        assertTrue(contacts(a, t, "102").isEmpty());
        assertTrue(contacts(b, t, "102").isEmpty());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
