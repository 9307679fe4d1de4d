package org.callpark.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.callpark.api.CallParkService;
import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.TenantId;
import org.callpark.internal.store.HazelcastSlotStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * The takeover compare-and-set ({@link CallParkService#carry}) against everything else that changes a parked call, on
 * two real Hazelcast members with the real core on each: racing carriers, and a carrier racing a retrieve, a hang-up
 * and the recall ladder. Whatever the interleaving, exactly one carrier wins and every call ends with exactly one
 * resolution, seen once by every node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TakeoverRaceTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final int ROUNDS = 40;

    private HazelcastInstance ha;
    private HazelcastInstance hb;
    private SipTestCore a;
    private SipTestCore b;
    private final List<ParkEvent> eventsA = Collections.synchronizedList(new ArrayList<>());
    private final List<ParkEvent> eventsB = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @BeforeAll
    void start() {
        String cluster = "callpark-race-" + UUID.randomUUID();
        int base = 23701 + java.util.concurrent.ThreadLocalRandom.current().nextInt(200) * 2;
        List<String> members = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
        ha = TestCluster.member(cluster, members, base);
        hb = TestCluster.member(cluster, members, base + 1);
        // short recall timers, no dialer: the ladder runs to TIMED_OUT by itself within a second or two
        org.callpark.api.Directory dir = SipTestCore.recallDirectory(Duration.ofMillis(150), Duration.ofMillis(50), 2);
        a = SipTestCore.clustered(new HazelcastSlotStore(ha, ha.getCluster().getLocalMember().getUuid().toString()),
                dir);
        b = SipTestCore.clustered(new HazelcastSlotStore(hb, hb.getCluster().getLocalMember().getUuid().toString()),
                dir);
        a.addListener(eventsA::add);
        b.addListener(eventsB::add);
    }

    @AfterAll
    void stop() {
        pool.shutdownNow();
        a.close();
        b.close();
        hb.shutdown();
        ha.shutdown();
    }

    private ParkedCall park(SipTestCore core, String ext) throws ParkException {
        return core.service().park(new ParkRequest(DEFAULT, ParkTarget.extension(ext), "101",
                CallerId.of("+4930123", "Customer"), "leg-" + UUID.randomUUID(), "{\"sip\":1,\"callId\":\"x\"}"));
    }

    /** Runs the tasks at the same instant (a barrier), returns their results. */
    private <T> List<T> race(List<Callable<T>> tasks) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(tasks.size());
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> t : tasks) {
            futures.add(pool.submit(() -> {
                barrier.await(5, TimeUnit.SECONDS);
                return t.call();
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(10, TimeUnit.SECONDS));
        }
        return results;
    }

    private long finalEvents(List<ParkEvent> events, String callId) {
        synchronized (events) {
            return events.stream().filter(e -> e.call().id().equals(callId) && e.type().isFinal()).count();
        }
    }

    private void awaitOneResolutionEverywhere(String callId) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end
                && (finalEvents(eventsA, callId) < 1 || finalEvents(eventsB, callId) < 1)) {
            Thread.sleep(5);
        }
        Thread.sleep(50); // a second final event would come right behind the first
        assertEquals(1, finalEvents(eventsA, callId), "exactly one final event on A for " + callId);
        assertEquals(1, finalEvents(eventsB, callId), "exactly one final event on B for " + callId);
    }

    @Test
    void twoNodesTakingOverTheSameCallAtOnce_oneWins() throws Exception {
        int decided = 0;
        for (int i = 0; i < ROUNDS; i++) {
            ParkedCall call = park(a, "102");
            List<Optional<ParkedCall>> results = race(List.of(
                    () -> a.service().carry(call.id(), call.version(), "node-a", "leg-a", "{\"sip\":1,\"by\":\"a\"}"),
                    () -> b.service().carry(call.id(), call.version(), "node-b", "leg-b", "{\"sip\":1,\"by\":\"b\"}")));
            List<ParkedCall> winners = results.stream().flatMap(Optional::stream).toList();
            assertTrue(winners.size() <= 1, "never two carriers: " + results);
            Optional<ParkedCall> stored = b.service().find(call.id());
            if (winners.isEmpty()) {
                // Allowed only if the recall ladder (150 ms here) changed the call first: then neither carrier's
                // expected version was current, and the record names neither of them.
                assertTrue(stored.isEmpty() || stored.get().version() > call.version()
                        && !stored.get().node().startsWith("node-"), "no carrier won, yet the call did not change: "
                        + stored);
            } else {
                decided++;
                if (stored.isPresent() && stored.get().isLive()) {
                    assertEquals(winners.get(0).node(), stored.get().node(), "the record names the winner");
                    assertEquals(winners.get(0).leg(), stored.get().leg());
                }
            }
            try {
                a.service().end(call.id(), Resolution.FORCED);
            } catch (ParkException e) {
                // the ladder ended it already (TIMED_OUT)
            }
            awaitOneResolutionEverywhere(call.id());
        }
        assertTrue(decided >= ROUNDS / 2, "a carrier won in only " + decided + " of " + ROUNDS + " rounds");
    }

    @Test
    void aTakeoverRacingARetrieveAndAHangUp_exactlyOneResolution() throws Exception {
        AtomicInteger carried = new AtomicInteger();
        AtomicInteger retrieved = new AtomicInteger();
        AtomicInteger hungUp = new AtomicInteger();
        for (int i = 0; i < ROUNDS; i++) {
            ParkedCall call = park(a, "103");
            race(List.<Callable<Object>>of(
                    () -> b.service().carry(call.id(), call.version(), "node-b", "leg-b", "{\"sip\":1}")
                            .map(c -> carried.incrementAndGet()),
                    () -> {
                        try {
                            return retrieved.addAndGet(a.service().retrieve(new RetrieveRequest(DEFAULT, "101",
                                    RetrieveTarget.call(call.id()))).resolution() == Resolution.ANSWERED ? 1 : 0);
                        } catch (ParkException e) {
                            return e.reason();
                        }
                    },
                    () -> {
                        try {
                            return hungUp.addAndGet(b.service().end(call.id(), Resolution.ABANDONED)
                                    .resolution() == Resolution.ABANDONED ? 1 : 0);
                        } catch (ParkException e) {
                            return e.reason();
                        }
                    }));
            awaitOneResolutionEverywhere(call.id());
            assertTrue(a.service().find(call.id()).isEmpty(), "gone once resolved");
            assertTrue(b.service().carry(call.id(), call.version() + 1, "node-b", "leg-b2", "{}").isEmpty(),
                    "an ended call cannot be carried");
        }
        assertEquals(ROUNDS, retrieved.get() + hungUp.get(), "each round one of retrieve and hang-up won");
        System.out.printf("[race] %d rounds: carried first %d, retrieved %d, hung up %d%n", ROUNDS, carried.get(),
                retrieved.get(), hungUp.get());
    }

    @Test
    void takeoversRacingTheRecallLadder_theLadderEndsTheCallOnceAndCarryingNeverResurrectsIt() throws Exception {
        for (int i = 0; i < 10; i++) {
            ParkedCall call = park(a, "101");
            String id = call.id();
            AtomicInteger carries = new AtomicInteger();
            // two "nodes" keep taking the call over from each other while its recall steps fire (no dialer: every
            // step fails at once, the ladder runs to TIMED_OUT)
            List<Callable<Integer>> movers = new ArrayList<>();
            for (SipTestCore core : List.of(a, b)) {
                movers.add(() -> {
                    long end = System.currentTimeMillis() + 5_000;
                    while (System.currentTimeMillis() < end) {
                        Optional<ParkedCall> now = core.service().find(id);
                        if (now.isEmpty()) {
                            return carries.get();
                        }
                        ParkedCall c = now.get();
                        if (core.service().carry(id, c.version(), c.node(), "leg-" + UUID.randomUUID(),
                                "{\"sip\":1}").isPresent()) {
                            carries.incrementAndGet();
                        }
                    }
                    return carries.get();
                });
            }
            race(movers);
            awaitOneResolutionEverywhere(id);
            ParkEvent last;
            synchronized (eventsA) {
                last = eventsA.stream().filter(e -> e.call().id().equals(id) && e.type().isFinal()).findFirst()
                        .orElseThrow();
            }
            assertEquals(ParkEvent.Type.TIMED_OUT, last.type(), "the ladder ended it");
            assertTrue(carries.get() > 0, "the call was carried while its recall steps ran");
        }
    }
}
