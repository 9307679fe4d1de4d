package org.callpark.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.callpark.api.CallState;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;

/**
 * The recall ladder of a parked call that nobody picks up. Pure: the same call and time always give the same next
 * step; the park service applies each step by compare-and-set, so a step that lost a race to a retrieve or hang-up is
 * simply not applied.
 * <p>
 * With ring duration R, wait before the ring group W and N retries, from the moment the call is parked:
 * <ul>
 * <li>wait R, then start attempt 1;</li>
 * <li>an attempt of {@link RecallMode#USER_ONLY} rings the parker for R; {@link RecallMode#RING_GROUP_ONLY} rings the
 * ring group for R; {@link RecallMode#USER_THEN_RING_GROUP} rings the parker for W, then the ring group for R;</li>
 * <li>a step that fails early (busy, declined, unreachable, no parker known) moves on at once;</li>
 * <li>an attempt nobody answered is followed, after waiting R again, by the next one, up to N attempts;</li>
 * <li>after the last attempt the call times out: the caller hears the final prompt and is hung up.</li>
 * </ul>
 */
final class RecallLadder {

    /** The call when its {@link ParkedCall#nextActionAt()} has come: the next attempt starts or the step timed out. */
    ParkedCall onDue(ParkedCall call, Instant now) {
        if (call.state() == CallState.PARKED) {
            return startAttempt(call, now);
        }
        if (call.state() == CallState.RECALLING) {
            return stepFailed(call, now);
        }
        throw new IllegalArgumentException("an ended call has no next step: " + call.id());
    }

    /** The call after its current recall step failed (timed out, or busy/declined/unreachable). */
    ParkedCall stepFailed(ParkedCall call, Instant now) {
        if (call.state() != CallState.RECALLING) {
            throw new IllegalArgumentException("call " + call.id() + " is not recalling");
        }
        RecallPolicy policy = call.recall();
        if (call.recallTarget() == RecallTarget.PARKER && policy.mode() == RecallMode.USER_THEN_RING_GROUP) {
            return call.recalling(call.recallAttempt(), RecallTarget.RING_GROUP, now.plus(policy.ringDuration()));
        }
        if (call.recallAttempt() >= policy.retries()) {
            return call.ended(Resolution.TIMED_OUT);
        }
        return call.waiting(now.plus(policy.ringDuration()));
    }

    private static ParkedCall startAttempt(ParkedCall call, Instant now) {
        RecallPolicy policy = call.recall();
        int attempt = call.recallAttempt() + 1;
        return switch (policy.mode()) {
            case USER_ONLY -> call.recalling(attempt, RecallTarget.PARKER, now.plus(policy.ringDuration()));
            case USER_THEN_RING_GROUP ->
                call.recalling(attempt, RecallTarget.PARKER, now.plus(policy.waitBeforeRingGroup()));
            case RING_GROUP_ONLY -> call.recalling(attempt, RecallTarget.RING_GROUP, now.plus(policy.ringDuration()));
        };
    }

    /** Who the call's current step rings: the parker (if known) or the ring group's members. */
    static List<String> targetsOf(ParkedCall call) {
        if (call.recallTarget() == RecallTarget.PARKER) {
            return call.parkedBy().isEmpty() ? List.of() : List.of(call.parkedBy());
        }
        return call.recall().ringGroupMembers();
    }

    /** How long the current step rings. */
    static Duration stepDuration(ParkedCall call, Instant now) {
        Duration d = Duration.between(now, call.nextActionAt());
        return d.isNegative() ? Duration.ZERO : d;
    }
}
