package org.callpark.internal.sip;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.spi.CallCarrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's {@link CallCarrier}: the park core asks it to bring a call that another node carries here before it
 * connects the call on this node (a retrieve, a send-to), so that media is always bridged on one node. It starts a
 * {@link Handover} ({@code MOVE} if the holder is alive, {@code TAKEOVER} if it left) and waits for the caller's answer;
 * a call this node is moving already for another retriever is left to that one.
 */
final class SipCarrier implements CallCarrier {

    private static final Logger LOG = LoggerFactory.getLogger(SipCarrier.class);

    /** How long a retriever that timed out waits for a move whose commit is taking the call for it (one CAS). */
    private static final long COMMIT_WAIT_SECONDS = 5;

    private final CoreAccess core;
    private final SipLegs legs;
    private final Handover handover;
    private final Takeovers takeovers;
    private final Supplier<String> localNode;

    SipCarrier(CoreAccess core, SipLegs legs, Handover handover, Takeovers takeovers, Supplier<String> localNode) {
        this.core = core;
        this.legs = legs;
        this.handover = handover;
        this.takeovers = takeovers;
        this.localNode = localNode;
    }

    @Override
    public Optional<ParkedCall> bringHere(ParkedCall call, Duration timeout) {
        return bringHere(call, timeout, null);
    }

    /**
     * As {@link #bringHere(ParkedCall, Duration)}; with {@code endAs} the move's commit also ends the call for the
     * retriever calling this (unless it has given up waiting by then: {@link ForRetriever}).
     */
    @Override
    public Optional<ParkedCall> bringHere(ParkedCall call, Duration timeout, Resolution endAs) {
        long end = System.nanoTime() + timeout.toNanos();
        ParkedCall current = call;
        try {
            while (current != null && current.isLive()) {
                if (localNode.get().equals(current.node()) && legs.holds(current.leg())) {
                    return Optional.of(current);
                }
                if (handover.adopting(current.id())) {
                    // this node is moving it already, for another retriever: let this one take the next call
                    return Optional.empty();
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                if (handover.claimable(current) && !localNode.get().equals(current.node())) {
                    Handover.Why why = takeovers.isMember(current.node()) ? Handover.Why.MOVE
                            : Handover.Why.TAKEOVER;
                    ForRetriever taker = endAs == null ? null : new ForRetriever(endAs);
                    CompletableFuture<Optional<ParkedCall>> moving = handover.adopt(current, why, taker);
                    try {
                        return moving.get(left, TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        if (taker != null && !taker.giveUp()) {
                            // the caller accepted just now and the commit ends the call for this retriever: take it
                            return moving.get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
                        }
                        throw e;
                    }
                }
                Thread.sleep(20); // another node is moving it (or this node's takeover is in flight): wait
                current = call.id() == null ? null : findQuietly(call.id());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Moving call {} here: {}", call.id(), e.toString());
        }
        return Optional.empty();
    }

    private ParkedCall findQuietly(String callId) {
        try {
            return core.service().find(callId).orElse(null);
        } catch (ParkException | CoreAwayException e) {
            return null;
        }
    }
}
