package org.callpark.api;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a parked call. Every node of the cluster sees every event, in order per call.
 *
 * @param type what happened
 * @param call the call after it happened
 * @param at   when the event was observed on this node
 */
public record ParkEvent(Type type, ParkedCall call, Instant at) {

    public ParkEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(at, "at");
    }

    /** What happened. The last four end the call, one of them exactly once per call. */
    public enum Type {
        /** A call was parked and waits in its slot. */
        PARKED,
        /** A recall attempt started ringing ({@link ParkedCall#recallAttempt()}). */
        RECALLING,
        /** A recall attempt was not answered; the call waits again until the next attempt. */
        RECALL_FAILED,
        /** Somebody retrieved the call (resolution {@link Resolution#ANSWERED}). */
        RETRIEVED,
        /** A recall was answered (resolution {@link Resolution#RECALLED}). */
        RECALL_ANSWERED,
        /** The parked caller hung up (resolution {@link Resolution#ABANDONED}). */
        ABANDONED,
        /** Every recall attempt failed; the caller heard the final prompt (resolution {@link Resolution#TIMED_OUT}). */
        TIMED_OUT,
        /** An administrator hung the call up (resolution {@link Resolution#FORCED}). */
        FORCED,
        /** Signalling or media failed (resolution {@link Resolution#FAILED}). */
        FAILED,
        /**
         * The call is still parked, but another node or leg carries it now, or its carrier's session changed
         * ({@link CallParkService#carry}). Nothing a user sees changed; carriers use it to let go of a call.
         */
        MOVED;

        /** The event type that reports a call ending with {@code resolution}. */
        public static Type of(Resolution resolution) {
            return switch (resolution) {
                case ANSWERED -> RETRIEVED;
                case RECALLED -> RECALL_ANSWERED;
                case ABANDONED -> ABANDONED;
                case TIMED_OUT -> TIMED_OUT;
                case FORCED -> FORCED;
                case FAILED -> FAILED;
            };
        }

        /** Whether this event ends the call. */
        public boolean isFinal() {
            return this != PARKED && this != RECALLING && this != RECALL_FAILED && this != MOVED;
        }
    }
}
