package org.callpark.internal.store;

import static org.callpark.internal.store.TestCalls.T0;
import static org.callpark.internal.store.TestCalls.newId;
import static org.callpark.internal.store.TestCalls.newTenant;
import static org.callpark.internal.store.TestCalls.parked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import org.callpark.api.CallState;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.SlotStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link SlotStore} must do. A subclass gives two views of one store, {@link #nodeA()} and
 * {@link #nodeB()}: two cluster members for a clustered store, the same instance for a local one. Every test uses its
 * own call ids and tenant, so the store may be shared by all tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SlotStoreContract {

    private static final Duration AWAIT = Duration.ofSeconds(5);
    private static final int THREADS = 24;

    /** The store as seen from the first node. */
    protected abstract SlotStore nodeA();

    /** The store as seen from the second node (may be the same as {@link #nodeA()}). */
    protected abstract SlotStore nodeB();

    private ExecutorService pool;

    @BeforeAll
    void startPool() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    void stopPool() {
        pool.shutdownNow();
    }

    // ---- transitions as the park service uses them

    static UnaryOperator<ParkedCall> retrieve() {
        return c -> c.isLive() ? c.ended(Resolution.ANSWERED) : null;
    }

    static UnaryOperator<ParkedCall> recallAnswered(int attempt) {
        return c -> c.state() == CallState.RECALLING && c.recallAttempt() == attempt ? c.ended(Resolution.RECALLED)
                : null;
    }

    static UnaryOperator<ParkedCall> hangUp() {
        return c -> c.isLive() ? c.ended(Resolution.ABANDONED) : null;
    }

    // ---- visibility

    @Test
    void queueListsALiveSlotFirstInFirstOutAcrossNodes() throws Exception {
        SlotId slot = SlotId.group(newTenant(), "Sales");
        ParkedCall later = withTime(parked(newId(), slot), 2_000, 1, "node-b");
        ParkedCall first = withTime(parked(newId(), slot), 1_000, 9, "node-a");
        ParkedCall sameInstantSecond = withTime(parked(newId(), slot), 2_000, 2, "node-a");
        ParkedCall ended = withTime(parked(newId(), slot), 500, 1, "node-a");
        for (ParkedCall c : List.of(later, first, sameInstantSecond, ended)) {
            nodeA().insert(c);
        }
        nodeA().update(ended.id(), retrieve());
        nodeA().insert(withTime(parked(newId(), SlotId.extension(slot.tenant(), "101")), 0, 0, "node-a"));

        List<SlotStore.Queued> queue = nodeB().queue(slot);
        assertEquals(List.of(first.id(), later.id(), sameInstantSecond.id()),
                queue.stream().map(SlotStore.Queued::id).toList());
        assertEquals(List.of("node-a", "node-b", "node-a"), queue.stream().map(SlotStore.Queued::node).toList());
        assertEquals(first.parkedAt(), queue.get(0).parkedAt());
        assertTrue(nodeA().queue(SlotId.group(slot.tenant(), "other")).isEmpty());
    }

    private static ParkedCall withTime(ParkedCall c, long millisAfterT0, long sequence, String node) {
        return new ParkedCall(c.id(), c.slot(), c.caller(), c.parkedBy(), c.parkGroup(), T0.plusMillis(millisAfterT0),
                sequence, c.state(), c.resolution(), c.recallAttempt(), c.recall(), node, c.leg(), c.nextActionAt(),
                c.version());
    }

    @Test
    void insertOnAIsVisibleOnB() throws Exception {
        TenantId tenant = newTenant();
        SlotId slot = SlotId.extension(tenant, "201");
        ParkedCall call = parked(newId(), slot);
        ParkedCall other = parked(newId(), SlotId.group(tenant, "Sales"));
        nodeA().insert(call);
        nodeA().insert(other);

        assertEquals(Optional.of(call), nodeB().get(call.id()));
        assertEquals(List.of(call), nodeB().find(slot));
        assertEquals(List.of(other), nodeB().find(SlotId.group(tenant, "sales")));
        assertEquals(2, nodeB().find(tenant).size());
        assertTrue(nodeB().find(tenant).containsAll(List.of(call, other)));
        assertTrue(nodeB().all().containsAll(List.of(call, other)));
        assertEquals(List.of(), nodeB().find(SlotId.extension(tenant, "202")));
        assertEquals(List.of(), nodeB().find(newTenant()));
    }

    @Test
    void updateOnBIsSeenOnA() throws Exception {
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        nodeA().insert(call);

        Optional<ParkedCall> updated = nodeB().update(call.id(), c -> c.recalling(1, T0.plusSeconds(90)));

        ParkedCall expected = call.recalling(1, T0.plusSeconds(90));
        assertEquals(Optional.of(expected), updated);
        assertEquals(Optional.of(expected), nodeA().get(call.id()));
        assertEquals(List.of(expected), nodeA().find(call.slot()));
    }

    @Test
    void everyFieldSurvivesTheStore() throws Exception {
        ParkedCall call = new ParkedCall(newId(), SlotId.group(newTenant(), "Front-Desk"),
                org.callpark.api.CallerId.of("sip:+49 30 <1>", "Ünïcødé \"O'Brien\" <&> 日本"), "", "", T0, 0,
                CallState.PARKED, null, 0, TestCalls.policy(), "", "", null, 0);
        nodeA().insert(call);
        assertEquals(Optional.of(call), nodeB().get(call.id()));
    }

    @Test
    void insertOfAnExistingIdIsAConflict() throws Exception {
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        nodeA().insert(call);
        ParkedCall again = parked(call.id(), SlotId.extension(newTenant(), "999"));

        ParkException e = assertThrows(ParkException.class, () -> nodeB().insert(again));
        assertEquals(ParkException.Reason.CONFLICT, e.reason());
        assertEquals(Optional.of(call), nodeA().get(call.id()));
    }

    @Test
    void updateOfAnAbsentCallIsEmpty() throws Exception {
        String id = newId();
        assertEquals(Optional.empty(), nodeA().update(id, retrieve()));
        assertEquals(Optional.empty(), nodeB().get(id));
    }

    @Test
    void transitionReturningNullChangesNothing() throws Exception {
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        nodeA().insert(call);

        assertEquals(Optional.empty(), nodeB().update(call.id(), c -> null));
        assertEquals(Optional.empty(), nodeB().update(call.id(), recallAnswered(1)));
        assertEquals(Optional.of(call), nodeA().get(call.id()));
    }

    @Test
    void transitionMustRaiseTheVersionByOne() throws Exception {
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        nodeA().insert(call);

        assertThrows(IllegalStateException.class, () -> nodeB().update(call.id(), c -> c));
        assertThrows(IllegalStateException.class,
                () -> nodeB().update(call.id(), c -> c.ended(Resolution.ANSWERED).rescheduled(null)));
        assertEquals(Optional.of(call), nodeA().get(call.id()));
    }

    // ---- races

    @Test
    void thousandRacingRetrievesHaveExactlyOneWinner() throws Exception {
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        nodeA().insert(call);

        List<Callable<Optional<ParkedCall>>> tasks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            SlotStore via = i % 2 == 0 ? nodeA() : nodeB();
            tasks.add(() -> via.update(call.id(), retrieve()));
        }
        List<Optional<ParkedCall>> results = race(tasks);

        List<ParkedCall> winners = results.stream().flatMap(Optional::stream).toList();
        assertEquals(1, winners.size(), "exactly one retrieve wins");
        ParkedCall expected = call.ended(Resolution.ANSWERED);
        assertEquals(expected, winners.get(0));
        assertEquals(Optional.of(expected), nodeA().get(call.id()));
        assertEquals(Optional.of(expected), nodeB().get(call.id()));
        assertEquals(call.version() + 1, nodeB().get(call.id()).orElseThrow().version());
    }

    @Test
    void retrieveRacingRecallAndHangUpHasExactlyOneResolution() throws Exception {
        TenantId tenant = newTenant();
        int[] wins = new int[Resolution.values().length];
        for (int round = 0; round < 200; round++) {
            int attempt = 1 + round % 3;
            ParkedCall parked = parked(newId(), SlotId.extension(tenant, "201"));
            ParkedCall recalling = parked.recalling(attempt, T0.plusSeconds(60));
            nodeA().insert(recalling);

            List<Callable<Optional<ParkedCall>>> tasks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tasks.add(() -> nodeA().update(recalling.id(), retrieve()));
                tasks.add(() -> nodeB().update(recalling.id(), retrieve()));
                tasks.add(() -> nodeA().update(recalling.id(), recallAnswered(attempt)));
                tasks.add(() -> nodeB().update(recalling.id(), recallAnswered(attempt)));
                SlotStore hangUpVia = i % 2 == 0 ? nodeA() : nodeB();
                tasks.add(() -> hangUpVia.update(recalling.id(), hangUp()));
            }
            List<ParkedCall> winners = race(tasks).stream().flatMap(Optional::stream).toList();

            assertEquals(1, winners.size(), "round " + round + ": exactly one resolution, got " + winners);
            ParkedCall winner = winners.get(0);
            assertEquals(CallState.ENDED, winner.state());
            assertEquals(recalling.version() + 1, winner.version());
            assertEquals(Optional.of(winner), nodeB().get(recalling.id()), "round " + round);
            wins[winner.resolution().ordinal()]++;
            nodeA().delete(recalling.id());
        }
        assertEquals(200, wins[Resolution.ANSWERED.ordinal()] + wins[Resolution.RECALLED.ordinal()]
                + wins[Resolution.ABANDONED.ordinal()]);
    }

    @Test
    void secondRetrieveAfterTheFirstIsEmpty() throws Exception {
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        nodeA().insert(call);

        assertEquals(Optional.of(call.ended(Resolution.ANSWERED)), nodeA().update(call.id(), retrieve()));
        assertEquals(Optional.empty(), nodeB().update(call.id(), retrieve()));
        assertEquals(Optional.empty(), nodeA().update(call.id(), retrieve()));
        assertEquals(Resolution.ANSWERED, nodeB().get(call.id()).orElseThrow().resolution());
    }

    @Test
    void releaseAfterRecallRefusesTheOldAttemptAndCanStillBeRetrieved() throws Exception {
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        nodeA().insert(call);

        ParkedCall ringing = nodeA().update(call.id(), c -> c.recalling(1, T0.plusSeconds(60))).orElseThrow();
        assertEquals(CallState.RECALLING, ringing.state());
        ParkedCall waiting = nodeB().update(call.id(),
                c -> c.state() == CallState.RECALLING && c.recallAttempt() == 1 ? c.waiting(T0.plusSeconds(120))
                        : null).orElseThrow();
        assertEquals(CallState.PARKED, waiting.state());
        assertEquals(1, waiting.recallAttempt());
        assertEquals(call.version() + 2, waiting.version());

        assertEquals(Optional.empty(), nodeA().update(call.id(), recallAnswered(1)), "answer of the old attempt");
        assertEquals(Optional.of(waiting), nodeA().get(call.id()));

        ParkedCall taken = nodeB().update(call.id(), retrieve()).orElseThrow();
        assertEquals(Resolution.ANSWERED, taken.resolution());
        assertEquals(call.version() + 3, taken.version());
        assertEquals(Optional.empty(), nodeA().update(call.id(), recallAnswered(1)));
    }

    // ---- watch

    @Test
    void listenerOnBSeesChangesMadeOnAInOrder() throws Exception {
        List<ParkedCall[]> events = new CopyOnWriteArrayList<>();
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        try (AutoCloseable r = nodeB().watch((before, after) -> {
            if (call.id().equals(id(before, after))) {
                events.add(new ParkedCall[] { before, after });
            }
        })) {
            nodeA().insert(call);
            ParkedCall ringing = nodeA().update(call.id(), c -> c.recalling(1, T0.plusSeconds(60))).orElseThrow();
            ParkedCall ended = nodeA().update(call.id(), retrieve()).orElseThrow();
            nodeA().delete(call.id());

            await(() -> events.size() >= 4, "four events");
            assertEquals(4, events.size());
            assertChange(null, call, events.get(0));
            assertChange(call, ringing, events.get(1));
            assertChange(ringing, ended, events.get(2));
            assertChange(ended, null, events.get(3));
        }
    }

    @Test
    void closedRegistrationGetsNoMoreEvents() throws Exception {
        List<ParkedCall[]> closedEvents = new CopyOnWriteArrayList<>();
        List<ParkedCall[]> markerEvents = new CopyOnWriteArrayList<>();
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        AutoCloseable closed = nodeB().watch((before, after) -> {
            if (call.id().equals(id(before, after))) {
                closedEvents.add(new ParkedCall[] { before, after });
            }
        });
        try (AutoCloseable marker = nodeB().watch((before, after) -> {
            if (call.id().equals(id(before, after))) {
                markerEvents.add(new ParkedCall[] { before, after });
            }
        })) {
            nodeA().insert(call);
            await(() -> closedEvents.size() == 1 && markerEvents.size() == 1, "the insert on both listeners");

            closed.close();
            closed.close(); // closing twice is harmless
            nodeA().update(call.id(), retrieve());
            nodeA().delete(call.id());
            await(() -> markerEvents.size() == 3, "update and delete on the open listener");
        }
        assertEquals(1, closedEvents.size(), "events after close");
    }

    @Test
    void deleteIsIdempotent() throws Exception {
        ParkedCall call = parked(newId(), SlotId.extension(newTenant(), "201"));
        nodeA().insert(call);

        nodeA().delete(call.id());
        nodeB().delete(call.id());
        nodeA().delete(newId());
        assertEquals(Optional.empty(), nodeA().get(call.id()));
        assertEquals(Optional.empty(), nodeB().get(call.id()));
        assertEquals(List.of(), nodeB().find(call.slot()));

        nodeB().insert(call); // the id is free again
        assertEquals(Optional.of(call), nodeA().get(call.id()));
    }

    @Test
    void localNodeIsOneOfTheNodes() {
        assertFalse(nodeA().localNode().isBlank());
        assertTrue(nodeA().nodes().contains(nodeA().localNode()));
        assertTrue(nodeA().nodes().contains(nodeB().localNode()));
        assertTrue(nodeB().nodes().contains(nodeA().localNode()));
    }

    // ---- helpers

    private static String id(ParkedCall before, ParkedCall after) {
        return before != null ? before.id() : after != null ? after.id() : null;
    }

    private static void assertChange(ParkedCall before, ParkedCall after, ParkedCall[] event) {
        if (before == null) {
            assertNull(event[0], "before of an add");
        } else {
            assertEquals(before, event[0]);
        }
        if (after == null) {
            assertNull(event[1], "after of a delete");
        } else {
            assertEquals(after, event[1]);
        }
    }

    /** Runs the tasks at once on the pool, behind a start gate, and returns their results. */
    private <T> List<T> race(List<Callable<T>> tasks) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(() -> {
                gate.await();
                return task.call();
            }));
        }
        gate.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(30, TimeUnit.SECONDS));
        }
        return results;
    }

    /** Polls until the condition holds, failing after {@link #AWAIT}. */
    protected static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + AWAIT.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
