package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.junit.jupiter.api.Test;

/**
 * The recall timers in the call JSON that the board's countdown ("Recalling Bob in 0:12", "Ringing Sales now",
 * "Final prompt in 0:05") and its waiting colour are built from: what happens next, when, and the group's durations.
 */
class CallTimersTest {

    private static final Instant PARKED_AT = Instant.parse("2026-11-25T19:00:00Z");
    private final Directory d = Fixtures.demo();

    private static ParkedCall call(RecallMode mode, boolean verified, int retries) {
        RecallPolicy p = new RecallPolicy(mode, mode.needsRingGroup() ? "Sales" : null,
                mode.needsRingGroup() ? List.of("102", "103") : List.of(), Duration.ofSeconds(30),
                Duration.ofSeconds(15), retries);
        return new ParkedCall("c1", SlotId.extension(Fixtures.DEFAULT, "101"), CallerId.of("+4930123", "Customer"),
                "101", "Sales", PARKED_AT, 1, CallState.PARKED, null, 0, p, "node-1", "leg-c1",
                PARKED_AT.plusSeconds(30), 1, null, "", "", verified);
    }

    @Test
    void aParkedCallCountsDownToRingingTheParkerWithTheGroupsTimers() {
        Dtos.CallDto dto = Views.call(d, call(RecallMode.USER_THEN_RING_GROUP, true, 2));
        assertEquals("2026-11-25T19:00:30Z", dto.nextActionAt());
        assertEquals("RING_PARKER", dto.nextStep());
        assertEquals("Sales", dto.ringGroup());
        assertEquals(30, dto.ringDurationSeconds());
        assertEquals(15, dto.waitBeforeRingGroupSeconds());
    }

    @Test
    void theParkerRingingThenTheGroupThenWaitingThenTheFinalPrompt() {
        ParkedCall c = call(RecallMode.USER_THEN_RING_GROUP, true, 2);
        Instant t = PARKED_AT.plusSeconds(30);
        ParkedCall parker = c.recalling(1, RecallTarget.PARKER, t.plusSeconds(15));
        assertEquals("RING_GROUP", Views.call(d, parker).nextStep(), "after W the ring group rings");
        assertEquals("2026-11-25T19:00:45Z", Views.call(d, parker).nextActionAt());
        ParkedCall group = parker.recalling(1, RecallTarget.RING_GROUP, t.plusSeconds(45));
        assertEquals("WAIT", Views.call(d, group).nextStep(), "attempt 1 of 2: back to waiting");
        ParkedCall lastGroup = group.recalling(2, RecallTarget.RING_GROUP, t.plusSeconds(200));
        assertEquals("TIME_OUT", Views.call(d, lastGroup).nextStep(), "the last attempt ends in the final prompt");
    }

    @Test
    void anUnverifiedParkerIsNeverAnnouncedAsRung() {
        assertEquals("RING_GROUP", Views.call(d, call(RecallMode.USER_THEN_RING_GROUP, false, 2)).nextStep());
        Dtos.CallDto nobody = Views.call(d, call(RecallMode.USER_ONLY, false, 2));
        assertEquals("TIME_OUT", nobody.nextStep());
        assertEquals("2026-11-25T19:02:00Z", nobody.nextActionAt(), "the end of the ladder: 2 x 2 x 30 s after the park");
        assertEquals("RING_GROUP", Views.call(d, call(RecallMode.RING_GROUP_ONLY, true, 1)).nextStep());
    }

    @Test
    void withAFinalDestinationTheLastAttemptIsFollowedByItThenByTheFinalPrompt() {
        ParkedCall c = call(RecallMode.RING_GROUP_ONLY, true, 1);
        ParkedCall withFinal = new ParkedCall(c.id(), c.slot(), c.caller(), c.parkedBy(), c.parkGroup(),
                c.parkedAt(), c.sequence(), c.state(), null, 0,
                c.recall().withFinalDestination("sip:op@pbx.example.net", List.of("sip:op@pbx.example.net")),
                c.node(), c.leg(), c.nextActionAt(), 1, null, "", "", true);
        Instant t = PARKED_AT.plusSeconds(30);
        ParkedCall last = withFinal.recalling(1, RecallTarget.RING_GROUP, t.plusSeconds(30));
        assertEquals("FINAL_DESTINATION", Views.call(d, last).nextStep());
        ParkedCall ringing = last.recalling(1, RecallTarget.FINAL_DESTINATION, t.plusSeconds(60));
        assertEquals("TIME_OUT", Views.call(d, ringing).nextStep(), "unanswered, the final prompt follows");
        assertEquals("FINAL_DESTINATION", Views.call(d, ringing).recallTarget());
    }

    @Test
    void anEndedCallHasNoNextStep() {
        Dtos.CallDto ended = Views.call(d, call(RecallMode.USER_ONLY, true, 1).ended(Resolution.ANSWERED));
        assertNull(ended.nextStep());
        assertNull(ended.nextActionAt());
    }
}
