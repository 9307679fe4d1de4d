package org.callpark.internal.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.callpark.spi.Overrides;

/**
 * The effective settings of the Hazelcast member: the {@link ClusterConfig} values, each overridden by the system
 * property {@code callpark.cluster.<attribute>} if set, else by the environment variable
 * {@code CALLPARK_CLUSTER_<ATTRIBUTE>} if set (e.g. {@code -Dcallpark.cluster.port=5801} or
 * {@code CALLPARK_CLUSTER_PORT=5801}), else the configuration.
 *
 * @param clusterName       the Hazelcast cluster name
 * @param members           the TCP/IP join members, {@code host} or {@code host:port}; empty when the node runs alone
 * @param port              the listening port
 * @param portAutoIncrement whether to try the following ports when it is taken
 * @param bindAddress       the only local address the member binds to
 * @param backupCount       synchronous backups of each map entry
 */
public record MemberSettings(String clusterName, List<String> members, int port, boolean portAutoIncrement,
        String bindAddress, int backupCount) {

    public static final int DEFAULT_PORT = 5701;

    public MemberSettings {
        List<String> invalid = new ArrayList<>();
        if (clusterName == null || clusterName.isBlank() || !clusterName.matches("[A-Za-z0-9._-]+")) {
            invalid.add("clusterName: letters, digits, '.', '_' and '-' only, not empty: '" + clusterName + "'");
        } else if ("dev".equals(clusterName)) {
            // Hazelcast's OSGi service replaces the cluster name "dev" by its own id.
            invalid.add("clusterName: 'dev' is reserved by Hazelcast's OSGi service");
        }
        members = members == null ? List.of() : List.copyOf(members);
        for (String m : members) {
            if (m.isBlank() || m.chars().anyMatch(Character::isWhitespace)) {
                invalid.add("members: invalid member '" + m + "'");
            }
        }
        if (port < 1 || port > 65535) {
            invalid.add("port: must be 1..65535: " + port);
        }
        if (bindAddress == null || bindAddress.isBlank()) {
            invalid.add("bindAddress: must not be empty");
        }
        if (backupCount < 0 || backupCount > 6) {
            invalid.add("backupCount: must be 0..6: " + backupCount);
        }
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", invalid));
        }
        bindAddress = bindAddress.trim();
    }

    /** The settings of a configuration with the overrides of this JVM's system properties and environment. */
    public static MemberSettings from(ClusterConfig config) {
        return from(config, System::getProperty, System::getenv);
    }

    /**
     * The settings of a configuration with overrides.
     *
     * @param sysprops looks up a system property ({@code callpark.cluster.port})
     * @param env      looks up an environment variable ({@code CALLPARK_CLUSTER_PORT})
     * @throws IllegalArgumentException naming every invalid attribute
     */
    public static MemberSettings from(ClusterConfig config, Function<String, String> sysprops,
            Function<String, String> env) {
        Overrides o = new Overrides("org.callpark.cluster", sysprops, env);
        List<String> invalid = new ArrayList<>();
        String clusterName = o.string("clusterName", config.clusterName());
        String members = o.string("members", config.members());
        int port = o.integer("port", config.port(), invalid);
        boolean autoIncrement = o.bool("portAutoIncrement", config.portAutoIncrement(), invalid);
        String bindAddress = o.string("bindAddress", config.bindAddress());
        int backupCount = o.integer("backupCount", config.backupCount(), invalid);
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", invalid));
        }
        return new MemberSettings(clusterName.trim(), splitMembers(members), port, autoIncrement, bindAddress,
                backupCount);
    }

    /** Splits a comma- (or whitespace-) separated member list; a {@code .cfg} value {@code a,b} arrives as one string. */
    public static List<String> splitMembers(String members) {
        List<String> result = new ArrayList<>();
        if (members != null) {
            for (String m : members.split("[,\\s]+")) {
                if (!m.isEmpty()) {
                    result.add(m);
                }
            }
        }
        return result;
    }

    /** The Hazelcast instance name, {@code callpark-<clusterName>}. */
    public String instanceName() {
        return "callpark-" + clusterName;
    }

    /** The members to join: the configured list, or this member's own address when the node runs alone. */
    public List<String> joinMembers() {
        return members.isEmpty() ? List.of(bindAddress + ":" + port) : members;
    }

    /** A canonical text of every setting: equal fingerprints, equal member configuration. */
    public String fingerprint() {
        return "clusterName=" + clusterName + ";members=" + String.join(",", members) + ";port=" + port
                + ";portAutoIncrement=" + portAutoIncrement + ";bindAddress=" + bindAddress + ";backupCount="
                + backupCount;
    }

    /** The environment variables' spelling of an attribute name, see {@link Overrides#upperSnake}. */
    static String upperSnake(String camel) {
        return Overrides.upperSnake(camel);
    }
}
