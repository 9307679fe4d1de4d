package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.callpark.api.RetrieveTarget;
import org.junit.jupiter.api.Test;

/** The plugin's Openfire properties: defaults, parsing, and every wrong property named at once. */
class PluginSettingsTest {

    @Test
    void defaultsWhenNothingIsSet() {
        PluginSettings s = PluginSettings.from(name -> null);
        assertEquals(List.of("127.0.0.1:5701"), s.members());
        assertEquals("callpark", s.clusterName());
        assertEquals("park", s.subdomain());
        assertEquals(Duration.ofSeconds(30), s.connectTimeout());
    }

    @Test
    void readsEveryProperty() {
        PluginSettings s = PluginSettings.from(Map.of(
                PluginSettings.MEMBERS, " 10.1.0.5:5701, park2.example.com:5702 ,",
                PluginSettings.CLUSTER_NAME, "prod",
                PluginSettings.SUBDOMAIN, "Parking",
                PluginSettings.CONNECT_TIMEOUT, "5")::get);
        assertEquals(List.of("10.1.0.5:5701", "park2.example.com:5702"), s.members());
        assertEquals("prod", s.clusterName());
        assertEquals("parking", s.subdomain());
        assertEquals(Duration.ofSeconds(5), s.connectTimeout());
    }

    @Test
    void namesEveryWrongPropertyAndUsesNone() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginSettings.from(Map.of(
                PluginSettings.MEMBERS, "10.1.0.5, host:99999",
                PluginSettings.SUBDOMAIN, "park.example.com",
                PluginSettings.CONNECT_TIMEOUT, "soon")::get));
        String m = e.getMessage();
        assertTrue(m.contains("callpark.cluster.members: '10.1.0.5' is not host:port"), m);
        assertTrue(m.contains("'host:99999' is not host:port"), m);
        assertTrue(m.contains("callpark.subdomain: 'park.example.com' is not a single DNS label"), m);
        assertTrue(m.contains("callpark.cluster.connectTimeout: 'soon' is not a number of seconds"), m);
    }

    @Test
    void aTimeoutOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PluginSettings.from(Map.of(PluginSettings.CONNECT_TIMEOUT, "0")::get));
        assertTrue(e.getMessage().contains("between 1 and 3600"), e.getMessage());
    }

    @Test
    void chatPickupTellsWhatToDial() {
        assertEquals("dial *88102 from your phone", ClusterParkBackend.dialHint(RetrieveTarget.extension("102")));
        assertEquals("dial park+Sales (or *88 and the group's number) from your phone",
                ClusterParkBackend.dialHint(RetrieveTarget.group("Sales")));
        assertEquals("dial *88 from your phone", ClusterParkBackend.dialHint(RetrieveTarget.own()));
    }
}
