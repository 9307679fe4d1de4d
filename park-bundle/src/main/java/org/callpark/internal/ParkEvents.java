package org.callpark.internal;

import java.util.Optional;

import org.callpark.api.CallState;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;

/** Turns a change of a stored call into the park event it means, if any. */
final class ParkEvents {

    private ParkEvents() {
    }

    /**
     * @param before the call before the change, {@code null} if it was added
     * @param after  the call after the change, {@code null} if it was deleted
     */
    static Optional<ParkEvent.Type> typeOf(ParkedCall before, ParkedCall after) {
        if (after == null) {
            return Optional.empty(); // deletion of an ended call: its final event was already reported
        }
        if (before == null) {
            return after.isLive() ? Optional.of(ParkEvent.Type.PARKED) : Optional.empty();
        }
        if (!before.isLive()) {
            return Optional.empty();
        }
        if (after.state() == CallState.ENDED) {
            return Optional.of(ParkEvent.Type.of(after.resolution()));
        }
        if (after.state() == CallState.RECALLING
                && (before.state() != CallState.RECALLING || before.recallAttempt() != after.recallAttempt()
                        || before.recallTarget() != after.recallTarget())) {
            return Optional.of(ParkEvent.Type.RECALLING);
        }
        if (before.state() == CallState.RECALLING && after.state() == CallState.PARKED) {
            return Optional.of(ParkEvent.Type.RECALL_FAILED);
        }
        if (!before.node().equals(after.node()) || !before.leg().equals(after.leg())
                || !before.session().equals(after.session())) {
            return Optional.of(ParkEvent.Type.MOVED);
        }
        return Optional.empty();
    }
}
