package org.callpark.internal.sip;

import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim of a {@link Handover}, read from and dropped in the call's cluster record: a node claims a call in its
 * {@link SipSession} before it re-INVITEs the caller, so that two nodes never re-INVITE the same caller at once.
 * A claim is void when it is older than {@link #STALE_MS} or its node left the cluster.
 */
final class HandoverClaims {

    private static final Logger LOG = LoggerFactory.getLogger(HandoverClaims.class);

    /** A claim older than this is void (the claiming node died mid-way). */
    static final long STALE_MS = 10_000;
    /** Compare-and-set rounds before giving up on a record that keeps changing. */
    private static final int ROUNDS = 20;

    private final CoreAccess core;
    private final Supplier<String> localNode;
    private final Predicate<String> isMember;

    HandoverClaims(CoreAccess core, Supplier<String> localNode, Predicate<String> isMember) {
        this.core = core;
        this.localNode = localNode;
        this.isMember = isMember;
    }

    /** Whether this node may claim {@code call} now: it has a SIP session and no live claim by another node. */
    boolean claimable(ParkedCall call) {
        Optional<SipSession> s = SipSession.of(call.session());
        if (s.isEmpty() || !call.isLive()) {
            return false;
        }
        String claimer = s.get().claimedBy();
        return claimer.isEmpty() || claimer.equals(localNode.get()) || !isMember.test(claimer)
                || !s.get().claimedByOther(localNode.get(), System.currentTimeMillis(), STALE_MS);
    }

    /** Drops this node's claim on the call {@code callId} (keeping the CSeq it used), if it is still ours. */
    void release(String callId) {
        String here = localNode.get();
        try {
            for (int i = 0; i < ROUNDS; i++) {
                Optional<ParkedCall> current = core.service().find(callId);
                if (current.isEmpty()) {
                    return;
                }
                ParkedCall c = current.get();
                Optional<SipSession> s = SipSession.of(c.session());
                if (s.isEmpty() || !here.equals(s.get().claimedBy())) {
                    return;
                }
                if (core.service().carry(c.id(), c.version(), c.node(), c.leg(), s.get().unclaimed().toJson())
                        .isPresent()) {
                    return;
                }
            }
        } catch (ParkException e) {
            LOG.debug("Releasing the claim on {} failed: {}", callId, e.getMessage());
        }
    }
}
