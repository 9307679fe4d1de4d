package org.callpark.internal.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.callpark.internal.cluster.ClusterDirectory;
import org.callpark.internal.cluster.DirectoryRevision;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import org.callpark.spi.json.DirectoryModel;
import org.callpark.spi.json.DirectoryWriter;

/**
 * One directory for the cluster ({@link ClusterDirectory}) on real Hazelcast members in this JVM (loopback TCP join,
 * a cluster name of its own, fixed ports 26560–26562, docs/testing.md). Each node is what Karaf runs: a
 * {@link DirectoryServiceImpl} and a {@link ClusterDirectory} on one {@link DeliveringConfigurationAdmin}, which
 * delivers configuration changes as Felix ConfigAdmin does (to the component and to the listeners, asynchronously).
 * Every test counts what was written to the cluster (entry events) and to each node's configuration.
 */
class ClusterDirectoryTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final int[] PORTS = { 26560, 26561, 26562 };
    /** The periodic check, short so that a missed event or a ping-pong would show within a test. */
    private static final Duration CHECK = Duration.ofMillis(500);
    /** Long enough for several periodic checks and any echo of a change to have happened. */
    private static final long SETTLE_MS = 1_500;
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static final TenantId DEFAULT = TenantId.DEFAULT;

    private static String cluster;
    private static HazelcastInstance one;
    private static HazelcastInstance two;

    private final List<Node> nodes = new ArrayList<>();
    private final List<HazelcastInstance> extraMembers = new ArrayList<>();
    private IMap<String, HazelcastJsonValue> config;
    /** Writes to the cluster's directory entry (added or updated) since the test's counting started. */
    private final AtomicInteger clusterWrites = new AtomicInteger();
    private Log log;

    @BeforeAll
    static void startMembers() {
        cluster = "callpark-clusterdir-" + UUID.randomUUID();
        one = member(PORTS[0]);
        two = member(PORTS[1]);
    }

    @AfterAll
    static void stopMembers() {
        if (two != null) {
            two.shutdown();
        }
        if (one != null) {
            one.shutdown();
        }
    }

    private static HazelcastInstance member(int port) {
        List<String> members = java.util.Arrays.stream(PORTS).mapToObj(p -> "127.0.0.1:" + p).toList();
        Config c = MemberConfigFactory.build(new MemberSettings(cluster, members, port, false, "127.0.0.1", 1));
        c.setInstanceName(cluster + "-" + port);
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        return Hazelcast.newHazelcastInstance(c);
    }

    @BeforeEach
    void clean() {
        config = one.getMap(DirectoryRevision.MAP);
        config.clear();
        config.addEntryListener(new Counter(), DirectoryRevision.KEY, false);
        log = Log.capture();
    }

    @AfterEach
    void close() {
        log.close();
        nodes.forEach(Node::close);
        extraMembers.forEach(HazelcastInstance::shutdown);
        config.clear();
    }

    // --- changes travel ---

    @Test
    void aFileChangeOnOneNodeReachesTheOtherOnceAndIsNotPublishedBack() throws Exception {
        Node n1 = start(one, v1());
        Node n2 = start(two, v1());
        settled(1);

        n1.cm.fileEdited(v2());

        await("node 2 has user 107", () -> n2.has107());
        Thread.sleep(SETTLE_MS);
        assertEquals(1, n2.cm.updates.size(), "node 2's configuration written once: " + n2.cm.updates);
        assertEquals(written(v2()), n2.cm.updates.get(0), "node 2 got the same properties, in its etc file");
        assertEquals(1, n1.cm.updates.size(), "node 1's configuration: only the file edit, nothing written back");
        assertEquals(1, clusterWrites.get(), "one publish, no ping-pong");
        assertEquals(2, revision().revision());
        assertEquals(normalized(v2()), revision().properties());
        assertTrue(n1.has107());
    }

    @Test
    void aRestUpdateOnOneNodeReachesTheOther() throws Exception {
        Node n1 = start(one, v1());
        Node n2 = start(two, v1());
        settled(1);

        n2.service.update(with107(n2.service.current()));

        await("node 1 has user 107", () -> n1.has107());
        Thread.sleep(SETTLE_MS);
        assertEquals(1, n1.cm.updates.size(), "node 1's configuration written once: " + n1.cm.updates);
        // node 2 keeps the password typed there; node 1 got only the HA1: the same directory in the published form
        assertEquals(normalized(n2.cm.directoryProperties()), new TreeMap<>(n1.cm.directoryProperties()),
                "node 1 holds what the cluster holds");
        assertTrue(n2.cm.directoryProperties().containsKey("user.default.107.password"));
        assertFalse(n1.cm.directoryProperties().keySet().stream().anyMatch(k -> k.endsWith(".password")),
                "no password written on node 1: " + n1.cm.directoryProperties());
        assertEquals(1, n2.cm.updates.size(), "node 2: only the update itself");
        assertEquals(1, clusterWrites.get());
        assertEquals(2, revision().revision());
    }

    @Test
    void changesFromEveryNodeInTurnEachPublishOnce() throws Exception {
        Node n1 = start(one, v1());
        Node n2 = start(two, v1());
        settled(1);

        for (int i = 1; i <= 4; i++) {
            Node from = i % 2 == 1 ? n1 : n2;
            Node to = from == n1 ? n2 : n1;
            String name = "Changed " + i;
            Map<String, Object> next = v1();
            next.put("tenant.acme.name", name);
            from.cm.fileEdited(next);
            await("the other node has change " + i,
                    () -> to.service.current().tenant(TenantId.of("acme")).orElseThrow().name().equals(name));
        }
        Thread.sleep(SETTLE_MS);
        assertEquals(4, clusterWrites.get(), "one publish per change");
        assertEquals(5, revision().revision());
        assertEquals(4, n1.cm.updates.size(), "node 1: two edits of its own and two written from the cluster");
        assertEquals(4, n2.cm.updates.size());
        assertEquals(normalized(n1.cm.directoryProperties()), normalized(n2.cm.directoryProperties()));
    }

    // --- invalid changes ---

    @Test
    void anInvalidChangeIsRejectedAndNeverShared() throws Exception {
        Node n1 = start(one, v1());
        Node n2 = start(two, v1());
        settled(1);
        Directory before1 = n1.service.current();
        Directory before2 = n2.service.current();

        Map<String, Object> invalid = v1();
        invalid.put("parkgroup.default.Sales.retries", "11");
        n1.cm.fileEdited(invalid);
        n1.cm.drain();
        ParkException rest = assertThrows(ParkException.class,
                () -> n2.service.update(withRetries(n2.service.current(), 11)));
        assertTrue(rest.getMessage().contains("retries"), rest::getMessage);
        Thread.sleep(SETTLE_MS);

        assertEquals(0, clusterWrites.get(), "nothing published");
        assertEquals(1, revision().revision());
        assertEquals(normalized(v1()), revision().properties());
        assertEquals(DirectoryModel.of(before1), DirectoryModel.of(n1.service.current()));
        assertEquals(DirectoryModel.of(before2), DirectoryModel.of(n2.service.current()));
        assertEquals(0, n2.cm.updates.size(), "node 2's configuration untouched");
        assertTrue(log.text().contains("parkgroup.default.Sales.retries"), "node 1 named the field");

        // the next valid change is the next revision: the invalid one was never in between
        n1.cm.fileEdited(v2());
        await("node 2 has user 107", () -> n2.has107());
        assertEquals(2, revision().revision());
        assertEquals(1, n2.cm.updates.size());
    }

    @Test
    void anInvalidDirectoryInTheClusterIsNotAppliedAndTheWarningNamesTheField() throws Exception {
        Node n1 = start(one, v1());
        Node n2 = start(two, v1());
        settled(1);
        Directory before1 = n1.service.current();
        Directory before2 = n2.service.current();

        // what an older node with looser rules might write
        HazelcastJsonValue stored = config.get(DirectoryRevision.KEY);
        SortedMap<String, String> bad = new TreeMap<>(normalized(v1()));
        bad.put("parkgroup.default.Sales.retries", "11");
        DirectoryRevision older = new DirectoryRevision(2, "older-node", "192.0.2.9:5701", java.time.Instant.now(),
                bad);
        assertTrue(config.replace(DirectoryRevision.KEY, stored, older.encode()));

        await("both nodes warned, naming the field", () -> log.count("192.0.2.9:5701") >= 2
                && log.text().contains("parkgroup.default.Sales.retries: tenant 'default', park group 'Sales'"));
        Thread.sleep(SETTLE_MS);
        assertTrue(log.lines("WARN").stream().anyMatch(l -> l.contains("is invalid")
                && l.contains("parkgroup.default.Sales.retries")), log::text);
        assertEquals(2, log.lines("WARN").stream().filter(l -> l.contains("192.0.2.9:5701")).count(),
                "one warning per node, not one per check: " + log.text());
        assertEquals(DirectoryModel.of(before1), DirectoryModel.of(n1.service.current()));
        assertEquals(DirectoryModel.of(before2), DirectoryModel.of(n2.service.current()));
        assertEquals(0, n1.cm.updates.size());
        assertEquals(0, n2.cm.updates.size());

        // the next valid change replaces it
        n2.cm.fileEdited(v2());
        await("node 1 has user 107", () -> n1.has107());
        assertEquals(3, revision().revision());
        assertEquals(normalized(v2()), revision().properties());
    }

    // --- start ---

    @Test
    void aThirdMemberJoiningLaterGetsTheCurrentDirectory() throws Exception {
        Node n1 = start(one, v1());
        Node n2 = start(two, v1());
        settled(1);
        n1.cm.fileEdited(v2());
        await("node 2 has user 107", () -> n2.has107());
        int writes = clusterWrites.get();

        HazelcastInstance three = member(PORTS[2]);
        extraMembers.add(three);
        assertEquals(3, three.getCluster().getMembers().size());
        Node n3 = start(three, v1()); // an old etc file

        await("node 3 has user 107", () -> n3.has107());
        Thread.sleep(SETTLE_MS);
        assertEquals(List.of(written(v2())), n3.cm.updates, "node 3's configuration written once, file kept");
        assertEquals(writes, clusterWrites.get(), "node 3 published nothing");
        assertEquals(2, revision().revision());
        assertEquals(1, log.lines("INFO").stream()
                .filter(l -> l.contains("took the cluster's revision 2 from node 127.0.0.1:" + PORTS[0])).count(),
                log::text);
    }

    @Test
    void aNodeWithoutADirectoryConfigurationTakesTheClusters() throws Exception {
        Node n1 = start(one, v1());
        settled(1);
        Node n2 = start(two, null);

        await("node 2 has the directory", () -> n2.service.current().user(DEFAULT, "101").isPresent());
        Thread.sleep(SETTLE_MS);
        assertEquals(1, n2.cm.updates.size());
        assertEquals(normalized(v1()), new TreeMap<>(n2.cm.directoryProperties()));
        assertEquals(0, clusterWrites.get());
        assertEquals(0, n1.cm.updates.size());
    }

    @Test
    void aDeletedFileIsNotAnEmptyDirectory() throws Exception {
        Node n1 = start(one, v1());
        Node n2 = start(two, v1());
        settled(1);

        n2.cm.fileDeleted();

        await("node 2 has the cluster's directory again", () -> n2.cm.updates.size() == 1
                && n2.service.current().user(DEFAULT, "101").isPresent());
        Thread.sleep(SETTLE_MS);
        assertEquals(0, clusterWrites.get(), "the empty configuration was not shared");
        assertEquals(normalized(v1()), revision().properties());
        assertTrue(n1.service.current().user(DEFAULT, "101").isPresent());
    }

    @Test
    void twoNodesStartingAtOnceWithDifferentFilesEndWithTheSameOne() throws Exception {
        Map<String, Object> a = v1();
        a.put("tenant.acme.name", "Acme from node 1");
        Map<String, Object> b = v1();
        b.put("tenant.acme.name", "Acme from node 2");
        for (int round = 0; round < 5; round++) {
            config.clear();
            clusterWrites.set(0);
            Node n1 = node(one, a);
            Node n2 = node(two, b);
            log.clear();
            CompletableFuture<Void> s1 = CompletableFuture.runAsync(n1::joinCluster);
            CompletableFuture<Void> s2 = CompletableFuture.runAsync(n2::joinCluster);
            CompletableFuture.allOf(s1, s2).get();

            await("both nodes have the same directory", () -> {
                DirectoryRevision r = revisionOrNull();
                return r != null && normalized(n1.cm.directoryProperties()).equals(r.properties())
                        && normalized(n2.cm.directoryProperties()).equals(r.properties())
                        && published(n1.service.current()).equals(published(n2.service.current()));
            });
            Thread.sleep(SETTLE_MS);
            DirectoryRevision r = revision();
            assertEquals(1, r.revision(), "round " + round);
            assertEquals(1, clusterWrites.get(), "round " + round + ": one directory put, none replaced");
            boolean oneWon = r.properties().equals(normalized(a));
            Node winner = oneWon ? n1 : n2;
            Node loser = oneWon ? n2 : n1;
            assertEquals(0, winner.cm.updates.size(), "round " + round);
            assertEquals(1, loser.cm.updates.size(), "round " + round);
            String winnerAddress = "127.0.0.1:" + (oneWon ? PORTS[0] : PORTS[1]);
            assertEquals(1, log.lines("INFO").stream().filter(l -> l.contains("the cluster had none")).count(),
                    log::text);
            assertEquals(1, log.lines("INFO").stream()
                    .filter(l -> l.contains("took the cluster's revision 1 from node " + winnerAddress)).count(),
                    log::text);
            n1.close();
            n2.close();
            nodes.clear();
        }
    }

    @Test
    void changesOnTwoNodesAtOnceEndTheSameEverywhere() throws Exception {
        Node n1 = start(one, v1());
        Node n2 = start(two, v1());
        settled(1);
        Map<String, Object> a = v1();
        a.put("tenant.acme.name", "Acme A");
        Map<String, Object> b = v1();
        b.put("tenant.acme.name", "Acme B");

        CompletableFuture.allOf(CompletableFuture.runAsync(() -> n1.cm.fileEdited(a)),
                CompletableFuture.runAsync(() -> n2.cm.fileEdited(b))).get();

        await("both nodes agree with the cluster", () -> {
            DirectoryRevision r = revisionOrNull();
            return r != null && r.revision() >= 2
                    && normalized(n1.cm.directoryProperties()).equals(r.properties())
                    && normalized(n2.cm.directoryProperties()).equals(r.properties())
                    && published(n1.service.current()).equals(published(n2.service.current()));
        });
        Thread.sleep(SETTLE_MS);
        DirectoryRevision r = revision();
        assertTrue(Set.of(normalized(a), normalized(b)).contains(r.properties()), r::toString);
        int writes = clusterWrites.get();
        assertEquals(r.revision() - 1, writes, "every write a new revision");
        assertTrue(writes <= 2, "at most one publish per change: " + writes);
        Thread.sleep(SETTLE_MS);
        assertEquals(writes, clusterWrites.get(), "and then quiet");
    }

    // --- helpers ---

    /** A node started with {@code file} as its etc file ({@code null}: none) that has joined the cluster directory. */
    private Node start(HazelcastInstance member, Map<String, Object> file) {
        Node n = node(member, file);
        n.joinCluster();
        return n;
    }

    private Node node(HazelcastInstance member, Map<String, Object> file) {
        Node n = new Node(member, file);
        nodes.add(n);
        return n;
    }

    /** Waits for the cluster to hold revision {@code revision} and for the nodes' first checks, then counts anew. */
    private void settled(long revision) throws Exception {
        await("revision " + revision + " in the cluster", () -> {
            DirectoryRevision r = revisionOrNull();
            return r != null && r.revision() == revision;
        });
        Thread.sleep(SETTLE_MS);
        for (Node n : nodes) {
            n.cm.drain();
            n.cm.updates.clear();
        }
        clusterWrites.set(0);
    }

    private DirectoryRevision revision() {
        DirectoryRevision r = revisionOrNull();
        assertNotNull(r, "the cluster holds a directory");
        return r;
    }

    private DirectoryRevision revisionOrNull() {
        HazelcastJsonValue v = config.get(DirectoryRevision.KEY);
        return v == null ? null : DirectoryRevision.decode(v);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        fail("not within " + WAIT.toSeconds() + " s: " + what);
    }

    private static Map<String, Object> v1() {
        return DirectoryFixtures.valid();
    }

    /** v1 plus user 107. */
    private static Map<String, Object> v2() {
        Map<String, Object> m = v1();
        m.put("user.default.107.name", "User 107");
        m.put("user.default.107.password", "pass107");
        return m;
    }

    /** A node's active directory as the cluster carries it (users with HA1, wherever the password was typed). */
    private static Map<String, String> published(Directory d) {
        return new TreeMap<>(new DirectoryWriter().writePublished(d));
    }

    private static SortedMap<String, String> normalized(Map<String, ?> properties) {
        DirectoryProperties.Checked checked = DirectoryProperties.check(properties);
        assertTrue(checked.isValid(), checked.violations()::toString);
        return checked.normalized();
    }

    /** What a node's configuration receives for {@code file}: the normalised properties, the file kept. */
    private static Map<String, Object> written(Map<String, ?> file) {
        Map<String, Object> m = new HashMap<>(normalized(file));
        m.put(DirectoryProperties.FILEINSTALL_FILENAME, DeliveringConfigurationAdmin.FILE);
        m.put("service.pid", DirectoryProperties.PID);
        return m;
    }

    private static Directory with107(Directory d) {
        List<User> users = new ArrayList<>(d.allUsers());
        users.add(new User(DEFAULT, "107", "User 107", "pass107", ""));
        return new Directory(d.defaultTenant(), d.tenants(), users, d.allRingGroups(), d.allParkGroups());
    }

    private static Directory withRetries(Directory d, int retries) {
        return new Directory(d.defaultTenant(), d.tenants(), d.allUsers(), d.allRingGroups(),
                d.allParkGroups().stream().map(g -> new org.callpark.api.ParkGroup(g.tenant(), g.name(), g.number(),
                        g.members(), g.recallTo(), g.ringGroup(), g.ringDuration(), g.waitBeforeRingGroup(), retries,
                        g.disabled())).toList());
    }

    /** One Karaf node: ConfigAdmin, the directory component and, once joined, the cluster directory. */
    private static final class Node {
        final HazelcastInstance member;
        final DeliveringConfigurationAdmin cm = new DeliveringConfigurationAdmin();
        final DirectoryServiceImpl service;
        private ClusterDirectory cluster;

        Node(HazelcastInstance member, Map<String, Object> file) {
            this.member = member;
            if (file != null) {
                cm.loaded(file);
            }
            service = new DirectoryServiceImpl(cm, new DirectoryFakeSlotStore());
            service.activate(cm.componentProperties());
            cm.deliverTo(service::modified);
        }

        void joinCluster() {
            Supplier<HazelcastInstance> hz = () -> member;
            ClusterDirectory c = new ClusterDirectory(cm, hz, CHECK);
            cm.addListener(c);
            cluster = c;
        }

        boolean has107() {
            return service.current().user(DEFAULT, "107").isPresent();
        }

        void close() {
            if (cluster != null) {
                cluster.close();
            }
            cm.close();
            service.deactivate();
        }
    }

    private final class Counter implements EntryAddedListener<String, HazelcastJsonValue>,
            EntryUpdatedListener<String, HazelcastJsonValue> {
        @Override
        public void entryAdded(EntryEvent<String, HazelcastJsonValue> event) {
            clusterWrites.incrementAndGet();
        }

        @Override
        public void entryUpdated(EntryEvent<String, HazelcastJsonValue> event) {
            clusterWrites.incrementAndGet();
        }
    }

    /** Tees System.err (where slf4j-simple writes) into a buffer for the test's assertions on log lines. */
    private static final class Log implements AutoCloseable {
        private final PrintStream original;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        private Log(PrintStream original) {
            this.original = original;
        }

        static Log capture() {
            Log log = new Log(System.err);
            System.setErr(new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    log.original.write(b);
                    synchronized (log.buffer) {
                        log.buffer.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    log.original.write(b, off, len);
                    synchronized (log.buffer) {
                        log.buffer.write(b, off, len);
                    }
                }
            }, true, StandardCharsets.UTF_8));
            return log;
        }

        String text() {
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }

        void clear() {
            synchronized (buffer) {
                buffer.reset();
            }
        }

        /** The lines of {@link ClusterDirectory} at {@code level}. */
        List<String> lines(String level) {
            return text().lines().filter(l -> l.contains(level) && l.contains("ClusterDirectory")).toList();
        }

        long count(String text) {
            return text().lines().filter(l -> l.contains(text)).count();
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
