package org.callpark.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Parks and retrieves calls. State is shared by the whole cluster: any node may park, list, retrieve or end any call,
 * and every state change is atomic cluster-wide. Events are delivered to {@link org.callpark.spi.ParkEventListener}s
 * on every node.
 */
@ProviderType
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
     * Rings {@code extension} and, when it answers, takes the call {@code request} names out of its slot and connects
     * it there (the live board's "send to extension", pickup from chat). The call stays parked, with its music and
     * recall timers, while the extension rings; whoever takes it first wins (exactly one resolution), and an answer
     * that comes too late is hung up. Which call is chosen when the request names a slot is decided at once (the
     * longest-waiting one, by the rules of {@link #retrieve}); that call is the one delivered.
     *
     * @param request   which call and on whose behalf; the same rules as {@link #retrieve} ({@code requester} null =
     *                  an administrator of the tenant)
     * @param extension who to ring: a user of the request's tenant
     * @param ringFor   how long to ring at most
     * @return completes with the call, ended {@link Resolution#ANSWERED}, once the extension answered and got it;
     *         completes exceptionally with a {@link ParkException}: {@code UNREACHABLE} if the extension did not answer
     *         in time, was busy or could not be called; {@code SLOT_EMPTY} if the call was taken or ended while it rang
     * @throws ParkException at once: the reasons of {@link #retrieve}; {@code NOT_FOUND} for an unknown extension;
     *                       {@code INVALID_ARGUMENT} for a non-positive {@code ringFor}; {@code UNREACHABLE} if no phone
     *                       can be called from this node (no SIP server here, or the call's media is held by another
     *                       cluster node)
     */
    CompletionStage<ParkedCall> sendTo(RetrieveRequest request, String extension, Duration ringFor)
            throws ParkException;

    /**
     * Like {@link #sendTo}, to a destination outside the tenant's directory: a SIP URI, e.g. a PSTN number behind the
     * PBX or trunk ({@code sip:+4940555@pbx.example.com:5060}). Only for callers that decided by their own rules that
     * the requester may reach it (the SIP layer's in-call transfer to a number its {@code transferNumbers} allow); the
     * administrator-facing edges (REST, chat) offer only {@link #sendTo}.
     *
     * @param request     which call and on whose behalf, as for {@link #sendTo}
     * @param destination {@code sip:user@host[:port]}, without parameters or headers, whose host is not a domain of
     *                    a tenant of this server (that would be one of its extensions or park codes)
     * @param ringFor     how long to ring at most
     * @return as for {@link #sendTo}
     * @throws ParkException as for {@link #sendTo}; {@code INVALID_ARGUMENT} for a destination that is no such URI
     * @since 1.7
     */
    CompletionStage<ParkedCall> sendToUri(RetrieveRequest request, String destination, Duration ringFor)
            throws ParkException;

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

    /**
     * Hands a live call to a new carrier: a compare-and-set of who carries it ({@code node}, {@code leg}) and the
     * carrier's {@link ParkedCall#session() session record}, applied only if the call is live and still at
     * {@code expectedVersion}. The state, slot and recall timers are untouched; the change is reported to every node as
     * a {@link ParkEvent.Type#MOVED} event. This is how a call is taken over when its node died, moved off a node that
     * is drained, or adopted by a new revision of the SIP bundle. Of racing carriers exactly one wins.
     *
     * @return the call as now carried, or empty if it ended or changed since {@code expectedVersion}
     * @throws ParkException {@code STORE_UNAVAILABLE}
     */
    Optional<ParkedCall> carry(String callId, long expectedVersion, String node, String leg, String session)
            throws ParkException;

    /**
     * {@link #carry} and end the call with {@code how} in the same compare-and-set: a carrier that moved a call to its
     * node for a retriever there (see {@code CallCarrier#bringHere(ParkedCall, java.time.Duration, Resolution)})
     * hands it over already taken — one cluster operation, and the retriever is connected sooner. Reported as the final
     * event of {@code how} only (no {@link ParkEvent.Type#MOVED}); the node that carried it before lets its leg go.
     *
     * @return the ended call, carried by {@code node}; empty if it ended or changed since {@code expectedVersion}
     * @throws ParkException {@code STORE_UNAVAILABLE}
     */
    Optional<ParkedCall> carryAndEnd(String callId, long expectedVersion, String node, String leg, String session,
            Resolution how) throws ParkException;

    /**
     * Puts back a live call that a carrier recovered on its own (after a crash of the only node, from its journal) and
     * that the cluster no longer knows. Refused if a call with that id exists.
     *
     * @return the call as stored (carried by this node, version one higher than given)
     * @throws ParkException {@code CONFLICT} if the cluster has the call; {@code INVALID_ARGUMENT} for an ended call;
     *                       {@code STORE_UNAVAILABLE}
     */
    ParkedCall restore(ParkedCall call) throws ParkException;
}
