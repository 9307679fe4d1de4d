package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * A benchmark, not a test (never part of a normal build; run explicitly, see docs/BENCHMARKS.md): how long after a
 * park or retrieve on the park node every subscriber's Smack client has the slot's new presence, through the plugin
 * in the embedded Openfire (Hazelcast client event → component → Openfire routing → TCP → Smack). Nine users of the
 * demo directory subscribe to {@code 102@park.example.com}; 20 warm-up cycles, then {@code bench.cycles} (200)
 * park/retrieve cycles one after another. Ports: client 26534, Hazelcast 26542. Writes
 * {@code target/openfire-presence-bench.md}.
 */
class OpenfirePresenceBench {

    private static final String[] USERS = { "bob", "alice", "carol", "dave", "erin", "frank", "grace", "heidi",
            "ivan" };

    private record Arrival(int user, Presence presence, long at) {
    }

    @Test
    void parkAndRetrieveToPresence() throws Exception {
        int cycles = Integer.getInteger("bench.cycles", 200);
        String cluster = "callpark-openfire-bench-" + UUID.randomUUID();
        try (ParkNodeControl node = PluginProbe.startNode(cluster, 26542);
                EmbeddedOpenfire openfire = EmbeddedOpenfire.start(
                        Path.of("target", "openfire-bench").toAbsolutePath(), "example.com", 26534,
                        List.of(PluginProbe.requiredFile("callpark.plugin.jar")),
                        Map.of(PluginSettings.MEMBERS, "127.0.0.1:26542", PluginSettings.CLUSTER_NAME, cluster),
                        Duration.ofSeconds(30))) {
            PluginProbe.awaitReady(openfire.awaitPlugin("callpark", Duration.ofSeconds(30)), Duration.ofSeconds(20));
            BareJid slot = JidCreate.bareFrom("102@park.example.com");
            BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
            List<XMPPTCPConnection> clients = new ArrayList<>();
            try {
                for (int i = 0; i < USERS.length; i++) {
                    int user = i;
                    openfire.createUser(USERS[i], "pw-" + USERS[i]);
                    XMPPTCPConnection c = SmackClients.connect(openfire, USERS[i], "pw-" + USERS[i]);
                    clients.add(c);
                    c.addSyncStanzaListener(p -> arrivals.add(new Arrival(user, (Presence) p, System.nanoTime())),
                            new AndFilter(StanzaTypeFilter.PRESENCE, FromMatchesFilter.createBare(slot)));
                    Roster roster = Roster.getInstanceFor(c);
                    roster.setSubscriptionMode(Roster.SubscriptionMode.accept_all);
                    roster.createItemAndRequestSubscription(slot, "Park 102", null);
                }
                collect(arrivals, false, 0, USERS.length, Duration.ofSeconds(10)); // everybody sees "free"

                List<Long> park = new ArrayList<>();
                List<Long> retrieve = new ArrayList<>();
                for (int n = 0; n < 20 + cycles; n++) {
                    long t0 = System.nanoTime();
                    node.park("102", "+4930" + (100000 + n), "Bench Caller " + n, "101");
                    List<Long> p = collect(arrivals, true, t0, USERS.length, Duration.ofSeconds(5));
                    long t1 = System.nanoTime();
                    node.retrieve("101", "102");
                    List<Long> r = collect(arrivals, false, t1, USERS.length, Duration.ofSeconds(5));
                    if (n >= 20) {
                        park.addAll(p);
                        retrieve.addAll(r);
                    }
                }
                String report = "| " + Instant.now() + " | " + cycles + " cycles × " + USERS.length
                        + " subscribers | park → dnd " + stats(park) + " | retrieve → available " + stats(retrieve)
                        + " |";
                System.out.println("OpenfirePresenceBench " + report);
                Files.writeString(Path.of("target", "openfire-presence-bench.md"), report + "\n");
                assertEquals(cycles * USERS.length, park.size());
            } finally {
                clients.forEach(XMPPTCPConnection::instantShutdown);
            }
        }
    }

    /** Latencies (ms, from {@code t0}) of the next dnd (or available) presence of each of {@code count} users. */
    private static List<Long> collect(BlockingQueue<Arrival> arrivals, boolean dnd, long t0, int count,
            Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        boolean[] seen = new boolean[count];
        List<Long> latencies = new ArrayList<>();
        while (latencies.size() < count) {
            Arrival a = arrivals.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (a == null) {
                throw new AssertionError("only " + latencies.size() + " of " + count + " users got the presence");
            }
            boolean isDnd = a.presence().getMode() == Presence.Mode.dnd;
            if (isDnd == dnd && a.presence().getType() == Presence.Type.available && !seen[a.user()]) {
                seen[a.user()] = true;
                latencies.add(TimeUnit.NANOSECONDS.toMicros(a.at() - t0));
            }
        }
        return latencies;
    }

    private static String stats(List<Long> micros) {
        List<Long> s = new ArrayList<>(micros);
        Collections.sort(s);
        return String.format("p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", pct(s, 50), pct(s, 90),
                pct(s, 99), s.get(s.size() - 1) / 1000.0);
    }

    private static double pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i)) / 1000.0;
    }
}
