package org.callpark.openfire;

/**
 * A Karaf-less park node for the plugin IT: a Hazelcast member running the real park core. It lives in a class loader
 * of its own ({@link IsolatedNodeLoader}); the test drives it through this interface, which only uses JDK types.
 */
public interface ParkNodeControl extends AutoCloseable {

    /** Parks a call from {@code callerNumber}/{@code callerName} on extension {@code slot} of the default tenant. */
    String park(String slot, String callerNumber, String callerName, String parker) throws Exception;

    /** Retrieves the longest-waiting call of extension {@code slot} on behalf of {@code requester}. */
    String retrieve(String requester, String slot) throws Exception;

    /** How many Hazelcast clients (the plugin) are connected to the node's member. */
    int connectedClients();

    @Override
    void close();
}
