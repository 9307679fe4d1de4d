package org.callpark.internal.blf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** What every {@link DialogSubscriptionStore} must do; one subclass per implementation. */
abstract class DialogSubscriptionStoreContract {

    /** A fresh, empty store. */
    abstract DialogSubscriptionStore store();

    static Subscription sub(String callId, String slot) {
        return new Subscription(Subscription.idOf(callId, "t1"), "default", slot, "sip:*88101@example.com",
                "sip:*88101@example.com", "102", callId, "t1", "r1", "sip:*88101@example.com",
                "\"Alice\" <sip:102@example.com>", "sip:102@127.0.0.1:5070;transport=udp",
                List.of("<sip:127.0.0.1:5060;lr>"), "udp", "node-1", System.currentTimeMillis() + 600_000, 0, -1);
    }

    @Test
    void putGetRemove() {
        DialogSubscriptionStore s = store();
        Subscription a = sub("c1", "default/ext/101");
        s.put(a);
        assertEquals(a, s.get(a.id()).orElseThrow(), "a JSON round trip keeps every field");
        assertTrue(s.remove(a.id()));
        assertFalse(s.remove(a.id()));
        assertTrue(s.get(a.id()).isEmpty());
    }

    @Test
    void bySlot() {
        DialogSubscriptionStore s = store();
        s.put(sub("c1", "default/ext/101"));
        s.put(sub("c2", "default/ext/101"));
        s.put(sub("c3", "default/group/sales"));
        assertEquals(Set.of("c1", "c2"), Set.copyOf(s.forSlot("default/ext/101").stream().map(Subscription::callId)
                .toList()));
        assertEquals(1, s.forSlot("default/group/sales").size());
        assertTrue(s.forSlot("acme/ext/101").isEmpty());
    }

    @Test
    void nextGivesEveryVersionExactlyOnceUnderContention() throws Exception {
        DialogSubscriptionStore s = store();
        Subscription a = sub("c1", "default/ext/101");
        s.put(a);
        Set<Long> versions = ConcurrentHashMap.newKeySet();
        Set<Long> cseqs = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        Subscription n = s.next(a.id()).orElseThrow();
                        assertTrue(versions.add(n.version()), "version " + n.version() + " twice");
                        assertTrue(cseqs.add(n.cseq()), "cseq " + n.cseq() + " twice");
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(200, versions.size());
        assertEquals(0L, versions.stream().mapToLong(Long::longValue).min().orElseThrow(), "the first is 0");
        assertEquals(199L, s.get(a.id()).orElseThrow().version());
        assertEquals(200L, s.get(a.id()).orElseThrow().cseq());
    }

    @Test
    void nextAgainstAStaleCopyStillCountsOnce() {
        DialogSubscriptionStore s = store();
        Subscription a = sub("c1", "default/ext/101");
        s.put(a);
        Subscription known = s.forSlot("default/ext/101").get(0);
        assertEquals(0, s.next(known).orElseThrow().version(), "fresh copy: one compare-and-set");
        assertEquals(1, s.next(known).orElseThrow().version(), "stale copy: read again, no repeat");
        assertEquals(2, s.next(a.id()).orElseThrow().version());
        s.remove(a.id());
        assertTrue(s.next(known).isEmpty(), "gone is gone");
    }

    @Test
    void refreshKeepsTheCountersAndTakesTheNewTarget() {
        DialogSubscriptionStore s = store();
        Subscription a = sub("c1", "default/ext/101");
        s.put(a);
        s.next(a.id());
        long later = System.currentTimeMillis() + 900_000;
        Subscription r = s.refresh(a.id(), later, "sip:102@127.0.0.1:5080").orElseThrow();
        assertEquals(later, r.expiresAt());
        assertEquals("sip:102@127.0.0.1:5080", r.remoteTarget());
        assertEquals(0, r.version());
        assertEquals(r, s.get(a.id()).orElseThrow());
    }

    @Test
    void nothingHappensToAGoneSubscription() {
        DialogSubscriptionStore s = store();
        assertTrue(s.next("nope;t").isEmpty());
        assertTrue(s.refresh("nope;t", System.currentTimeMillis() + 1000, null).isEmpty());
    }

    @Test
    void sweepRemovesWhatExpiredLongAgoEvenAfterNotifies() {
        DialogSubscriptionStore s = store();
        Subscription live = sub("live", "default/ext/101");
        Subscription dead = new Subscription("dead;t1", "default", "default/ext/101", "e", "r", "102", "dead", "t1",
                "r1", "l", "<sip:102@x>", "sip:102@127.0.0.1:5070", List.of(), "udp", "gone-node",
                System.currentTimeMillis() + 60_000, 0, -1);
        s.put(live);
        s.put(dead);
        s.next(dead.id()); // a changed entry (replace drops a Hazelcast TTL): only the sweep removes it
        assertEquals(0, s.sweep(System.currentTimeMillis()), "nothing expired yet");
        long afterDeadsGrace = System.currentTimeMillis() + 61_000 + HazelcastDialogSubscriptionStore.GRACE_MILLIS;
        assertEquals(1, s.sweep(afterDeadsGrace), "the dead one (60 s) is swept, the live one (600 s) stays");
        assertTrue(s.get(dead.id()).isEmpty());
        assertTrue(s.get(live.id()).isPresent());
    }

    @Test
    void theAcceptingNodeNotifies() {
        DialogSubscriptionStore s = store();
        Subscription a = sub("c1", "default/ext/101");
        s.put(a);
        assertTrue(s.notifiesHere(a, "node-1"));
    }
}
