package org.callpark.internal;

import static org.callpark.internal.DemoDirectory.ACME;
import static org.callpark.internal.DemoDirectory.DEFAULT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.internal.store.InMemorySlotStore;
import org.callpark.spi.SlotStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CallParkServiceImplTest {

    private static final CallerId CUSTOMER = CallerId.of("+4930123456", "Customer");

    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final ManualTimers timers = new ManualTimers(Instant.parse("2026-11-25T10:00:00Z"));
    private final RecordingDialer dialer = new RecordingDialer();
    private InMemorySlotStore store;
    private FakeDirectoryService directory;
    private CallParkServiceImpl service;

    /** Runs dispatched events at once, on the caller's thread. */
    static final class DirectExecutor extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    @BeforeEach
    void start() {
        store = new InMemorySlotStore("node-a");
        directory = new FakeDirectoryService(DemoDirectory.build());
        service = newService(timers);
    }

    private CallParkServiceImpl newService(Timers t) {
        CallParkServiceImpl s = new CallParkServiceImpl(directory, store, t, new DirectExecutor());
        s.setDialer(dialer);
        s.addListener(events::add);
        return s;
    }

    @AfterEach
    void stop() {
        service.deactivate();
    }

    private ParkedCall park(String parker, ParkTarget target) throws ParkException {
        return service.park(new ParkRequest(DEFAULT, target, parker, CUSTOMER, "leg-1"));
    }

    private ParkedCall retrieve(String requester, RetrieveTarget target) throws ParkException {
        return service.retrieve(new RetrieveRequest(DEFAULT, requester, target));
    }

    private List<ParkEvent.Type> eventTypes() {
        synchronized (events) {
            return events.stream().map(ParkEvent::type).toList();
        }
    }

    @Test
    void parkOnOwnExtensionUsesTheParkersGroupRules() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownExtension());

        assertEquals(SlotId.extension(DEFAULT, "101"), call.slot());
        assertEquals("101", call.parkedBy());
        assertEquals("Sales", call.parkGroup());
        assertEquals(RecallMode.USER_THEN_RING_GROUP, call.recall().mode());
        assertEquals(List.of("104", "105"), call.recall().ringGroupMembers());
        assertEquals(call.parkedAt().plusSeconds(30), call.nextActionAt());
        assertEquals(List.of(ParkEvent.Type.PARKED), eventTypes());
        assertEquals(List.of(call), service.list());
    }

    @Test
    void parkByUserWithoutGroupUsesTenantDefaults() throws Exception {
        ParkedCall call = park("104", ParkTarget.extension("102"));

        assertEquals(SlotId.extension(DEFAULT, "102"), call.slot());
        assertEquals("", call.parkGroup());
        assertEquals(DemoDirectory.TENANT_DEFAULTS, call.recall());
    }

    @Test
    void parkToOwnGroupNeedsAGroup() throws Exception {
        ParkedCall call = park("102", ParkTarget.ownGroup());
        assertEquals(SlotId.group(DEFAULT, "sales"), call.slot());

        ParkException e = assertThrows(ParkException.class, () -> park("104", ParkTarget.ownGroup()));
        assertEquals(Reason.NO_FREE_SLOT, e.reason());
        assertTrue(e.getMessage().contains("104"), e.getMessage());
    }

    @Test
    void parkRefusesUnknownTargetsAndForeignParkers() {
        assertEquals(Reason.NOT_FOUND,
                assertThrows(ParkException.class, () -> park("101", ParkTarget.extension("999"))).reason());
        assertEquals(Reason.NOT_FOUND,
                assertThrows(ParkException.class, () -> park("101", ParkTarget.group("Nope"))).reason());
        assertEquals(Reason.NOT_PERMITTED,
                assertThrows(ParkException.class, () -> park("201", ParkTarget.ownExtension())).reason());
        assertEquals(Reason.NO_FREE_SLOT,
                assertThrows(ParkException.class, () -> park(null, ParkTarget.ownExtension())).reason());
        assertTrue(events.isEmpty());
    }

    /**
     * A store's queue may come from its node's view, which lags behind other nodes: here it still lists a call another
     * node has taken, and not the call parked after it. The retrieve asks the records before it says "nothing parked",
     * and so does a send.
     */
    @Test
    void aQueueThatLagsBehindTheRecordsStillFindsTheLiveCall() throws Exception {
        service.deactivate();
        List<SlotStore.Queued> lagging = new ArrayList<>();
        store = new InMemorySlotStore("node-a") {
            @Override
            public List<SlotStore.Queued> queue(SlotId slot) throws ParkException {
                return lagging.isEmpty() ? super.queue(slot) : List.copyOf(lagging);
            }

            @Override
            public List<SlotStore.Queued> queueFromRecords(SlotId slot) throws ParkException {
                return super.queue(slot);
            }
        };
        service = newService(timers);
        ParkedCall taken = park("101", ParkTarget.extension("101"));
        timers.advance(Duration.ofSeconds(1));
        ParkedCall waiting = park("102", ParkTarget.extension("101"));
        lagging.add(new SlotStore.Queued(taken.id(), taken.parkedAt(), taken.sequence(), taken.node()));
        store.update(taken.id(), c -> c.ended(Resolution.ANSWERED)); // by "another node"

        assertEquals(waiting.id(), retrieve("105", RetrieveTarget.extension("101")).id());
        assertEquals(Reason.SLOT_EMPTY,
                assertThrows(ParkException.class, () -> retrieve("105", RetrieveTarget.extension("101"))).reason());
    }

    @Test
    void anOccupiedSlotQueuesCallsFirstInFirstOut() throws Exception {
        ParkedCall first = park("101", ParkTarget.extension("101"));
        timers.advance(Duration.ofSeconds(1));
        ParkedCall second = park("102", ParkTarget.extension("101"));
        ParkedCall third = park("103", ParkTarget.extension("101")); // same instant: sequence decides

        assertEquals(List.of(first, second, third), service.list(SlotId.extension(DEFAULT, "101")));
        assertEquals(first.id(), retrieve("105", RetrieveTarget.extension("101")).id());
        assertEquals(second.id(), retrieve("105", RetrieveTarget.extension("101")).id());
        assertEquals(third.id(), retrieve("105", RetrieveTarget.extension("101")).id());
        assertEquals(Reason.SLOT_EMPTY,
                assertThrows(ParkException.class, () -> retrieve("105", RetrieveTarget.extension("101"))).reason());
    }

    @Test
    void ownRetrieveTakesOwnExtensionFirstThenTheGroupsLongestWaiting() throws Exception {
        ParkedCall groupOld = park("101", ParkTarget.ownGroup());
        timers.advance(Duration.ofSeconds(1));
        ParkedCall groupNew = park("103", ParkTarget.ownGroup());
        ParkedCall own = park("101", ParkTarget.extension("102"));

        assertEquals(own.id(), retrieve("102", RetrieveTarget.own()).id());
        assertEquals(groupOld.id(), retrieve("102", RetrieveTarget.own()).id());
        assertEquals(groupNew.id(), retrieve("102", RetrieveTarget.own()).id());
        ParkException empty = assertThrows(ParkException.class, () -> retrieve("102", RetrieveTarget.own()));
        assertEquals(Reason.SLOT_EMPTY, empty.reason());
        assertTrue(empty.getMessage().contains("102") && empty.getMessage().contains("Sales"), empty.getMessage());
    }

    @Test
    void retrieveEndsTheCallAnsweredAndReportsIt() throws Exception {
        ParkedCall parked = park("101", ParkTarget.ownExtension());
        ParkedCall taken = retrieve("104", RetrieveTarget.extension("101"));

        assertEquals(parked.id(), taken.id());
        assertEquals(CallState.ENDED, taken.state());
        assertEquals(Resolution.ANSWERED, taken.resolution());
        assertEquals(List.of(ParkEvent.Type.PARKED, ParkEvent.Type.RETRIEVED), eventTypes());
        assertTrue(service.list().isEmpty());
        assertTrue(store.all().isEmpty(), "ended calls are removed from the store");
        assertEquals(0, timers.pending(), "no recall timer left behind");
    }

    @Test
    void groupCallsOnlyForMembersExtensionCallsForTheWholeTenant() throws Exception {
        park("101", ParkTarget.ownGroup());
        ParkException refused = assertThrows(ParkException.class, () -> retrieve("104", RetrieveTarget.group("sales")));
        assertEquals(Reason.NOT_PERMITTED, refused.reason());
        assertEquals(Reason.NOT_PERMITTED,
                assertThrows(ParkException.class, () -> retrieve("104", RetrieveTarget.extension("700"))).reason());
        assertEquals("sales", retrieve("103", RetrieveTarget.extension("700")).slot().name(), "group number works");

        park("101", ParkTarget.ownExtension());
        assertEquals("101", retrieve("106", RetrieveTarget.extension("101")).slot().name());
    }

    @Test
    void anotherTenantNeverSeesTheCall() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownExtension());

        assertEquals(Reason.NOT_FOUND, assertThrows(ParkException.class,
                () -> service.retrieve(new RetrieveRequest(ACME, "201", RetrieveTarget.extension("101")))).reason());
        assertEquals(Reason.SLOT_EMPTY, assertThrows(ParkException.class,
                () -> service.retrieve(new RetrieveRequest(ACME, "201", RetrieveTarget.call(call.id())))).reason());
        assertEquals(Reason.NOT_PERMITTED, assertThrows(ParkException.class,
                () -> service.retrieve(new RetrieveRequest(DEFAULT, "201", RetrieveTarget.extension("101")))).reason());
        assertTrue(service.list(ACME).isEmpty());
        assertEquals(1, service.list(DEFAULT).size());
    }

    @Test
    void aRetrieveForOneNodeNeverTakesACallHeldByAnother() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownExtension()); // held by node-a
        ParkException elsewhere = assertThrows(ParkException.class, () -> service.retrieve(
                new RetrieveRequest(DEFAULT, "102", RetrieveTarget.extension("101"), "node-b")));
        assertEquals(Reason.SLOT_EMPTY, elsewhere.reason());
        assertEquals(Reason.SLOT_EMPTY, assertThrows(ParkException.class, () -> service.retrieve(
                new RetrieveRequest(DEFAULT, null, RetrieveTarget.call(call.id()), "node-b"))).reason());
        assertTrue(service.find(call.id()).isPresent(), "the call is still parked, not stranded");

        assertEquals(call.id(), service.retrieve(
                new RetrieveRequest(DEFAULT, "102", RetrieveTarget.extension("101"), "node-a")).id());
    }

    @Test
    void administratorRetrievesAnyCallOfTheTenantById() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownGroup());
        assertEquals(call.id(), service.retrieve(new RetrieveRequest(DEFAULT, null, RetrieveTarget.call(call.id()))).id());
        assertEquals(Reason.INVALID_ARGUMENT, assertThrows(ParkException.class,
                () -> service.retrieve(new RetrieveRequest(DEFAULT, null, RetrieveTarget.own()))).reason());
    }

    @Test
    void recallLadderWithoutAnswerEndsTimedOutAfterTheRetries() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownExtension()); // Sales: parker then Reception, 30 s, 3 retries

        timers.advance(Duration.ofSeconds(29));
        assertEquals(CallState.PARKED, service.find(call.id()).orElseThrow().state());
        timers.advance(Duration.ofSeconds(1));
        ParkedCall recalling = service.find(call.id()).orElseThrow();
        assertEquals(CallState.RECALLING, recalling.state());
        assertEquals(1, recalling.recallAttempt());

        timers.advance(Duration.ofSeconds(30 * 8)); // group, wait, (parker, group, wait) x2 -> time-out
        assertTrue(service.find(call.id()).isEmpty());
        assertEquals(List.of("1:PARKER:101", "1:RING_GROUP:104+105", "2:PARKER:101", "2:RING_GROUP:104+105",
                "3:PARKER:101", "3:RING_GROUP:104+105"), dialer.summary());
        assertTrue(dialer.rings.stream().allMatch(r -> r.cancelled), "every ring was stopped");
        assertEquals(List.of(ParkEvent.Type.PARKED, ParkEvent.Type.RECALLING, ParkEvent.Type.RECALLING,
                ParkEvent.Type.RECALL_FAILED, ParkEvent.Type.RECALLING, ParkEvent.Type.RECALLING,
                ParkEvent.Type.RECALL_FAILED, ParkEvent.Type.RECALLING, ParkEvent.Type.RECALLING,
                ParkEvent.Type.TIMED_OUT), eventTypes());
        assertEquals(0, timers.pending());
    }

    @Test
    void retrieveDuringRecallWinsAndTheTimerThenDoesNothing() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownExtension());
        timers.advance(Duration.ofSeconds(30));
        assertEquals(CallState.RECALLING, service.find(call.id()).orElseThrow().state());

        assertEquals(call.id(), retrieve("102", RetrieveTarget.extension("101")).id());
        assertTrue(dialer.last().cancelled, "the ringing recall is cancelled");
        assertEquals(false, dialer.last().outcome.answered("101"), "a late answer does not get the call");
        timers.advance(Duration.ofMinutes(10));
        assertEquals(List.of(ParkEvent.Type.PARKED, ParkEvent.Type.RECALLING, ParkEvent.Type.RETRIEVED), eventTypes());
        assertEquals(Reason.NOT_FOUND, assertThrows(ParkException.class, () -> service.answerRecall(call.id(), 1))
                .reason());
    }

    @Test
    void answeringARecallNeedsTheRingingAttempt() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownExtension());
        assertEquals(Reason.CONFLICT,
                assertThrows(ParkException.class, () -> service.answerRecall(call.id(), 1)).reason());
        timers.advance(Duration.ofSeconds(90)); // attempt 1 rang the parker, then the group, and failed
        timers.advance(Duration.ofSeconds(30)); // attempt 2 rings the parker
        assertEquals(Reason.CONFLICT,
                assertThrows(ParkException.class, () -> service.answerRecall(call.id(), 1)).reason());

        ParkedCall answered = service.answerRecall(call.id(), 2);
        assertEquals(Resolution.RECALLED, answered.resolution());
        assertEquals(ParkEvent.Type.RECALL_ANSWERED, eventTypes().get(eventTypes().size() - 1));
    }

    @Test
    void theEndedCallSaysWhoResolvedIt() throws Exception {
        ParkedCall a = park("101", ParkTarget.ownExtension());
        assertEquals("", a.resolvedBy(), "nobody while it is live");
        assertEquals("104", retrieve("104", RetrieveTarget.extension("101")).resolvedBy());
        ParkedCall b = park("101", ParkTarget.ownExtension());
        assertEquals("admin", service.retrieve(new RetrieveRequest(DEFAULT, null, RetrieveTarget.call(b.id())))
                .resolvedBy());
        ParkedCall c = park("101", ParkTarget.ownExtension());
        assertEquals("admin", service.end(c.id(), Resolution.FORCED).resolvedBy());
        ParkedCall d = park("101", ParkTarget.ownExtension());
        assertEquals("", service.end(d.id(), Resolution.ABANDONED).resolvedBy());
        ParkedCall e = park("104", ParkTarget.ownExtension()); // tenant defaults: the parker only
        timers.advance(Duration.ofSeconds(45)); // attempt 1 rings the parker
        assertEquals(org.callpark.api.RecallTarget.PARKER, service.find(e.id()).orElseThrow().recallTarget());
        assertEquals("104", service.answerRecall(e.id(), 1).resolvedBy());
        ParkedCall f = park("101", ParkTarget.ownExtension()); // park group Sales: the parker, then Reception
        ParkedCall ringing = f;
        for (int i = 0; i < 10 && ringing.recallTarget() != org.callpark.api.RecallTarget.RING_GROUP; i++) {
            timers.advance(Duration.ofSeconds(10));
            ringing = service.find(f.id()).orElseThrow();
        }
        assertEquals(org.callpark.api.RecallTarget.RING_GROUP, ringing.recallTarget());
        assertEquals("ring group Reception", service.answerRecall(f.id(), ringing.recallAttempt()).resolvedBy());
        synchronized (events) {
            assertEquals("104", events.stream().filter(ev -> ev.type() == ParkEvent.Type.RETRIEVED).findFirst()
                    .orElseThrow().call().resolvedBy(), "the final event carries it to every listener");
        }
    }

    @Test
    void aCallTheCarrierTakesInTheMoveToTheRetrieversNodeSaysWhoRetrievedIt() throws Exception {
        ParkedCall parked = park("101", ParkTarget.ownExtension());
        ParkedCall elsewhere = service.carry(parked.id(), parked.version(), "node-b", "leg-b", "").orElseThrow();
        service.setCarrier(new org.callpark.spi.CallCarrier() {
            @Override
            public Optional<ParkedCall> bringHere(ParkedCall call, Duration timeout) {
                throw new AssertionError("the retrieve asks for the call taken in the move");
            }

            @Override
            public Optional<ParkedCall> bringHere(ParkedCall call, Duration timeout, Resolution endAs) {
                try {
                    // as the SIP carrier does once the caller accepted the move: one compare-and-set, from its thread
                    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return service.carryAndEnd(call.id(), call.version(), "node-a", "leg-a", "", endAs);
                        } catch (ParkException e) {
                            throw new IllegalStateException(e);
                        }
                    }).get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        ParkedCall taken = service.retrieve(new RetrieveRequest(DEFAULT, "102", RetrieveTarget.call(elsewhere.id()),
                "node-a"));
        assertEquals(Resolution.ANSWERED, taken.resolution());
        assertEquals("node-a", taken.node());
        assertEquals("102", taken.resolvedBy());
        ParkedCall other = park("101", ParkTarget.ownExtension());
        assertEquals("", service.carryAndEnd(other.id(), other.version(), "node-a", "leg", "", Resolution.ANSWERED)
                .orElseThrow().resolvedBy(), "nobody named when no retrieve is moving it");
    }

    @Test
    void callerHangingUpEndsAbandonedAndFreesTheSlot() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownExtension());
        assertEquals(Resolution.ABANDONED, service.end(call.id(), Resolution.ABANDONED).resolution());
        assertEquals(Reason.SLOT_EMPTY,
                assertThrows(ParkException.class, () -> retrieve("102", RetrieveTarget.extension("101"))).reason());
        assertEquals(Reason.NOT_FOUND,
                assertThrows(ParkException.class, () -> service.end(call.id(), Resolution.FORCED)).reason());
        assertEquals(Reason.INVALID_ARGUMENT,
                assertThrows(ParkException.class, () -> service.end(call.id(), Resolution.ANSWERED)).reason());
        assertEquals(List.of(ParkEvent.Type.PARKED, ParkEvent.Type.ABANDONED), eventTypes());
    }

    @Test
    void racingRetrievesRecallAnswersHangupsAndTimersGiveExactlyOneResolution() throws Exception {
        Timers real = Timers.system("test-timer");
        CallParkServiceImpl racy = new CallParkServiceImpl(directory, store, real, new DirectExecutor());
        List<ParkEvent> finals = Collections.synchronizedList(new ArrayList<>());
        racy.addListener(e -> {
            if (e.type().isFinal()) {
                finals.add(e);
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 100; round++) {
                finals.clear();
                ParkedCall call = racy.park(new ParkRequest(DEFAULT, ParkTarget.ownExtension(), "101", CUSTOMER, ""));
                // Put it into recall attempt 1 so that an answer can race too.
                store.update(call.id(), c -> c.recalling(1, Instant.now().plusMillis(1)));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    int kind = i % 4;
                    results.add(pool.submit(() -> {
                        go.await();
                        try {
                            switch (kind) {
                                case 0 -> racy.retrieve(new RetrieveRequest(DEFAULT, "102",
                                        RetrieveTarget.extension("101")));
                                case 1 -> racy.answerRecall(call.id(), 1);
                                case 2 -> racy.end(call.id(), Resolution.ABANDONED);
                                default -> racy.retrieve(new RetrieveRequest(DEFAULT, null,
                                        RetrieveTarget.call(call.id())));
                            }
                            return true;
                        } catch (ParkException e) {
                            return false;
                        }
                    }));
                }
                go.countDown();
                int winners = 0;
                for (Future<Boolean> f : results) {
                    winners += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (racy.find(call.id()).isPresent() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                // The recall timer (1 ms) races as well: it may be the one that resolves (TIMED_OUT is not
                // possible at attempt 1 of 3, it may move the call back to PARKED and the racers still win).
                assertTrue(winners <= 1, "round " + round + ": " + winners + " winners");
                assertEquals(1, finals.size(), "round " + round + ": final events " + finals);
                assertEquals(winners, 1, "round " + round + ": nobody won");
            }
        } finally {
            pool.shutdownNow();
            racy.deactivate();
        }
    }

    @Test
    void aRestartedServiceResumesTheTimersOfItsCalls() throws Exception {
        ParkedCall call = park("101", ParkTarget.ownExtension());
        service.deactivate();
        events.clear();

        ManualTimers later = timers; // same clock; the old timers were cancelled by deactivate
        service = newService(later);
        later.advance(Duration.ofSeconds(30));
        assertEquals(CallState.RECALLING, service.find(call.id()).orElseThrow().state());
        assertEquals(List.of(ParkEvent.Type.RECALLING), eventTypes());
        assertEquals(List.of("1:PARKER:101"), dialer.summary());
    }
}
