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
 * <li>after the last attempt the call times out: the caller hears the final prompt and is hung up; unless the call
 * has a final destination ({@link RecallPolicy#hasFinalDestination()}, taken from its group or tenant when it was
 * parked): then that rings ({@link RecallTarget#FINAL_DESTINATION}) for R, and only if it fails or nobody answers
 * does the call time out as above.</li>
 * </ul>
 * A parker nobody verified ({@link ParkedCall#parkerVerified()} false: somebody named that extension without proof)
 * is never rung, so that an outsider cannot make a user's phone ring by naming it in a park. The rule lives here, in
 * the one place every transport's recall goes through, so that no step pretends to ring somebody it will not:
 * <ul>
 * <li>{@link RecallMode#USER_THEN_RING_GROUP}: each attempt rings the ring group only, for R, from its start (as if
 * the parker had failed at once);</li>
 * <li>{@link RecallMode#USER_ONLY}: nobody is rung and no attempt is made; the call stays parked (retrievable,
 * shown) for as long as its N unanswered attempts would have taken, 2&times;N&times;R from the park, then times out
 * as above;</li>
 * <li>{@link RecallMode#RING_GROUP_ONLY}: unchanged, it never rings the parker.</li>
 * </ul>
 */
final class RecallLadder {

    /** The call when its {@link ParkedCall#nextActionAt()} has come: the next attempt starts or the step timed out. */
    ParkedCall onDue(ParkedCall call, Instant now) {
        if (call.state() == CallState.PARKED) {
            if (ringsNobody(call)) {
                return waitOutTheLadder(call, now);
            }
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
        if (call.recallTarget() == RecallTarget.FINAL_DESTINATION) {
            return call.ended(Resolution.TIMED_OUT);
        }
        if (call.recallTarget() == RecallTarget.PARKER && policy.mode() == RecallMode.USER_THEN_RING_GROUP) {
            return call.recalling(call.recallAttempt(), RecallTarget.RING_GROUP, now.plus(policy.ringDuration()));
        }
        if (call.recallAttempt() >= policy.retries()) {
            return lastStep(call, now);
        }
        return call.waiting(now.plus(policy.ringDuration()));
    }

    /**
     * The end of the ladder: the final destination rings for R, or the call times out. It stays in the last attempt
     * (1 for a call that made none): a 2xx of that attempt crossing its CANCEL still takes the call, as within any
     * attempt (history then names the final destination as the one who answered).
     */
    private static ParkedCall lastStep(ParkedCall call, Instant now) {
        RecallPolicy policy = call.recall();
        if (policy.hasFinalDestination()) {
            return call.recalling(Math.max(1, call.recallAttempt()), RecallTarget.FINAL_DESTINATION,
                    now.plus(policy.ringDuration()));
        }
        return call.ended(Resolution.TIMED_OUT);
    }

    private static ParkedCall startAttempt(ParkedCall call, Instant now) {
        RecallPolicy policy = call.recall();
        int attempt = call.recallAttempt() + 1;
        return switch (policy.mode()) {
            case USER_ONLY -> call.recalling(attempt, RecallTarget.PARKER, now.plus(policy.ringDuration()));
            case USER_THEN_RING_GROUP -> call.parkerVerified()
                ? call.recalling(attempt, RecallTarget.PARKER, now.plus(policy.waitBeforeRingGroup()))
                : call.recalling(attempt, RecallTarget.RING_GROUP, now.plus(policy.ringDuration()));
            case RING_GROUP_ONLY -> call.recalling(attempt, RecallTarget.RING_GROUP, now.plus(policy.ringDuration()));
        };
    }

    /** A USER_ONLY call whose parker is unverified: its ladder has nobody to ring. */
    private static boolean ringsNobody(ParkedCall call) {
        return call.recall().mode() == RecallMode.USER_ONLY && !call.parkerVerified();
    }

    /**
     * A call with nobody to ring stays parked until its ladder would have ended had nobody answered (R before each
     * of the N attempts, R for each), then times out. Counted from the park, so a node that takes the call over
     * arrives at the same end.
     */
    private static ParkedCall waitOutTheLadder(ParkedCall call, Instant now) {
        RecallPolicy policy = call.recall();
        Instant end = call.parkedAt().plus(policy.ringDuration().multipliedBy(2L * Math.max(1, policy.retries())));
        return now.isBefore(end) ? call.rescheduled(end) : lastStep(call, now);
    }

    /**
     * Who the call's current step rings: the parker (if known and verified), the ring group's members, or the final
     * destination's targets (extensions, or one {@code sip:} URI, as resolved at park time). The ladder
     * makes no parker step for an unverified parker; a call still in one (recorded by an older node) rings nobody,
     * so its step fails at once.
     */
    static List<String> targetsOf(ParkedCall call) {
        if (call.recallTarget() == RecallTarget.PARKER) {
            return call.parkedBy().isEmpty() || !call.parkerVerified() ? List.of() : List.of(call.parkedBy());
        }
        if (call.recallTarget() == RecallTarget.FINAL_DESTINATION) {
            return call.recall().finalTargets();
        }
        return call.recall().ringGroupMembers();
    }

    /** How long the current step rings. */
    static Duration stepDuration(ParkedCall call, Instant now) {
        Duration d = Duration.between(now, call.nextActionAt());
        return d.isNegative() ? Duration.ZERO : d;
    }
}
