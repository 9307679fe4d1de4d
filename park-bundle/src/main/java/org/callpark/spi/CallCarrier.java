package org.callpark.spi;

import java.time.Duration;
import java.util.Optional;

import org.callpark.api.ParkedCall;

/**
 * Carries parked callers on this node: the SIP layer, which holds their dialogs and media legs. The park core asks it
 * to bring a call that another node carries to this node before it connects the call here (a retrieve, a "send to
 * extension" rung from this node), so that media is always bridged on one node.
 */
public interface CallCarrier {

    /**
     * Moves a live call's caller to this node (for SIP: a re-INVITE with this node's Contact and media), waiting at
     * most {@code timeout}. Nothing changes if it cannot be moved: the call stays parked where it was.
     *
     * @return the call as now carried by this node, or empty if it could not be moved (ended, being moved by another
     *         node, the caller refused, time-out)
     */
    Optional<ParkedCall> bringHere(ParkedCall call, Duration timeout);
}
