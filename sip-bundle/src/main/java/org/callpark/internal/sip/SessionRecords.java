package org.callpark.internal.sip;

import java.util.Optional;
import java.util.function.Supplier;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what changed in a carried dialog's session timer back into the call's cluster record: the interval a refresh
 * agreed, who refreshes, and the CSeq our own refreshes used. A node that takes the call over continues from the
 * record ({@link Handover}), so without this it would enforce a stale interval, stop refreshing, or send a CSeq the
 * caller has seen already.
 */
final class SessionRecords {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRecords.class);
    private static final int ATTEMPTS = 5;

    private final CoreAccess core;
    private final Supplier<String> localNode;

    SessionRecords(CoreAccess core, Supplier<String> localNode) {
        this.core = core;
        this.localNode = localNode;
    }

    /**
     * Puts {@code interval}, {@code ourRefresh} and a local CSeq of at least {@code localCseq} into the record of
     * {@code callId} if this node's leg {@code legId} still carries it (a compare-and-set, retried when the record
     * changed meanwhile, e.g. by a recall step); otherwise nothing (the call ended or moved: its new carrier decides).
     */
    void timerChanged(String callId, String legId, int interval, String ourRefresh, long localCseq) {
        String here = localNode.get();
        try {
            for (int i = 0; i < ATTEMPTS; i++) {
                ParkedCall call = core.service().find(callId).orElse(null);
                if (call == null || !here.equals(call.node()) || !legId.equals(call.leg())) {
                    return;
                }
                Optional<SipSession> s = SipSession.of(call.session());
                if (s.isEmpty()) {
                    return;
                }
                SipSession now = s.get();
                if (now.sessionInterval() == interval && now.ourRefresh().equals(ourRefresh)
                        && now.localCseq() >= localCseq) {
                    return;
                }
                SipSession changed = now.withTimer(interval, ourRefresh)
                        .withLocalCseq(Math.max(now.localCseq(), localCseq));
                if (core.service().carry(callId, call.version(), call.node(), call.leg(), changed.toJson())
                        .isPresent()) {
                    return;
                }
            }
            LOG.debug("The record of call {} kept changing: its session timer was not written", callId);
        } catch (ParkException | RuntimeException e) {
            LOG.debug("Writing the session timer of call {} failed: {}", callId, e.toString());
        }
    }
}
