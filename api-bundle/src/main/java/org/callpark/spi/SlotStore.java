package org.callpark.spi;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Holds parked calls, shared by every node of the cluster. All changes to one call are atomic and ordered cluster-wide:
 * {@link #update} is a compare-and-set on the call, so of several racing transitions from the same state exactly one
 * applies. Implementations must pass the store contract test.
 */
@ConsumerType
public interface SlotStore {

    /**
     * Adds a new call.
     *
     * @throws ParkException {@code CONFLICT} if a call with this id exists; {@code STORE_UNAVAILABLE}
     */
    void insert(ParkedCall call) throws ParkException;

    /** The call with this id, live or ended-but-not-yet-deleted. */
    Optional<ParkedCall> get(String callId) throws ParkException;

    /**
     * Atomically applies {@code transition} to the current value of the call. The function may run several times (on
     * contention) and must be pure; returning {@code null} means "not applicable" and changes nothing. The result's
     * version must be the current version plus one.
     *
     * @return the new value if the transition was applied; empty if the call does not exist or the function declined
     * @throws ParkException {@code STORE_UNAVAILABLE}
     */
    Optional<ParkedCall> update(String callId, UnaryOperator<ParkedCall> transition) throws ParkException;

    /** Removes a call (after it ended). Removing an absent call does nothing. */
    void delete(String callId) throws ParkException;

    /**
     * Removes an ended call without waiting for it (the caller is in a hurry: a retriever waits for its 200). A record
     * left behind by a failure is harmless (ended records are skipped by every reader) and cleared at the next start.
     * The default waits ({@link #delete}).
     */
    default void forget(String callId) throws ParkException {
        delete(callId);
    }

    /** The calls in one slot, in no particular order. */
    List<ParkedCall> find(SlotId slot) throws ParkException;

    /**
     * The live calls of one slot in pickup order: first parked first ({@link ParkedCall#parkedAt()}, then
     * {@link ParkedCall#sequence()}, then id). Only what is needed to choose a call, so that a store can answer without
     * reading whole records; the default reads them. A store may answer from its node's own view of the slots, which
     * can lag behind a change made on another node by the time its event takes to arrive: the candidates are then only
     * candidates (a taken one fails its compare-and-set), and a reader that found none of them alive asks
     * {@link #queueFromRecords} before it says the slot is empty.
     */
    default List<Queued> queue(SlotId slot) throws ParkException {
        return find(slot).stream().filter(ParkedCall::isLive)
                .map(c -> new Queued(c.id(), c.parkedAt(), c.sequence(), c.node())).sorted(Queued.FIFO).toList();
    }

    /**
     * The slot's queue as {@link #queue}, read from the records themselves however long that takes. The default is
     * {@link #queue}.
     *
     * @since 2.2
     */
    default List<Queued> queueFromRecords(SlotId slot) throws ParkException {
        return queue(slot);
    }

    /**
     * A live call's place in its slot's queue.
     *
     * @param id       the call
     * @param parkedAt when it was parked
     * @param sequence orders calls parked at the same instant
     * @param node     the node that holds it
     */
    record Queued(String id, java.time.Instant parkedAt, long sequence, String node) {
        /** First in, first out. */
        public static final java.util.Comparator<Queued> FIFO = java.util.Comparator.comparing(Queued::parkedAt)
                .thenComparingLong(Queued::sequence).thenComparing(Queued::id);
    }

    /** The calls of one tenant, in no particular order. */
    List<ParkedCall> find(TenantId tenant) throws ParkException;

    /** Every call, in no particular order. */
    List<ParkedCall> all() throws ParkException;

    /**
     * Reports every change made on any node, in order per call, on a thread of the store's; listeners must not block.
     *
     * @return closes the registration
     */
    AutoCloseable watch(Listener listener);

    /** A short, stable id of this node in the cluster (owner of the calls it parks). */
    String localNode();

    /** The ids of the nodes currently in the cluster. */
    List<String> nodes();

    /** A change to one call. */
    @FunctionalInterface
    @ProviderType
    interface Listener {
        /**
         * @param before the call before the change, {@code null} when it was added
         * @param after  the call after the change, {@code null} when it was deleted
         */
        void changed(ParkedCall before, ParkedCall after);
    }
}
