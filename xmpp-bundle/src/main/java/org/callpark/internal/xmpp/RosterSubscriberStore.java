package org.callpark.internal.xmpp;

import java.util.Map;
import java.util.Set;

/**
 * The presence subscribers of slot JIDs, keyed by bare JIDs as strings ({@code 102@park.example.com} →
 * {@code bob@example.com}). Cluster-wide in production ({@link HazelcastRosterSubscriberStore}), so that every node's
 * component has the same view; {@link InMemoryRosterSubscriberStore} for one JVM. Implementations are thread-safe and may
 * throw an unchecked exception when the cluster cannot be reached.
 */
public interface RosterSubscriberStore {

    /** What is recorded for one user and one slot JID. */
    enum State {
        /** The component asked the user to add the slot (a {@code subscribe} sent once); no answer yet. */
        OFFERED,
        /** The user receives the slot's presence. */
        SUBSCRIBED,
        /** The user refused or removed the slot: no presence, and no offer ever again. */
        DECLINED
    }

    /** Every user recorded for {@code slotJid}, with their state; empty if none. */
    Map<String, State> subscribers(String slotJid);

    /**
     * Records {@link State#OFFERED} unless anything is recorded for the pair already (atomic, cluster-wide).
     *
     * @return {@code true} if the offer was recorded now (the caller sends the one {@code subscribe})
     */
    boolean offer(String slotJid, String userJid);

    /** Records {@code state} for the pair, replacing what was there. */
    void set(String slotJid, String userJid, State state);

    /** Every slot JID with at least one user recorded. */
    Set<String> slots();
}
