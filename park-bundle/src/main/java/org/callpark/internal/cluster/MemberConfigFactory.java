package org.callpark.internal.cluster;

import org.callpark.spi.json.CallCodec;

import com.hazelcast.config.Config;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;

/**
 * Builds the Hazelcast member {@link Config} from {@link MemberSettings}. Used by {@link ClusterMember} inside OSGi and
 * directly by tests, which start members with {@code Hazelcast.newHazelcastInstance(config)}.
 * <p>
 * The member joins by TCP/IP only (multicast and auto-detection off), binds to the configured address only, does not
 * phone home, installs no shutdown hook (the Hazelcast bundle owns the instance) and logs through SLF4J. The map of
 * parked calls ({@link #CALLS_MAP}) gets the configured backup count and HASH indexes on the JSON attributes
 * {@code slot} and {@code tenant}.
 */
public final class MemberConfigFactory {

    /** The map of parked calls: call id to the call as JSON ({@link CallCodec}). */
    public static final String CALLS_MAP = CallCodec.MAP;

    /** Indexed JSON attributes of the values of {@link #CALLS_MAP}. */
    public static final String SLOT_ATTRIBUTE = CallCodec.SLOT_FIELD;
    public static final String TENANT_ATTRIBUTE = CallCodec.TENANT_FIELD;

    private MemberConfigFactory() {
    }

    public static Config build(MemberSettings settings) {
        Config config = new Config();
        config.setInstanceName(settings.instanceName());
        config.setClusterName(settings.clusterName());

        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.socket.bind.any", "false");
        // A node that dies without closing its connections (power loss, a hung JVM) is declared dead after 10 s instead
        // of Hazelcast's 60 s: its parked callers are taken over by the survivors that much sooner (a killed process
        // closes its sockets and is noticed at once).
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port());
        network.setPortAutoIncrement(settings.portAutoIncrement());
        // A node killed and started again at once must get its port back: the killed member's closed connections keep
        // the port in TIME_WAIT for up to a minute, and without SO_REUSEADDR the new member fails with "Port is
        // already in use" (RestartST saw it once: the node restarted without its cluster, so without SIP).
        network.setReuseAddress(true);
        network.setPublicAddress(null);
        network.getInterfaces().setEnabled(true).clear().addInterface(settings.bindAddress());

        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(settings.joinMembers());

        MapConfig calls = new MapConfig(CALLS_MAP);
        calls.setBackupCount(settings.backupCount());
        calls.setAsyncBackupCount(0);
        calls.addIndexConfig(new IndexConfig(IndexType.HASH, SLOT_ATTRIBUTE).setName("callpark-slot"));
        calls.addIndexConfig(new IndexConfig(IndexType.HASH, TENANT_ATTRIBUTE).setName("callpark-tenant"));
        config.addMapConfig(calls);
        return config;
    }
}
