package org.callpark.internal.xmpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.callpark.internal.SipTestCore;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.Test;

/**
 * Figures, not a test (surefire does not pick up {@code *Bench}; nothing is asserted): park presence latency and the
 * re-send after a reconnect, against a real Prosody (c2s 26262, component 26387) with Smack clients, the real core
 * and the component through Whack. Run:
 * {@code flock /tmp/callpark-build.lock mvn -B -o test -pl api-bundle,park-bundle,sip-bundle,xmpp-bundle -Dtest=XmppPresenceBench -Dsurefire.failIfNoSpecifiedTests=false};
 * results in docs/BENCHMARKS.md.
 */
class XmppPresenceBench {

    private static final int C2S = 26262;
    private static final int COMPONENT = 26387;
    private static final int ROUNDS = 300;
    private static final int SLOTS = 200;

    record Arrival(long nanos, String from, Presence.Mode mode) {
    }

    @Test
    void latencyAndResend() throws Exception {
        Directory base = XmppTestDirectory.build();
        List<User> users = new ArrayList<>(base.allUsers());
        for (int i = 0; i < SLOTS; i++) {
            users.add(new User(TenantId.DEFAULT, Integer.toString(300 + i), "User " + i, "p", ""));
        }
        List<ParkGroup> groups = base.allParkGroups();
        Directory dir = new Directory(TenantId.DEFAULT, base.tenants(), users, List.of(), groups);
        try (ProsodyServer prosody = new ProsodyServer("bench", C2S, COMPONENT, "park.example.com", "bench",
                List.of("example.com"))) {
            for (String u : List.of("bob", "carol", "dave")) {
                prosody.register(u, "example.com", "pw");
            }
            prosody.start();
            SipTestCore core = SipTestCore.realTime("node-1", dir);
            ServiceParkBackend backend = new ServiceParkBackend(core.service(), core.directory(),
                    new InMemoryRosterSubscriberStore());
            core.addListener(backend);
            ParkComponent component = new ParkComponent(backend);
            XmppSettings settings = new XmppSettings(true, "127.0.0.1", COMPONENT, "example.com", "park", "bench",
                    Duration.ofSeconds(30));
            XmppConnector connector = new XmppConnector(settings, component);
            connector.start();
            while (!connector.isConnected()) {
                Thread.sleep(10);
            }
            List<ChatUser> clients = new ArrayList<>();
            List<ConcurrentLinkedQueue<Arrival>> arrivals = new ArrayList<>();
            for (String u : List.of("bob", "carol", "dave")) {
                ChatUser c = new ChatUser(u, "example.com", "pw", C2S);
                ConcurrentLinkedQueue<Arrival> q = new ConcurrentLinkedQueue<>();
                c.connection().addSyncStanzaListener(s -> {
                    Presence p = (Presence) s;
                    if (p.getType() == Presence.Type.available) {
                        q.add(new Arrival(System.nanoTime(), p.getFrom().asBareJid().toString(), p.getMode()));
                    }
                }, s -> s instanceof Presence);
                c.subscribe("300@park.example.com");
                clients.add(c);
                arrivals.add(q);
            }
            Thread.sleep(1000);
            arrivals.forEach(ConcurrentLinkedQueue::clear);

            List<Long> toBusy = new ArrayList<>();
            List<Long> toFree = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < ROUNDS; i++) {
                long t0 = System.nanoTime();
                core.service().park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension("300"), "101",
                        CallerId.of("+4930" + i, "Caller " + i), "leg"));
                for (ConcurrentLinkedQueue<Arrival> q : arrivals) {
                    toBusy.add(awaitMode(q, Presence.Mode.dnd, t0));
                }
                long t1 = System.nanoTime();
                core.service().retrieve(new RetrieveRequest(TenantId.DEFAULT, null, RetrieveTarget.extension("300")));
                for (ConcurrentLinkedQueue<Arrival> q : arrivals) {
                    toFree.add(awaitMode(q, Presence.Mode.available, t1));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("[bench] %d park+retrieve rounds, 3 subscribers: %.1f rounds/s%n", ROUNDS,
                    ROUNDS / seconds);
            System.out.println("[bench] park -> dnd at client     " + summary(toBusy));
            System.out.println("[bench] retrieve -> free at client " + summary(toFree));

            // Re-send: Bob subscribes to 200 slots, the component reconnects, how long until all 200 arrived.
            ChatUser bob = clients.get(0);
            for (int i = 0; i < SLOTS; i++) {
                bob.subscribe((300 + i) + "@park.example.com");
            }
            Thread.sleep(3000);
            connector.close();
            arrivals.get(0).clear();
            long r0 = System.nanoTime();
            connector = new XmppConnector(settings, component);
            connector.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (arrivals.get(0).stream().map(Arrival::from).distinct().count() < SLOTS
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long last = arrivals.get(0).stream().mapToLong(Arrival::nanos).max().orElse(r0);
            System.out.printf("[bench] reconnect -> %d slot states re-sent to one user in %d ms (incl. connect)%n",
                    arrivals.get(0).stream().map(Arrival::from).distinct().count(), (last - r0) / 1_000_000);
            clients.forEach(ChatUser::close);
            connector.close();
            core.close();
        }
    }

    private static long awaitMode(ConcurrentLinkedQueue<Arrival> q, Presence.Mode mode, long since)
            throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            Arrival a;
            while ((a = q.poll()) != null) {
                if (a.mode() == mode) {
                    return (a.nanos() - since) / 1000;
                }
            }
            Thread.onSpinWait();
        }
        return -1;
    }

    private static String summary(List<Long> micros) {
        List<Long> s = new ArrayList<>(micros);
        s.removeIf(x -> x < 0);
        Collections.sort(s);
        int lost = micros.size() - s.size();
        return String.format("n=%d lost=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms", s.size(), lost,
                s.get(s.size() / 2) / 1000.0, s.get(s.size() * 9 / 10) / 1000.0, s.get(s.size() * 99 / 100) / 1000.0,
                s.get(s.size() - 1) / 1000.0);
    }
}
