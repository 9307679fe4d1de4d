package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.callpark.api.Directory;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.TenantId;
import org.callpark.spi.json.DirectoryParser;
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

    /** The shipped directory (park-bundle's etc file), as the nodes publish it. */
    private static Directory shippedDirectory() throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(
                java.nio.file.Path.of("../park-bundle/src/main/config/org.callpark.directory.cfg"))) {
            p.load(in);
        }
        Map<String, Object> properties = new java.util.HashMap<>();
        p.stringPropertyNames().forEach(k -> properties.put(k, p.getProperty(k)));
        return new DirectoryParser().parse(properties).model().toDirectory();
    }

    /** Chat pickup is refused in Openfire; the answer names the code the phones' BLF keys dial for that slot. */
    @Test
    void chatPickupTellsWhatToDial() throws Exception {
        Directory d = shippedDirectory();
        TenantId acme = TenantId.of("acme");
        assertEquals("dial *88102 from your phone", ClusterParkBackend.dialHint(d,
                new RetrieveRequest(TenantId.DEFAULT, "101", RetrieveTarget.extension("102"))));
        assertEquals("dial *88700 from your phone", ClusterParkBackend.dialHint(d,
                new RetrieveRequest(TenantId.DEFAULT, "101", RetrieveTarget.group("Sales"))));
        assertEquals("dial park+Support from your phone", ClusterParkBackend.dialHint(d,
                new RetrieveRequest(acme, "201", RetrieveTarget.group("Support"))));
        // not a member of Sales, and the own slot: no slot-specific code
        assertEquals("dial *88 from your phone", ClusterParkBackend.dialHint(d,
                new RetrieveRequest(TenantId.DEFAULT, "104", RetrieveTarget.group("Sales"))));
        assertEquals("dial *88 from your phone", ClusterParkBackend.dialHint(d,
                new RetrieveRequest(TenantId.DEFAULT, "101", RetrieveTarget.own())));
        assertEquals("dial *88 from your phone", ClusterParkBackend.dialHint(null,
                new RetrieveRequest(TenantId.DEFAULT, "101", RetrieveTarget.extension("102"))));
    }
}
