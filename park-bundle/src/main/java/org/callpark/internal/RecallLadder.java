package org.callpark.internal;

import java.time.Instant;

import org.callpark.api.CallState;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallPolicy;
import org.callpark.api.Resolution;

/**
 * The steps of a parked call that nobody picks up, driven by the owning node's timer: wait the ring duration, recall
 * (ringing for the ring duration), and again, up to the policy's number of retries, then time out (the caller hears the
 * final prompt). Pure: the same call and time always give the same next step.
 */
final class RecallLadder {

    /**
     * The call after its {@link ParkedCall#nextActionAt()} has come.
     *
     * @return the next state (a new version), never {@code null} for a live call
     */
    ParkedCall onDue(ParkedCall call, Instant now) {
        RecallPolicy policy = call.recall();
        if (call.state() == CallState.PARKED) {
            return call.recalling(call.recallAttempt() + 1, now.plus(policy.ringDuration()));
        }
        if (call.state() == CallState.RECALLING) {
            if (call.recallAttempt() >= policy.retries()) {
                return call.ended(Resolution.TIMED_OUT);
            }
            return call.waiting(now.plus(policy.ringDuration()));
        }
        throw new IllegalArgumentException("an ended call has no next step: " + call.id());
    }
}
