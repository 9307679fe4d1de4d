package org.callpark.ui.internal;

import java.time.Instant;

import org.callpark.api.CallState;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RecallTarget;

/**
 * What happens to a live parked call when its {@link ParkedCall#nextActionAt()} comes, in the words the board shows
 * ("Recalling Bob in 0:12", "Final prompt in 0:05"). It reads the same rules as the park service's recall ladder
 * (park-bundle {@code RecallLadder}, docs/park-groups.md) from the call's own {@link RecallPolicy}; the ladder itself
 * stays package-private to the park service, which alone applies the steps. A wrong answer here only mislabels a
 * countdown: the server never acts on it.
 */
final class NextStep {

    /** The step names of {@code nextStep} in the call JSON (docs/rest.md). */
    static final String RING_PARKER = "RING_PARKER";
    static final String RING_GROUP = "RING_GROUP";
    static final String WAIT = "WAIT";
    static final String TIME_OUT = "TIME_OUT";
    /** The final destination rings (the ladder's end, when the call has one). */
    static final String FINAL_DESTINATION = "FINAL_DESTINATION";

    private NextStep() {
    }

    /** The step at {@link #at(ParkedCall)}, or {@code null} for an ended call or one with nothing scheduled. */
    static String of(ParkedCall c) {
        if (!c.isLive() || c.nextActionAt() == null) {
            return null;
        }
        RecallPolicy p = c.recall();
        if (c.state() == CallState.PARKED) {
            if (ringsNobody(c)) {
                return end(p);
            }
            return switch (p.mode()) {
                case USER_ONLY -> RING_PARKER;
                case USER_THEN_RING_GROUP -> c.parkerVerified() ? RING_PARKER : RING_GROUP;
                case RING_GROUP_ONLY -> RING_GROUP;
            };
        }
        if (c.recallTarget() == RecallTarget.FINAL_DESTINATION) {
            return TIME_OUT;
        }
        if (c.recallTarget() == RecallTarget.PARKER && p.mode() == RecallMode.USER_THEN_RING_GROUP) {
            return RING_GROUP;
        }
        return c.recallAttempt() >= p.retries() ? end(p) : WAIT;
    }

    /** After the last attempt: the final destination if the call has one, else the final prompt. */
    private static String end(RecallPolicy p) {
        return p.hasFinalDestination() ? FINAL_DESTINATION : TIME_OUT;
    }

    /**
     * When that step comes. For a call with nobody to ring (a USER_ONLY park whose parker is unverified) that is the
     * end of its ladder, 2&times;N&times;R after the park, not the intermediate re-check the service schedules.
     */
    static Instant at(ParkedCall c) {
        if (!c.isLive() || c.nextActionAt() == null) {
            return null;
        }
        if (c.state() == CallState.PARKED && ringsNobody(c)) {
            RecallPolicy p = c.recall();
            return c.parkedAt().plus(p.ringDuration().multipliedBy(2L * Math.max(1, p.retries())));
        }
        return c.nextActionAt();
    }

    private static boolean ringsNobody(ParkedCall c) {
        return c.recall().mode() == RecallMode.USER_ONLY && !c.parkerVerified();
    }
}
