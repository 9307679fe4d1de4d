package org.callpark.internal;

import static org.callpark.internal.DemoDirectory.DEFAULT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.internal.CallParkServiceImplTest.DirectExecutor;
import org.callpark.internal.store.InMemorySlotStore;
import org.callpark.spi.RecallDialer.Failure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The recall ladder, driven by a hand-moved clock: each mode, answered at each step, never answered, busy,
 * unreachable, retries at both ends of their range, a retrieve while a recall rings. Ring duration 20 s, wait before
 * the ring group 10 s, so that the two are told apart.
 */
class RecallLadderTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration RING = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualTimers timers = new ManualTimers(T0);
    private final RecordingDialer dialer = new RecordingDialer();
    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final InMemorySlotStore store = new InMemorySlotStore("node-a");
    private CallParkServiceImpl service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.deactivate();
        }
    }

    private ParkedCall park(RecallMode mode, int retries, String parker) throws Exception {
        return park(mode, retries, parker, true);
    }

    private ParkedCall park(RecallMode mode, int retries, String parker, boolean verified) throws Exception {
        Directory demo = DemoDirectory.build();
        List<ParkGroup> groups = new ArrayList<>();
        groups.add(new ParkGroup(DEFAULT, "Sales", "700", List.of("101", "102", "103"), mode,
                mode.needsRingGroup() ? "Reception" : "", RING, WAIT, retries, false));
        Directory dir = new Directory(DEFAULT, demo.tenants(), demo.allUsers(), demo.allRingGroups(), groups);
        service = new CallParkServiceImpl(new FakeDirectoryService(dir), store, timers, new DirectExecutor());
        service.setDialer(dialer);
        service.addListener(events::add);
        // Parked by the parker onto 102's slot: the parker's group's rules apply.
        return service.park(new ParkRequest(DEFAULT, ParkTarget.extension("102"), parker,
                CallerId.of("+4930123", "Customer"), "", "", verified));
    }

    /** Each ring as "second:attempt:target:extensions", the second counted from the park. */
    private List<String> timeline() {
        synchronized (dialer) {
            return dialer.rings.stream().map(r -> Duration.between(T0, r.call.nextActionAt().minus(r.timeout))
                    .toSeconds() + "s:" + r.attempt() + ":" + r.target() + ":" + String.join("+", r.extensions))
                    .toList();
        }
    }

    private ParkEvent.Type lastEvent() {
        synchronized (events) {
            return events.get(events.size() - 1).type();
        }
    }

    private boolean parked(ParkedCall call) throws Exception {
        return service.find(call.id()).isPresent();
    }

    // ------------------------------------------------------------ never answered

    @Test
    void userOnlyRingsTheParkerRetriesTimesThenTimesOut() throws Exception {
        ParkedCall call = park(RecallMode.USER_ONLY, 3, "101");
        timers.advance(Duration.ofSeconds(20 * 6 - 1));
        assertTrue(parked(call));
        timers.advance(Duration.ofSeconds(1));

        assertEquals(List.of("20s:1:PARKER:101", "60s:2:PARKER:101", "100s:3:PARKER:101"), timeline());
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
    }

    @Test
    void userThenRingGroupRingsTheParkerForTheWaitThenTheGroup() throws Exception {
        ParkedCall call = park(RecallMode.USER_THEN_RING_GROUP, 2, "101");
        timers.advance(Duration.ofMinutes(5));

        assertEquals(List.of("20s:1:PARKER:101", "30s:1:RING_GROUP:104+105", "70s:2:PARKER:101",
                "80s:2:RING_GROUP:104+105"), timeline());
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
        assertEquals(T0.plusSeconds(100), events.get(events.size() - 1).at());
    }

    @Test
    void ringGroupOnlyNeverRingsTheParker() throws Exception {
        ParkedCall call = park(RecallMode.RING_GROUP_ONLY, 2, "101");
        timers.advance(Duration.ofMinutes(5));

        assertEquals(List.of("20s:1:RING_GROUP:104+105", "60s:2:RING_GROUP:104+105"), timeline());
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 10 })
    void retriesAtBothEndsOfTheRange(int retries) throws Exception {
        ParkedCall call = park(RecallMode.USER_ONLY, retries, "101");
        timers.advance(Duration.ofHours(1));

        assertEquals(retries, dialer.rings.size());
        assertEquals(retries, dialer.last().attempt());
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
        assertEquals(T0.plus(RING.multipliedBy(2L * retries)), events.get(events.size() - 1).at());
    }

    // ------------------------------------------------------------ a parker nobody verified is never rung

    @Test
    void unverifiedParkerInUserOnly_nobodyIsRung_theCallWaitsOutTheLadderThenTimesOut() throws Exception {
        ParkedCall call = park(RecallMode.USER_ONLY, 3, "101", false);
        assertFalse(call.parkerVerified());
        assertEquals("101", call.parkedBy(), "still shown as the parker");
        timers.advance(Duration.ofSeconds(20 * 6 - 1));
        assertTrue(parked(call), "retrievable as long as a ladder nobody answers");
        assertEquals(List.of(ParkEvent.Type.PARKED), events.stream().map(ParkEvent::type).toList(),
                "no attempt, no failed step");
        timers.advance(Duration.ofSeconds(1));

        assertEquals(List.of(), timeline());
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
        assertEquals(T0.plus(RING.multipliedBy(6)), events.get(events.size() - 1).at());
        assertEquals(0, events.get(events.size() - 1).call().recallAttempt());
    }

    @Test
    void unverifiedParkerInUserOnly_canStillBeRetrievedWhileItWaits() throws Exception {
        ParkedCall call = park(RecallMode.USER_ONLY, 2, "101", false);
        timers.advance(RING.multipliedBy(2));

        assertEquals(call.id(),
                service.retrieve(new RetrieveRequest(DEFAULT, "103", RetrieveTarget.extension("102"))).id());
        assertEquals(ParkEvent.Type.RETRIEVED, lastEvent());
        assertEquals(List.of(), timeline());
    }

    @Test
    void unverifiedParkerInUserThenRingGroup_onlyTheRingGroupRings_forTheFullRing() throws Exception {
        ParkedCall call = park(RecallMode.USER_THEN_RING_GROUP, 2, "101", false);
        timers.advance(Duration.ofMinutes(5));

        assertEquals(List.of("20s:1:RING_GROUP:104+105", "60s:2:RING_GROUP:104+105"), timeline());
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
        assertEquals(T0.plusSeconds(80), events.get(events.size() - 1).at());
    }

    @Test
    void unverifiedParkerInRingGroupOnly_theLadderIsUnchanged() throws Exception {
        ParkedCall call = park(RecallMode.RING_GROUP_ONLY, 2, "101", false);
        timers.advance(Duration.ofMinutes(5));

        assertEquals(List.of("20s:1:RING_GROUP:104+105", "60s:2:RING_GROUP:104+105"), timeline());
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
    }

    @Test
    void aCallStillRingingAnUnverifiedParker_fromAnOlderNode_ringsNobodyAndMovesOn() {
        ParkedCall parked = new ParkedCall("c", SlotId.extension(DEFAULT, "102"),
                CallerId.of("+4930123", "Customer"), "101", "Sales", T0, 1, CallState.PARKED, null, 0,
                new RecallPolicy(RecallMode.USER_THEN_RING_GROUP, "Reception", List.of("104"), RING,
                        WAIT, 2), "node-a", "", T0.plus(RING), 1, null, "", "", false);
        ParkedCall inParkerStep = parked.recalling(1, RecallTarget.PARKER, T0.plus(RING).plus(WAIT));

        assertEquals(List.of(), RecallLadder.targetsOf(inParkerStep));
        ParkedCall next = new RecallLadder().stepFailed(inParkerStep, T0.plus(RING));
        assertEquals(RecallTarget.RING_GROUP, next.recallTarget());
        assertFalse(next.parkerVerified(), "every step keeps the mark");
    }

    @Test
    void withoutAParkerTheRequestCountsAsVerified() {
        assertTrue(new ParkRequest(DEFAULT, ParkTarget.group("Sales"), null, CallerId.of("1", ""), "", "", false)
                .parkerVerified());
        assertTrue(new ParkRequest(DEFAULT, ParkTarget.group("Sales"), "101", CallerId.of("1", ""), "")
                .parkerVerified(), "the old constructors mean verified");
    }

    // ------------------------------------------------------------ answered at each step

    @ParameterizedTest
    @EnumSource(RecallMode.class)
    void answeredOnTheFirstStepBridgesAndStopsTheLadder(RecallMode mode) throws Exception {
        ParkedCall call = park(mode, 3, "101");
        timers.advance(RING);

        assertTrue(dialer.last().outcome.answered(dialer.last().extensions.get(0)));
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.RECALL_ANSWERED, lastEvent());
        assertEquals(Resolution.RECALLED, events.get(events.size() - 1).call().resolution());
        timers.advance(Duration.ofHours(1));
        assertEquals(1, dialer.rings.size(), "nothing rings after the answer");
    }

    @Test
    void ringGroupAnswersAfterTheParkerDidNot() throws Exception {
        ParkedCall call = park(RecallMode.USER_THEN_RING_GROUP, 3, "101");
        timers.advance(RING.plus(WAIT));
        RecordingDialer.Ring parkerRing = dialer.rings.get(0);
        RecordingDialer.Ring groupRing = dialer.last();
        assertTrue(parkerRing.cancelled, "the parker stops ringing when the group starts");

        // The parker's 200 OK raced the CANCEL: an answer within the same attempt still takes the call.
        assertTrue(parkerRing.outcome.answered("101"));
        assertFalse(parked(call));
        assertFalse(groupRing.outcome.answered("104"), "the group member who answers second gets nothing");
    }

    @Test
    void answeredOnTheSecondAttempt() throws Exception {
        ParkedCall call = park(RecallMode.USER_ONLY, 3, "101");
        timers.advance(Duration.ofSeconds(60));
        assertEquals(2, dialer.last().attempt());
        assertFalse(dialer.rings.get(0).outcome.answered("101"), "an answer to attempt 1 is too late");

        assertTrue(dialer.last().outcome.answered("101"));
        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.RECALL_ANSWERED, lastEvent());
    }

    // ------------------------------------------------------------ busy, unreachable, unknown parker

    @Test
    void busyParkerMovesToTheRingGroupAtOnce() throws Exception {
        park(RecallMode.USER_THEN_RING_GROUP, 3, "101");
        timers.advance(RING);
        dialer.last().outcome.failed(Failure.BUSY);
        timers.advance(Duration.ZERO);

        assertEquals(List.of("20s:1:PARKER:101", "20s:1:RING_GROUP:104+105"), timeline());
    }

    @Test
    void unreachableParkerInUserOnlyWaitsForTheNextAttempt() throws Exception {
        park(RecallMode.USER_ONLY, 2, "101");
        timers.advance(RING);
        dialer.last().outcome.failed(Failure.UNREACHABLE);
        timers.advance(Duration.ZERO);
        assertEquals(ParkEvent.Type.RECALL_FAILED, lastEvent());

        timers.advance(RING);
        assertEquals(List.of("20s:1:PARKER:101", "40s:2:PARKER:101"), timeline());
    }

    @Test
    void declinedByTheWholeRingGroupEndsTheAttempt() throws Exception {
        ParkedCall call = park(RecallMode.RING_GROUP_ONLY, 1, "101");
        timers.advance(RING);
        dialer.last().outcome.failed(Failure.DECLINED);
        timers.advance(Duration.ZERO);

        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
    }

    @Test
    void aFailureReportedForAnOldStepIsIgnored() throws Exception {
        park(RecallMode.USER_THEN_RING_GROUP, 3, "101");
        timers.advance(RING.plus(WAIT)); // now ringing the group
        dialer.rings.get(0).outcome.failed(Failure.BUSY); // the parker's leg reports late
        timers.advance(Duration.ZERO);

        assertEquals(2, dialer.rings.size());
        assertFalse(dialer.last().cancelled, "the group keeps ringing");
    }

    @Test
    void anUnknownParkerIsSkipped() throws Exception {
        park(RecallMode.USER_THEN_RING_GROUP, 1, "101");
        // Parked into the group's slot by somebody the directory does not know (e.g. an outside line).
        ParkedCall call = service.park(new ParkRequest(DEFAULT, ParkTarget.group("Sales"), null,
                CallerId.of("+4940999", "Other"), ""));
        dialer.rings.clear();
        timers.advance(RING);
        dialer.rings.removeIf(r -> !r.call.id().equals(call.id()));

        assertEquals(List.of("20s:1:RING_GROUP:104+105"), timeline());
        assertTrue(parked(call));
    }

    @Test
    void withoutADialerTheLadderStillEndsAndNothingIsDropped() throws Exception {
        ParkedCall call = park(RecallMode.USER_ONLY, 2, "101");
        service.unsetDialer(dialer);
        timers.advance(Duration.ofMinutes(5));

        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
    }

    // ------------------------------------------------------------ retrieve and hang-up while ringing

    @Test
    void retrieveWhileTheRingGroupRingsCancelsIt() throws Exception {
        ParkedCall call = park(RecallMode.USER_THEN_RING_GROUP, 3, "101");
        timers.advance(RING.plus(WAIT));

        assertEquals(call.id(),
                service.retrieve(new RetrieveRequest(DEFAULT, "103", RetrieveTarget.extension("102"))).id());
        assertTrue(dialer.last().cancelled);
        assertFalse(dialer.last().outcome.answered("104"));
        timers.advance(Duration.ofHours(1));
        assertEquals(2, dialer.rings.size());
        assertEquals(ParkEvent.Type.RETRIEVED, lastEvent());
    }

    @Test
    void callerHangingUpWhileRecallingCancelsTheRing() throws Exception {
        ParkedCall call = park(RecallMode.USER_ONLY, 3, "101");
        timers.advance(RING);
        service.end(call.id(), Resolution.ABANDONED);

        assertTrue(dialer.last().cancelled);
        assertEquals(ParkEvent.Type.ABANDONED, lastEvent());
        assertThrows(Exception.class, () -> service.answerRecall(call.id(), 1));
    }

    @Test
    void callsKeepTheRulesTheyWereParkedWith() throws Exception {
        ParkedCall call = park(RecallMode.USER_ONLY, 1, "101");
        assertEquals(RecallMode.USER_ONLY, call.recall().mode());
        // A new park service with other rules sees the same stored call: its ladder follows the stored policy.
        service.deactivate();
        ParkedCall again = park(RecallMode.RING_GROUP_ONLY, 5, "101");
        timers.advance(RING);
        assertTrue(dialer.rings.stream().anyMatch(r -> r.call.id().equals(call.id())
                && r.target() == org.callpark.api.RecallTarget.PARKER));
        assertTrue(dialer.rings.stream().anyMatch(r -> r.call.id().equals(again.id())
                && r.target() == org.callpark.api.RecallTarget.RING_GROUP));
    }

    // ------------------------------------------------------------ the final destination at the end of the ladder

    /**
     * Parks on 102's slot by 101 (group Sales, {@code mode}, {@code retries}) with the group's final destination
     * {@code groupFinal} and the default tenant's {@code tenantFinal}.
     */
    private ParkedCall parkWithFinal(RecallMode mode, int retries, boolean verified, String groupFinal,
            String tenantFinal) throws Exception {
        Directory dir = withFinal(mode, retries, groupFinal, tenantFinal);
        directoryService = new FakeDirectoryService(dir);
        service = new CallParkServiceImpl(directoryService, store, timers, new DirectExecutor());
        service.setDialer(dialer);
        service.addListener(events::add);
        return service.park(new ParkRequest(DEFAULT, ParkTarget.extension("102"), "101",
                CallerId.of("+4930123", "Customer"), "", "", verified));
    }

    private FakeDirectoryService directoryService;

    private static Directory withFinal(RecallMode mode, int retries, String groupFinal, String tenantFinal) {
        Directory demo = DemoDirectory.build();
        List<org.callpark.api.Tenant> tenants = demo.tenants().stream().map(t -> t.id().equals(DEFAULT)
                ? new org.callpark.api.Tenant(t.id(), t.name(), t.domains(), t.xmppDomain(), t.recallDefaults(),
                        t.blf(), t.realm(), t.dialPlan(), t.recallLabels(), t.language(), tenantFinal)
                : t).toList();
        ParkGroup sales = new ParkGroup(DEFAULT, "Sales", "700", List.of("101", "102", "103"), mode,
                mode.needsRingGroup() ? "Reception" : "", RING, WAIT, retries, false,
                org.callpark.api.RecallLabels.INHERIT, groupFinal);
        return new Directory(DEFAULT, tenants, demo.allUsers(), demo.allRingGroups(), List.of(sales));
    }

    @Test
    void finalDestination_ringsAfterTheLastAttempt_andAnsweredTheCallIsResolvedByIt() throws Exception {
        ParkedCall call = parkWithFinal(RecallMode.USER_ONLY, 2, true, "ringgroup:Reception", "");
        assertEquals("ringgroup:Reception", call.recall().finalDestination(), "taken into the call at park time");
        assertEquals(List.of("104", "105"), call.recall().finalTargets());
        timers.advance(Duration.ofSeconds(80));

        assertEquals(List.of("20s:1:PARKER:101", "60s:2:PARKER:101", "80s:2:FINAL_DESTINATION:104+105"), timeline());
        assertTrue(parked(call), "no final prompt while the final destination rings");
        assertEquals(RING, dialer.last().timeout, "it rings for the group's ring duration");
        assertTrue(dialer.last().outcome.answered("105"));

        ParkEvent last = events.get(events.size() - 1);
        assertEquals(ParkEvent.Type.RECALL_ANSWERED, last.type());
        assertEquals(Resolution.RECALLED, last.call().resolution());
        assertEquals("final ringgroup:Reception", last.call().resolvedBy());
        timers.advance(Duration.ofHours(1));
        assertEquals(3, dialer.rings.size(), "nothing rings after the answer");
    }

    @Test
    void finalDestination_notAnsweredWithinTheRingDuration_timesOutWithTheFinalPrompt() throws Exception {
        ParkedCall call = parkWithFinal(RecallMode.RING_GROUP_ONLY, 1, true, "sip:operator@pbx.example.net:5070", "");
        timers.advance(Duration.ofSeconds(40 + 19));
        assertTrue(parked(call));
        assertEquals(List.of("20s:1:RING_GROUP:104+105", "40s:1:FINAL_DESTINATION:sip:operator@pbx.example.net:5070"),
                timeline());
        timers.advance(Duration.ofSeconds(1));

        assertFalse(parked(call));
        assertTrue(dialer.last().cancelled, "the final INVITE is cancelled at the time-out");
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
        assertEquals(T0.plusSeconds(60), events.get(events.size() - 1).at());
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void finalDestination_thatFails_endsTheCallAtOnce(Failure failure) throws Exception {
        ParkedCall call = parkWithFinal(RecallMode.USER_ONLY, 1, true, "105", "");
        timers.advance(Duration.ofSeconds(40));
        assertEquals(RecallTarget.FINAL_DESTINATION, dialer.last().target());
        assertEquals(List.of("105"), dialer.last().extensions);
        dialer.last().outcome.failed(failure);
        timers.advance(Duration.ZERO);

        assertFalse(parked(call));
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
        assertEquals(T0.plusSeconds(40), events.get(events.size() - 1).at(), "at once, not after the ring duration");
        assertEquals(2, dialer.rings.size());
    }

    @Test
    void finalDestination_theGroupsOverTheTenants_theTenantsForAGroupWithout_noneEndsInThePrompt() throws Exception {
        assertEquals("105", parkWithFinal(RecallMode.USER_ONLY, 1, true, "105", "sip:op@pbx.example.net")
                .recall().finalDestination());
        service.deactivate();
        ParkedCall tenants = parkWithFinal(RecallMode.USER_ONLY, 1, true, "", "sip:op@pbx.example.net");
        assertEquals("sip:op@pbx.example.net", tenants.recall().finalDestination());
        assertEquals(List.of("sip:op@pbx.example.net"), tenants.recall().finalTargets());
        service.deactivate();
        ParkedCall explicit = parkWithFinal(RecallMode.USER_ONLY, 1, true, "prompt-and-hangup", "105");
        assertFalse(explicit.recall().hasFinalDestination(), "a group can opt out of its tenant's destination");
        service.deactivate();
        ParkedCall none = parkWithFinal(RecallMode.USER_ONLY, 1, true, "", "");
        assertFalse(none.recall().hasFinalDestination());
        timers.advance(Duration.ofSeconds(40));
        assertFalse(parked(none), "no final destination: the last attempt ends the call as before");
        assertEquals(ParkEvent.Type.TIMED_OUT, lastEvent());
    }

    @Test
    void finalDestination_isTheOneOfThePark_aLaterChangeAffectsNewParksOnly() throws Exception {
        ParkedCall call = parkWithFinal(RecallMode.USER_ONLY, 1, true, "105", "");
        directoryService.directory = withFinal(RecallMode.USER_ONLY, 1, "ringgroup:Reception", "");
        timers.advance(Duration.ofSeconds(40));

        assertEquals(List.of("105"), dialer.last().extensions);
        assertEquals(call.id(), dialer.last().call.id());
    }

    @Test
    void finalDestination_retrieveWhileItRings_theRetrieveWinsAndTheRingIsCancelled() throws Exception {
        ParkedCall call = parkWithFinal(RecallMode.USER_ONLY, 1, true, "105", "");
        timers.advance(Duration.ofSeconds(40));
        RecordingDialer.Ring finalRing = dialer.last();
        assertEquals(RecallTarget.FINAL_DESTINATION, finalRing.target());

        assertEquals(call.id(),
                service.retrieve(new RetrieveRequest(DEFAULT, "103", RetrieveTarget.extension("102"))).id());
        assertTrue(finalRing.cancelled);
        assertFalse(finalRing.outcome.answered("105"), "the destination answering late gets nothing");
        assertEquals(ParkEvent.Type.RETRIEVED, lastEvent());
    }

    @Test
    void finalDestination_callerHangsUpWhileItRings_theRingIsCancelled() throws Exception {
        ParkedCall call = parkWithFinal(RecallMode.USER_ONLY, 1, true, "105", "");
        timers.advance(Duration.ofSeconds(40));
        service.end(call.id(), Resolution.ABANDONED);

        assertTrue(dialer.last().cancelled);
        assertFalse(dialer.last().outcome.answered("105"));
        assertEquals(ParkEvent.Type.ABANDONED, lastEvent());
    }

    @Test
    void finalDestination_ofACallWithNobodyToRing_ringsWhenItsLadderWouldHaveEnded() throws Exception {
        ParkedCall call = parkWithFinal(RecallMode.USER_ONLY, 2, false, "105", "");
        timers.advance(Duration.ofSeconds(80));

        assertEquals(List.of("80s:1:FINAL_DESTINATION:105"), timeline(), "nothing before: the parker is not rung");
        assertTrue(parked(call));
        assertEquals(RecallTarget.FINAL_DESTINATION, dialer.last().target(), "the admin's destination, never the"
                + " unverified parker");
    }
}
