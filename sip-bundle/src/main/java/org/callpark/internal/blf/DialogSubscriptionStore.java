package org.callpark.internal.blf;

import java.util.List;
import java.util.Optional;

/**
 * Where BLF subscriptions live: shared by the cluster ({@link HazelcastDialogSubscriptionStore}) so that any node can notify
 * them, or in memory ({@link InMemoryDialogSubscriptionStore}: one node, unit tests). Every change of one subscription is
 * atomic (compare-and-set on its whole record), so its NOTIFY CSeq and document version never repeat or skip, whichever
 * node sends.
 */
public interface DialogSubscriptionStore extends AutoCloseable {

    /** Releases what the store holds on this node (listeners); the shared subscriptions stay. */
    @Override
    default void close() {
    }

    /** Stores a new subscription (or replaces one with the same id), kept until a little after its expiry. */
    void put(Subscription subscription);

    Optional<Subscription> get(String id);

    /** Every live subscription of a slot (by slot key), in no particular order. */
    List<Subscription> forSlot(String slotKey);

    /** Removes it; {@code false} if it was not there (expired, removed by another node). */
    boolean remove(String id);

    /**
     * Atomically takes the next CSeq and version for a NOTIFY.
     *
     * @return the subscription with the values to send, empty if it is gone
     */
    Optional<Subscription> next(String id);

    /**
     * Like {@link #next(String)}, but first tries one compare-and-set against {@code known} (as read moments ago, e.g.
     * by {@link #forSlot}) without reading it again; if it changed meanwhile, falls back to {@link #next(String)}.
     */
    Optional<Subscription> next(Subscription known);

    /**
     * Atomically refreshes the expiry (and the subscriber's target).
     *
     * @return the refreshed subscription, empty if it is gone
     */
    Optional<Subscription> refresh(String id, long expiresAt, String remoteTarget);

    /**
     * Whether this node sends the NOTIFYs of {@code subscription}: the node that accepted it while that node is a
     * cluster member; otherwise the owner of the subscription key's partition.
     */
    boolean notifiesHere(Subscription subscription, String localNode);

    /**
     * Removes every subscription that expired more than a grace period ago (its node died before its expiry timer ran).
     *
     * @return how many were removed
     */
    int sweep(long now);

    /** Every subscription (diagnostics, tests). */
    int size();
}
