package org.callpark.spi;

import java.time.Duration;
import java.util.List;

import org.callpark.api.ParkedCall;
import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Rings people back for a parked call that nobody picked up (implemented by the SIP layer). The park service decides
 * every step of the recall ladder and its timing; the dialer only rings, reports the outcome and stops when told. It
 * is called on the node that owns the call (holds its media), from the park service's timer thread.
 */
@ConsumerType
public interface RecallDialer {

    /**
     * Starts ringing {@code extensions} (all at once) for the call's current recall step. Must not block.
     *
     * @param call       the call, {@link org.callpark.api.CallState#RECALLING}, with its attempt and target
     * @param extensions who to ring (the parker, or every member of the ring group)
     * @param timeout    how long this step rings at most; the park service cancels it then
     * @param outcome    where to report what happened
     * @return a handle to stop ringing
     */
    Ringing ring(ParkedCall call, List<String> extensions, Duration timeout, Outcome outcome);

    /** A recall step that is ringing. */
    @FunctionalInterface
    @ConsumerType
    interface Ringing {
        /** Stops ringing everybody (CANCEL); an answer racing the cancel is refused by {@link Outcome#answered}. */
        void cancel();
    }

    /** What became of a ringing step. Report at most one outcome per step. */
    @ProviderType
    interface Outcome {

        /**
         * Somebody answered.
         *
         * @return {@code true} if they got the call (bridge them); {@code false} if it was resolved otherwise in the
         *         meantime (retrieved, abandoned, the step moved on): hang the answering phone up
         */
        boolean answered(String extension);

        /** Every one rung failed before the step's time ran out: the ladder moves to its next step at once. */
        void failed(Failure failure);
    }

    /** Why a step failed early. */
    enum Failure {
        /** 486 Busy Here, 600 Busy Everywhere. */
        BUSY,
        /** 603 Decline. */
        DECLINED,
        /** Not registered, 404, 408, 480, 503, no route. */
        UNREACHABLE,
        /** Anything else. */
        ERROR
    }
}
