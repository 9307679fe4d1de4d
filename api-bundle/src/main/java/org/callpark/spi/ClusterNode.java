package org.callpark.spi;

import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

import com.hazelcast.core.HazelcastInstance;

/**
 * This node's membership of the call-park cluster, for the adapter bundles (SIP, XMPP) that keep state of their own in
 * Hazelcast — registrations, BLF and roster subscriptions — or watch the members (takeover of a dead node's calls).
 * The park bundle provides it; the member itself belongs to the Hazelcast bundle and outlives updates of ours.
 * <p>
 * Only JSON values ({@code HazelcastJsonValue}) and JDK types may be put into the instance: a class of ours inside the
 * member would pin a bundle revision.
 */
@ProviderType
public interface ClusterNode {

    /** The running member (a new one after a configuration change: see {@link #addRestartListener}). */
    HazelcastInstance instance();

    /** The local member's UUID, the {@code node} of the calls this node carries; it changes when the member restarts. */
    String nodeId();

    /**
     * Calls {@code listener} with the new instance after the member was restarted by a configuration change. Users
     * that cache anything bound to the instance (map proxies, listener registrations) re-create it there.
     */
    void addRestartListener(Consumer<HazelcastInstance> listener);

    void removeRestartListener(Consumer<HazelcastInstance> listener);
}
