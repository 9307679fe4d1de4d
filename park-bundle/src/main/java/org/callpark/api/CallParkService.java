package org.callpark.api;

import java.util.List;
import java.util.Optional;

/**
 * Parks and retrieves calls. State is shared by the whole cluster: any node may park, list, retrieve or end any call,
 * and every state change is atomic cluster-wide. Events are delivered to {@link org.callpark.spi.ParkEventListener}s
 * on every node.
 */
public interface CallParkService {

    /**
     * Parks a call. A slot holds several calls in first-in-first-out order; parking onto an occupied slot queues the
     * call behind the others and never joins two callers.
     *
     * @return the parked call
     * @throws ParkException {@code NOT_FOUND} for an unknown tenant, extension or group; {@code NO_FREE_SLOT} if the
     *                       parker has no extension or group to park on; {@code SLOT_OCCUPIED} if the group is disabled;
     *                       {@code STORE_UNAVAILABLE}
     */
    ParkedCall park(ParkRequest request) throws ParkException;

    /**
     * Takes the longest-waiting matching call out of its slot. Exactly one of any number of concurrent retrieves of a
     * call succeeds; the call ends {@link Resolution#ANSWERED} (a ringing recall is to be cancelled by its owner).
     *
     * @return the call, already ended with resolution {@code ANSWERED}
     * @throws ParkException {@code SLOT_EMPTY} if nothing is parked there; {@code NOT_PERMITTED} for another tenant's
     *                       call or a group call by a non-member; {@code NOT_FOUND}; {@code STORE_UNAVAILABLE}
     */
    ParkedCall retrieve(RetrieveRequest request) throws ParkException;

    /**
     * Answers a ringing recall: the call ends {@link Resolution#RECALLED}, unless it was already resolved.
     *
     * @param callId  the call
     * @param attempt the recall attempt that was answered (an answer to an earlier attempt is refused)
     * @return the ended call
     * @throws ParkException {@code CONFLICT} if the call is not recalling with this attempt any more; {@code NOT_FOUND}
     */
    ParkedCall answerRecall(String callId, int attempt) throws ParkException;

    /**
     * Ends a live call with the given resolution (the caller hung up, an administrator hung up, media failed).
     *
     * @return the ended call
     * @throws ParkException {@code NOT_FOUND} if there is no such live call; {@code INVALID_ARGUMENT} for a resolution
     *                       that only a retrieve or recall can give
     */
    ParkedCall end(String callId, Resolution resolution) throws ParkException;

    /** Every live parked call in the cluster, oldest first. */
    List<ParkedCall> list() throws ParkException;

    /** The tenant's live parked calls, oldest first. */
    List<ParkedCall> list(TenantId tenant) throws ParkException;

    /** The slot's live parked calls in pickup order. */
    List<ParkedCall> list(SlotId slot) throws ParkException;

    /** One live call. */
    Optional<ParkedCall> find(String callId) throws ParkException;
}
