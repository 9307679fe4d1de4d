package org.callpark.spi.json;

import java.util.Comparator;
import java.util.Optional;

import org.callpark.api.CallState;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;

/**
 * How a reader of the stored call records ({@link CallCodec}, map {@value CallCodec#MAP}) sees what the park service
 * reports: the pickup order of a slot's calls and the park event a change of a record means. The park core reports its
 * events with these rules, and a process that only watches the cluster (the Openfire plugin, a Hazelcast client)
 * derives the same events from the same changes, so the two can never disagree.
 * <p>
 * Stateless and thread-safe.
 */
public final class CallChanges {

    /** First in, first out: the order in which a slot's calls are picked up and listed. */
    public static final Comparator<ParkedCall> FIFO = Comparator.comparing(ParkedCall::parkedAt)
            .thenComparingLong(ParkedCall::sequence).thenComparing(ParkedCall::id);

    private CallChanges() {
    }

    /**
     * The park event a change of a stored call means, if any.
     *
     * @param before the call before the change, {@code null} if it was added
     * @param after  the call after the change, {@code null} if it was deleted
     */
    public static Optional<ParkEvent.Type> typeOf(ParkedCall before, ParkedCall after) {
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
