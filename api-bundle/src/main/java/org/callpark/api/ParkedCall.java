package org.callpark.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One parked call as the cluster sees it: an immutable snapshot. Every change produces a new snapshot with a
 * {@link #version()} one higher.
 *
 * @param id            cluster-unique call id
 * @param slot          the slot it waits in
 * @param caller        the parked party
 * @param parkedBy      the extension that parked it, or empty if it was not parked by a known user
 * @param parkGroup     the park group whose recall rules apply, or empty for the tenant defaults
 * @param parkedAt      when it was parked
 * @param sequence      orders calls parked at the same instant (first in, first out within a slot)
 * @param state         where it is in its life
 * @param resolution    how it ended, {@code null} while it is live
 * @param recallAttempt the current or last recall attempt, 0 before the first
 * @param recall        the recall rules it was parked with
 * @param node          the cluster member that holds its signalling and media
 * @param leg           the owning node's handle for the caller's call leg (opaque to everybody else)
 * @param nextActionAt  when the owning node acts on it next (recall, next attempt, time-out), or {@code null}
 * @param version       increases by one with every change
 * @param recallTarget  who the current recall step rings; {@code null} unless {@link CallState#RECALLING}
 * @param session       the carrier's record of the caller's session (for SIP: the dialog, the caller's SDP, the media
 *                      leg), opaque to everybody but the carrier, or empty. It is what lets any node take the call over
 *                      ({@link CallParkService#carry}); carriers keep it in the cluster record, not in a JVM.
 * @param resolvedBy    who took the call, for people, once it ended: the retrieving extension or chat user, the recall
 *                      target that answered (the parker's extension, or {@code "ring group <name>"} when the member
 *                      that answered is not known), the administrator who hung it up ({@code "admin"} when the
 *                      transport does not say who); empty while it is live and when nobody did (abandoned, timed out,
 *                      failed). Since 1.4.
 * @param parkerVerified whether the transport verified {@code parkedBy} ({@link ParkRequest#parkerVerified()}):
 *                      {@code false} means somebody named that extension as the parker without proof, so the recall
 *                      ladder never rings it (a step that would ring only the parker is skipped) and people see it
 *                      marked. Always {@code true} when {@code parkedBy} is empty. Since 1.5.
 */
public record ParkedCall(String id, SlotId slot, CallerId caller, String parkedBy, String parkGroup, Instant parkedAt,
        long sequence, CallState state, Resolution resolution, int recallAttempt, RecallPolicy recall, String node,
        String leg, Instant nextActionAt, long version, RecallTarget recallTarget, String session, String resolvedBy,
        boolean parkerVerified) {

    /** A call whose parker, if any, is verified (every call before 1.5). */
    public ParkedCall(String id, SlotId slot, CallerId caller, String parkedBy, String parkGroup, Instant parkedAt,
            long sequence, CallState state, Resolution resolution, int recallAttempt, RecallPolicy recall, String node,
            String leg, Instant nextActionAt, long version, RecallTarget recallTarget, String session,
            String resolvedBy) {
        this(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, state, resolution, recallAttempt, recall, node,
                leg, nextActionAt, version, recallTarget, session, resolvedBy, true);
    }

    /** A call nobody is named as having resolved (every call before 1.4). */
    public ParkedCall(String id, SlotId slot, CallerId caller, String parkedBy, String parkGroup, Instant parkedAt,
            long sequence, CallState state, Resolution resolution, int recallAttempt, RecallPolicy recall, String node,
            String leg, Instant nextActionAt, long version, RecallTarget recallTarget, String session) {
        this(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, state, resolution, recallAttempt, recall, node,
                leg, nextActionAt, version, recallTarget, session, "");
    }

    /** A call without a carrier session. */
    public ParkedCall(String id, SlotId slot, CallerId caller, String parkedBy, String parkGroup, Instant parkedAt,
            long sequence, CallState state, Resolution resolution, int recallAttempt, RecallPolicy recall, String node,
            String leg, Instant nextActionAt, long version, RecallTarget recallTarget) {
        this(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, state, resolution, recallAttempt, recall, node,
                leg, nextActionAt, version, recallTarget, "");
    }

    /** A call whose recall step, if it is recalling, rings the parker. */
    public ParkedCall(String id, SlotId slot, CallerId caller, String parkedBy, String parkGroup, Instant parkedAt,
            long sequence, CallState state, Resolution resolution, int recallAttempt, RecallPolicy recall, String node,
            String leg, Instant nextActionAt, long version) {
        this(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, state, resolution, recallAttempt, recall, node,
                leg, nextActionAt, version, state == CallState.RECALLING ? RecallTarget.PARKER : null);
    }

    public ParkedCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(parkedAt, "parkedAt");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(recall, "recall");
        parkedBy = parkedBy == null ? "" : parkedBy;
        parkGroup = parkGroup == null ? "" : parkGroup;
        node = node == null ? "" : node;
        leg = leg == null ? "" : leg;
        session = session == null ? "" : session;
        resolvedBy = resolvedBy == null ? "" : resolvedBy;
        parkerVerified = parkerVerified || parkedBy.isEmpty();
        if ((state == CallState.ENDED) != (resolution != null)) {
            throw new IllegalArgumentException("an ENDED call needs a resolution and only an ENDED call has one");
        }
        if ((state == CallState.RECALLING) != (recallTarget != null)) {
            throw new IllegalArgumentException("a RECALLING call needs a recall target and only a RECALLING call has one");
        }
    }

    /** The tenant this call belongs to. */
    public TenantId tenant() {
        return slot.tenant();
    }

    public boolean isLive() {
        return state.isLive();
    }

    /** This call, carried by {@code node}/{@code leg} and ended with {@code how} in one change (version one up). */
    public ParkedCall carriedAndEnded(String node, String leg, String session, Resolution how) {
        return carriedAndEnded(node, leg, session, how, "");
    }

    /** {@link #carriedAndEnded(String, String, String, Resolution)}, resolved by {@code by}. Since 1.4. */
    public ParkedCall carriedAndEnded(String node, String leg, String session, Resolution how, String by) {
        return new ParkedCall(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, CallState.ENDED,
                Objects.requireNonNull(how, "resolution"), recallAttempt, recall, node, leg, null, version + 1, null,
                session, by, parkerVerified);
    }

    /** This call, ended with the given resolution. */
    public ParkedCall ended(Resolution how) {
        return ended(how, "");
    }

    /**
     * This call, ended with the given resolution by {@code by} (see {@link #resolvedBy()}; null or empty: nobody
     * named). Since 1.4.
     */
    public ParkedCall ended(Resolution how, String by) {
        return new ParkedCall(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, CallState.ENDED,
                Objects.requireNonNull(how, "resolution"), recallAttempt, recall, node, leg, null, version + 1, null,
                session, by, parkerVerified);
    }

    /** This call, ringing the parker for recall attempt {@code attempt}. */
    public ParkedCall recalling(int attempt, Instant next) {
        return recalling(attempt, RecallTarget.PARKER, next);
    }

    /** This call, ringing {@code target} for recall attempt {@code attempt} until {@code next}. */
    public ParkedCall recalling(int attempt, RecallTarget target, Instant next) {
        return new ParkedCall(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, CallState.RECALLING, null,
                attempt, recall, node, leg, next, version + 1, Objects.requireNonNull(target, "target"), session, "",
                parkerVerified);
    }

    /** This call, back to waiting after a recall attempt nobody answered. */
    public ParkedCall waiting(Instant next) {
        return new ParkedCall(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, CallState.PARKED, null,
                recallAttempt, recall, node, leg, next, version + 1, null, session, "", parkerVerified);
    }

    /** This call with a new time for the owning node's next action, in the same state. */
    public ParkedCall rescheduled(Instant next) {
        return new ParkedCall(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, state, resolution,
                recallAttempt, recall, node, leg, next, version + 1, recallTarget, session, resolvedBy,
                parkerVerified);
    }

    /** This call, carried by {@code node} on {@code leg} with {@code session}, in the same state. */
    public ParkedCall carried(String node, String leg, String session) {
        return new ParkedCall(id, slot, caller, parkedBy, parkGroup, parkedAt, sequence, state, resolution,
                recallAttempt, recall, node, leg, nextActionAt, version + 1, recallTarget, session, resolvedBy,
                parkerVerified);
    }
}
