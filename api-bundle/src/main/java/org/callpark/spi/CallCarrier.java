package org.callpark.spi;

import java.time.Duration;
import java.util.Optional;

import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries parked callers on this node: the SIP layer, which holds their dialogs and media legs. The park core asks it
 * to bring a call that another node carries to this node before it connects the call here (a retrieve, a "send to
 * extension" rung from this node), so that media is always bridged on one node.
 */
@ConsumerType
public interface CallCarrier {

    /**
     * Moves a live call's caller to this node (for SIP: a re-INVITE with this node's Contact and media), waiting at
     * most {@code timeout}. Nothing changes if it cannot be moved: the call stays parked where it was.
     *
     * @return the call as now carried by this node, or empty if it could not be moved (ended, being moved by another
     *         node, the caller refused, time-out)
     */
    Optional<ParkedCall> bringHere(ParkedCall call, Duration timeout);

    /**
     * {@link #bringHere(ParkedCall, Duration)} for a retriever on this node: a carrier may end the call with
     * {@code endAs} in the same compare-and-set that makes this node its carrier
     * ({@link org.callpark.api.CallParkService#carryAndEnd}), which saves the core a second one. The default brings it
     * here parked; the core then takes it as usual.
     *
     * @return the call as now carried by this node — ended with {@code endAs} (taken for the caller of this method,
     *         exactly once) or still live (the core takes it) — or empty as above
     */
    default Optional<ParkedCall> bringHere(ParkedCall call, Duration timeout, Resolution endAs) {
        return bringHere(call, timeout);
    }
}
