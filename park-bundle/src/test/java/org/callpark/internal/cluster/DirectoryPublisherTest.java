package org.callpark.internal.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException.Violation;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.callpark.spi.json.DirectoryParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import org.callpark.spi.json.DirectorySnapshot;

/**
 * The directory reaches the cluster map {@code callpark.directory} and reads back the same; a node writes only on a
 * change and never overwrites an equal directory another node published, nor publishes while it is behind the cluster's
 * directory ({@code callpark.config}). One real Hazelcast member on 127.0.0.1,
 * port 26550 (docs/testing.md).
 */
class DirectoryPublisherTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final int PORT = 26550;
    private static HazelcastInstance member;
    private static Directory shipped;

    private final DirectorySnapshot snapshot = new DirectorySnapshot();
    private IMap<String, HazelcastJsonValue> map;

    @BeforeAll
    static void startMember() throws IOException {
        String cluster = "callpark-dirpub-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(
                new MemberSettings(cluster, List.of("127.0.0.1:" + PORT), PORT, false, "127.0.0.1", 1));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        member = Hazelcast.newHazelcastInstance(config);
        shipped = shippedDirectory();
    }

    @AfterAll
    static void stopMember() {
        if (member != null) {
            member.shutdown();
        }
    }

    @BeforeEach
    void emptyMap() {
        map = member.getMap(DirectorySnapshot.MAP);
        map.clear();
        member.getMap(DirectoryRevision.MAP).clear();
    }

    @Test
    void publishesTheDirectoryAndItReadsBackTheSame() {
        DirectoryPublisher publisher = publisher(() -> shipped, "node-a");

        assertTrue(publisher.publishIfChanged());

        HazelcastJsonValue stored = map.get(DirectorySnapshot.KEY);
        assertNotNull(stored);
        Directory read = snapshot.decode(stored);
        assertEquals(snapshot.properties(shipped), snapshot.properties(read));
        String realm = shipped.tenant(TenantId.DEFAULT).orElseThrow().digestRealm();
        assertEquals(shipped.users(TenantId.DEFAULT).stream().map(u -> u.withHa1Only(realm)).toList(),
                read.users(TenantId.DEFAULT), "the users, by HA1 (S1)");
        assertTrue(read.users(TenantId.DEFAULT).stream().allMatch(u -> u.sipPassword().isEmpty()));
        for (User u : shipped.allUsers()) {
            assertTrue(!u.sipPassword().isEmpty() && !stored.getValue().contains(u.sipPassword()),
                    "no password in the snapshot: " + u);
        }
        assertEquals("bob@example.com", read.user(TenantId.DEFAULT, "101").map(User::jid).orElseThrow());
        assertTrue(stored.getValue().contains("\"node\":\"node-a\""), stored::getValue);
    }

    @Test
    void writesOnlyWhenTheDirectoryChanged() {
        Directory[] current = { shipped };
        DirectoryPublisher publisher = publisher(() -> current[0], "node-a");
        assertTrue(publisher.publishIfChanged());
        assertFalse(publisher.publishIfChanged(), "same directory object: nothing written");

        current[0] = withoutUser(shipped, "109");
        assertTrue(publisher.publishIfChanged());
        assertTrue(snapshot.decode(map.get(DirectorySnapshot.KEY)).user(TenantId.DEFAULT, "109").isEmpty());
    }

    @Test
    void anEqualDirectoryFromAnotherNodeIsNotWrittenAgain() {
        assertTrue(publisher(() -> shipped, "node-a").publishIfChanged());
        Directory equalButOwnCopy = withoutUser(shipped, "no-such-user");

        assertFalse(publisher(() -> equalButOwnCopy, "node-b").publishIfChanged());
        assertTrue(map.get(DirectorySnapshot.KEY).getValue().contains("\"node\":\"node-a\""));
    }

    @Test
    void aNodeBehindTheClustersDirectoryDoesNotPublishItsOwn() {
        IMap<String, HazelcastJsonValue> config = member.getMap(DirectoryRevision.MAP);
        config.set(DirectoryRevision.KEY, new DirectoryRevision(3, "node-b", "127.0.0.1:5701", Instant.now(),
                new TreeMap<>(snapshot.properties(shipped))).encode());
        Directory[] current = { withoutUser(shipped, "109") }; // started with an older file, not caught up yet
        DirectoryPublisher publisher = publisher(() -> current[0], "node-a");

        assertFalse(publisher.publishIfChanged());
        assertNull(map.get(DirectorySnapshot.KEY), "the outdated directory is not published");

        current[0] = withoutUser(shipped, "no-such-user"); // took the cluster's revision
        assertTrue(publisher.publishIfChanged());
        assertEquals(snapshot.properties(shipped), snapshot.readProperties(map.get(DirectorySnapshot.KEY)));
    }

    @Test
    void anInvalidClusterDirectoryDoesNotStopPublishing() {
        Map<String, String> bad = new TreeMap<>(snapshot.properties(shipped));
        bad.put("parkgroup.default.Sales.retries", "11");
        member.getMap(DirectoryRevision.MAP).set(DirectoryRevision.KEY,
                new DirectoryRevision(3, "older", "127.0.0.1:5701", Instant.now(), new TreeMap<>(bad)).encode());

        assertTrue(publisher(() -> shipped, "node-a").publishIfChanged(), "nodes keep their own directory then");
    }

    @Test
    void anUnreadableValueIsReplaced() {
        map.set(DirectorySnapshot.KEY, new HazelcastJsonValue("{\"format\":99}"));

        assertTrue(publisher(() -> shipped, "node-a").publishIfChanged());
        assertEquals(snapshot.properties(shipped), snapshot.readProperties(map.get(DirectorySnapshot.KEY)));
    }

    @Test
    void readingRejectsOtherFormatsAndInvalidDirectoriesByName() {
        IllegalArgumentException format = assertThrows(IllegalArgumentException.class,
                () -> snapshot.decode(new HazelcastJsonValue("{\"format\":2,\"properties\":{}}")));
        assertTrue(format.getMessage().contains("format 1"), format::getMessage);
        assertThrows(IllegalArgumentException.class, () -> snapshot.decode(new HazelcastJsonValue("not json")));

        Map<String, String> broken = new HashMap<>(snapshot.properties(shipped));
        broken.put("user.default.101.nonsense", "x");
        HazelcastJsonValue value = new HazelcastJsonValue(
                "{\"format\":1,\"node\":\"n\",\"properties\":" + toJson(broken) + "}");
        IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class, () -> snapshot.decode(value));
        assertTrue(invalid.getMessage().contains("user.default.101.nonsense"), invalid::getMessage);
    }

    private static DirectoryPublisher publisher(java.util.function.Supplier<Directory> current, String node) {
        DirectoryService service = new DirectoryService() {
            @Override
            public Directory current() {
                return current.get();
            }

            @Override
            public List<Violation> validate(Directory candidate) {
                return List.of();
            }

            @Override
            public void update(Directory candidate) {
                throw new UnsupportedOperationException();
            }
        };
        return new DirectoryPublisher(service, () -> member, () -> node, false);
    }

    private static Directory withoutUser(Directory d, String extension) {
        List<User> users = new ArrayList<>(d.allUsers());
        users.removeIf(u -> u.extension().equals(extension) && u.tenant().equals(TenantId.DEFAULT));
        return new Directory(d.defaultTenant(), d.tenants(), users, d.allRingGroups(), d.allParkGroups());
    }

    private static Directory shippedDirectory() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("src/main/config/org.callpark.directory.cfg"),
                StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, Object> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        DirectoryParser.Result parsed = new DirectoryParser().parse(map);
        assertTrue(parsed.isValid(), parsed.violations()::toString);
        return parsed.model().toDirectory();
    }

    private static String toJson(Map<String, String> m) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
