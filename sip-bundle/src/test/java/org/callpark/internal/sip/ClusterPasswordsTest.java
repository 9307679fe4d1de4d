package org.callpark.internal.sip;

import static org.callpark.internal.sip.SipTests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import javax.sip.message.Response;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.callpark.internal.SipTestCore;
import org.callpark.internal.TestCluster;
import org.callpark.internal.directory.ClusterDirectoryNode;
import org.callpark.internal.store.HazelcastSlotStore;
import org.callpark.spi.json.DirectorySnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;

/**
 * Issue 14 S1 over real sockets: node A starts with the etc file where the administrator typed the passwords (the
 * directory tests' demo, users {@code pass101}…), node B has no file and adopts the cluster's directory — both with
 * the real directory component, cluster directory and snapshot publisher on real Hazelcast members. An outsider's
 * Hazelcast client on A's port reads both maps that carry the directory and finds no password, and node B, which never
 * saw one, authenticates a real digest REGISTER from a raw UDP phone.
 */
class ClusterPasswordsTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final String LOCAL = "127.0.0.1";
    private static final String REGISTRAR = "sip:127.0.0.1";
    /** Every password of the demo file. */
    private static final List<String> PASSWORDS = List.of("pass101", "pass102", "pass103", "pass104", "pass105",
            "pass106", "pass201", "pass202", "pass203");

    private final List<AutoCloseable> open = new ArrayList<>();
    private String cluster;
    private int hzA;
    private HazelcastInstance ha;
    private HazelcastInstance hb;
    private ClusterDirectoryNode a;
    private ClusterDirectoryNode b;

    @BeforeEach
    void twoNodes() throws Exception {
        cluster = "callpark-s1-test-" + UUID.randomUUID();
        hzA = TestCluster.freePort(23101 + ThreadLocalRandom.current().nextInt(300));
        int hzB = TestCluster.freePort(hzA + 2);
        List<String> members = List.of(LOCAL + ":" + hzA, LOCAL + ":" + hzB);
        ha = TestCluster.member(cluster, members, hzA);
        hb = TestCluster.member(cluster, members, hzB);
        open.add(ha::shutdown);
        open.add(hb::shutdown);
        await(() -> ha.getCluster().getMembers().size() == 2, "two members");
        a = new ClusterDirectoryNode(ha, ClusterDirectoryNode.demoFile());
        open.add(0, a);
        await(() -> ha.getMap("callpark.config").containsKey("org.callpark.directory"), "A's file is the cluster's");
        b = new ClusterDirectoryNode(hb, null);
        open.add(0, b);
        await(() -> b.service().current().user(TenantId.DEFAULT, "103").isPresent(), "B took the cluster's directory");
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // going anyway
            }
        }
    }

    @Test
    void anOutsiderOnTheHazelcastPortFindsNoPasswordAndTheAdoptingNodeAuthenticatesFromHa1() throws Exception {
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().addAddress(LOCAL + ":" + hzA);
        HazelcastInstance outsider = HazelcastClient.newHazelcastClient(config);
        open.add(0, outsider::shutdown);
        await(() -> outsider.getMap(DirectorySnapshot.MAP).get(DirectorySnapshot.KEY) != null, "a snapshot");

        String ha1 = User.ha1("103", "callpark", "pass103"); // the default tenant claims no domain: realm callpark
        for (String map : List.of(DirectorySnapshot.MAP, "callpark.config")) {
            for (Map.Entry<Object, Object> e : outsider.getMap(map).entrySet()) {
                String json = ((HazelcastJsonValue) e.getValue()).getValue();
                for (String password : PASSWORDS) {
                    assertFalse(json.contains(password), map + "/" + e.getKey() + " carries " + password + ": " + json);
                }
                assertFalse(json.contains(".password\""), map + " has a password key: " + json);
                assertTrue(json.contains("\"user.default.103.ha1\":\"" + ha1 + "\""), map + ": " + json);
            }
        }
        Map<String, Object> fileB = b.configuration();
        assertNotNull(fileB);
        assertFalse(fileB.keySet().stream().anyMatch(k -> k.endsWith(".password")), "B's etc file: " + fileB);
        assertEquals(ha1, fileB.get("user.default.103.ha1"));
        assertEquals("pass103", a.configuration().get("user.default.103.password"), "A keeps what was typed there");

        SipServer server = sipServerOn(b, hb);
        try (RawSipPhone phone = new RawSipPhone("127.0.0.31", "103", "pass103");
                RawSipPhone wrong = new RawSipPhone("127.0.0.32", "103", "pass104")) {
            Response challenge = phone.send(port, register(phone, null));
            assertEquals(401, challenge.getStatusCode());
            assertTrue(SipMessages.valueOf(challenge.getHeader("WWW-Authenticate")).contains("realm=\"callpark\""));
            Response ok = phone.send(port, register(phone, phone.authorization(challenge, "REGISTER", REGISTRAR, 1)));
            assertEquals(200, ok.getStatusCode(), "B authenticates 103 from the HA1 alone: " + ok);

            Response c2 = wrong.send(port, register(wrong, null));
            assertEquals(403, wrong.send(port, register(wrong, wrong.authorization(c2, "REGISTER", REGISTRAR, 1)))
                    .getStatusCode(), "and still refuses a wrong password");
        }
        assertNotNull(server);
    }

    /**
     * Node B knows acme's users by HA1 only: a change of acme's realm made there — in its etc file or through the
     * REST API — is rejected naming each user's password, and nothing reaches the cluster.
     */
    @Test
    void aRealmChangeOnTheNodeThatHasOnlyHa1IsRejectedNamingThePasswordAndNotShared() throws Exception {
        Object before = ha.getMap("callpark.config").get("org.callpark.directory");
        TenantId acme = TenantId.of("acme");
        Tenant t = b.service().current().tenant(acme).orElseThrow();
        Tenant renamed = new Tenant(acme, t.name(), t.domains(), t.xmppDomain(), t.recallDefaults(), t.blf(),
                "Acme PBX");
        Directory d = b.service().current();
        Directory candidate = new Directory(d.defaultTenant(), d.tenants().stream()
                .map(x -> x.id().equals(acme) ? renamed : x).toList(), d.allUsers(), d.allRingGroups(),
                d.allParkGroups());
        ParkException e = assertThrows(ParkException.class, () -> b.service().update(candidate));
        assertEquals(List.of("user.acme.201.password", "user.acme.202.password", "user.acme.203.password"),
                e.violations().stream().map(ParkException.Violation::field).toList());
        assertTrue(e.violations().get(0).message().contains("give the password again"), e::toString);

        Map<String, Object> edited = new TreeMap<>(b.configuration());
        edited.put("tenant.acme.domains", "pbx.acme.test, acme.test"); // the realm derives from the first domain
        b.fileEdited(edited);
        Thread.sleep(1_500); // three checks of the cluster directory
        assertEquals(before, ha.getMap("callpark.config").get("org.callpark.directory"), "nothing shared");
        assertEquals("acme.test", b.service().current().tenant(acme).orElseThrow().digestRealm(),
                "B keeps its directory");

        Map<String, Object> typed = new TreeMap<>(a.configuration());
        typed.put("tenant.acme.domains", "pbx.acme.test, acme.test");
        a.fileEdited(typed); // where the passwords were typed the same change is fine
        await(() -> b.service().current().tenant(acme).orElseThrow().digestRealm().equals("pbx.acme.test"),
                "B took A's change with the new HA1");
        assertEquals(User.ha1("201", "pbx.acme.test", "pass201"), b.configuration().get("user.acme.201.ha1"));
    }

    private int port;

    private SipServer sipServerOn(ClusterDirectoryNode node, HazelcastInstance hz) throws Exception {
        String id = hz.getCluster().getLocalMember().getUuid().toString();
        SipTestCore core = SipTestCore.clustered(new HazelcastSlotStore(hz, id));
        RecordingMedia media = new RecordingMedia();
        port = TestCluster.freePort(29060 + ThreadLocalRandom.current().nextInt(300) * 2);
        TestSipConfig sip = new TestSipConfig();
        sip.port = port;
        SipServer server = new SipServer(core.service(), node.service(), media, new Registrations(() -> hz),
                () -> id, () -> hz, null, sip, k -> null, k -> null);
        open.add(0, () -> {
            server.deactivate();
            core.close();
            media.shutdown();
        });
        return server;
    }

    private static String register(RawSipPhone phone, String authorization) {
        return phone.request("REGISTER", REGISTRAR, "sip:" + phone.user() + "@127.0.0.1",
                "reg-" + phone.port() + "@" + phone.address(), "sip:" + phone.user() + "@" + phone.address() + ":"
                        + phone.port(), authorization);
    }
}
