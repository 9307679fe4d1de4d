package org.callpark.internal.cluster;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of this node's Hazelcast member (PID {@code org.callpark.cluster}). Every attribute can be overridden
 * by a system property {@code callpark.cluster.<attribute>} or an environment variable
 * {@code CALLPARK_CLUSTER_<ATTRIBUTE>} (upper snake case, e.g. {@code CALLPARK_CLUSTER_BIND_ADDRESS}); see
 * {@link MemberSettings}.
 */
@ObjectClassDefinition(name = "Call Park cluster member",
        description = "The Hazelcast member that shares parked calls between the nodes of the cluster.")
public @interface ClusterConfig {

    @AttributeDefinition(name = "Cluster name",
            description = "Only members with the same cluster name join each other. Default: callpark.")
    String clusterName() default "callpark";

    @AttributeDefinition(name = "Members",
            description = "Comma-separated host[:port] list of the cluster's members (TCP/IP join). Empty: this node"
                    + " runs alone. Default: empty.")
    String members() default "";

    @AttributeDefinition(name = "Port", description = "The port the member listens on. Default: 5701.")
    int port() default MemberSettings.DEFAULT_PORT;

    @AttributeDefinition(name = "Port auto-increment",
            description = "Try the next ports when the port is taken (several nodes on one host). Default: true.")
    boolean portAutoIncrement() default true;

    @AttributeDefinition(name = "Bind address",
            description = "The local address the member binds to and announces; nothing else is bound."
                    + " Default: 127.0.0.1.")
    String bindAddress() default "127.0.0.1";

    @AttributeDefinition(name = "Backup count",
            description = "How many other members hold a synchronous copy of each parked call (0..6). Default: 1.")
    int backupCount() default 1;
}
