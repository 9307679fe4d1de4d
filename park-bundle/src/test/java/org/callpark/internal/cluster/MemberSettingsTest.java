package org.callpark.internal.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;

class MemberSettingsTest {

    private static final Function<String, String> NONE = k -> null;

    @Test
    void defaultsOfTheConfiguration() {
        MemberSettings s = MemberSettings.from(new TestClusterConfig(), NONE, NONE);
        assertEquals(new MemberSettings("callpark", List.of(), 5701, true, "127.0.0.1", 1), s);
        assertEquals("callpark-callpark", s.instanceName());
        assertEquals(List.of("127.0.0.1:5701"), s.joinMembers(), "alone: joins itself");
    }

    @Test
    void aCfgMemberListArrivesAsOneStringAndIsSplit() {
        TestClusterConfig c = new TestClusterConfig();
        c.members = " 10.0.0.1:5701, 10.0.0.2 ,10.0.0.3:5702 ";
        MemberSettings s = MemberSettings.from(c, NONE, NONE);
        assertEquals(List.of("10.0.0.1:5701", "10.0.0.2", "10.0.0.3:5702"), s.members());
        assertEquals(s.members(), s.joinMembers());
    }

    @Test
    void systemPropertiesWinOverEnvironmentWhichWinsOverConfiguration() {
        Map<String, String> sysprops = Map.of("callpark.cluster.port", "6801", "callpark.cluster.clusterName", "sys");
        Map<String, String> env = Map.of("CALLPARK_CLUSTER_PORT", "7801", "CALLPARK_CLUSTER_CLUSTER_NAME", "env",
                "CALLPARK_CLUSTER_BIND_ADDRESS", "10.1.2.3", "CALLPARK_CLUSTER_PORT_AUTO_INCREMENT", "FALSE",
                "CALLPARK_CLUSTER_BACKUP_COUNT", "2", "CALLPARK_CLUSTER_MEMBERS", "a,b");
        MemberSettings s = MemberSettings.from(new TestClusterConfig(), sysprops::get, env::get);
        assertEquals(new MemberSettings("sys", List.of("a", "b"), 6801, false, "10.1.2.3", 2), s);
    }

    @Test
    void upperSnakeNames() {
        assertEquals("PORT_AUTO_INCREMENT", MemberSettings.upperSnake("portAutoIncrement"));
        assertEquals("CLUSTER_NAME", MemberSettings.upperSnake("clusterName"));
    }

    @Test
    void invalidValuesAreAllNamed() {
        TestClusterConfig c = new TestClusterConfig();
        c.port = 0;
        c.backupCount = 7;
        c.clusterName = "has space";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemberSettings.from(c, NONE, NONE));
        assertTrue(e.getMessage().contains("port"), e.getMessage());
        assertTrue(e.getMessage().contains("backupCount"), e.getMessage());
        assertTrue(e.getMessage().contains("clusterName"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> MemberSettings.from(new TestClusterConfig(),
                Map.of("callpark.cluster.port", "x", "callpark.cluster.portAutoIncrement", "yes")::get, NONE));
        assertTrue(e.getMessage().contains("port: not a number"), e.getMessage());
        assertTrue(e.getMessage().contains("portAutoIncrement"), e.getMessage());

        TestClusterConfig dev = new TestClusterConfig();
        dev.clusterName = "dev";
        assertThrows(IllegalArgumentException.class, () -> MemberSettings.from(dev, NONE, NONE));
    }

    @Test
    void fingerprintChangesWithEverySetting() {
        MemberSettings base = new MemberSettings("c", List.of(), 5701, true, "127.0.0.1", 1);
        assertEquals(base.fingerprint(), new MemberSettings("c", List.of(), 5701, true, "127.0.0.1", 1).fingerprint());
        for (MemberSettings other : List.of(new MemberSettings("d", List.of(), 5701, true, "127.0.0.1", 1),
                new MemberSettings("c", List.of("x"), 5701, true, "127.0.0.1", 1),
                new MemberSettings("c", List.of(), 5702, true, "127.0.0.1", 1),
                new MemberSettings("c", List.of(), 5701, false, "127.0.0.1", 1),
                new MemberSettings("c", List.of(), 5701, true, "127.0.0.2", 1),
                new MemberSettings("c", List.of(), 5701, true, "127.0.0.1", 0))) {
            assertNotEquals(base.fingerprint(), other.fingerprint(), other.toString());
        }
    }

    @Test
    void memberConfig() {
        Config config = MemberConfigFactory.build(
                new MemberSettings("prod", List.of("10.0.0.1:5701", "10.0.0.2:5701"), 5801, false, "10.0.0.1", 2));
        assertEquals("prod", config.getClusterName());
        assertEquals("callpark-prod", config.getInstanceName());
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertFalse(join.getMulticastConfig().isEnabled());
        assertFalse(join.getAutoDetectionConfig().isEnabled());
        assertTrue(join.getTcpIpConfig().isEnabled());
        assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5701"), join.getTcpIpConfig().getMembers());
        assertEquals(5801, config.getNetworkConfig().getPort());
        assertFalse(config.getNetworkConfig().isPortAutoIncrement());
        assertTrue(config.getNetworkConfig().isReuseAddress(), "a restarted node gets its port back from TIME_WAIT");
        assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
        assertEquals(List.of("10.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
        assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
        assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
        assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
        assertEquals("slf4j", config.getProperty("hazelcast.logging.type"));

        MapConfig calls = config.getMapConfig(MemberConfigFactory.CALLS_MAP);
        assertEquals(2, calls.getBackupCount());
        assertEquals(List.of(List.of("slot"), List.of("tenant")),
                calls.getIndexConfigs().stream().map(IndexConfig::getAttributes).toList());
        assertTrue(calls.getIndexConfigs().stream().allMatch(i -> i.getType() == IndexType.HASH));
    }
}
