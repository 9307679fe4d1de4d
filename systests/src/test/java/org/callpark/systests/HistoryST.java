package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Park history end to end (issue 15): one assembly with RecallST's directory (Sales: {@code USER_ONLY}, R = 2 s).
 * Real sipp calls are retrieved ({@code *88104} by 102), abandoned (the caller's BYE after 1.5 s), recalled (101
 * REGISTERs, a sipp UAS on its Contact answers the first recall after 0.5 s) and hung up by {@code park:hangup}; then
 * {@code park:history} over {@code bin/client} shows each outcome with who resolved it, the parker, the recall count and
 * the waiting time within 1 s of what sipp's traces say, and {@code park:history <id>} the recall's steps; one audit
 * line per call in karaf.log. Karaf stopped and started again (same home): the records are still there (embedded H2
 * under {@code data/history/}). Then a real PostgreSQL ({@link Postgres}, 127.0.0.1:{@value #PG_PORT}) is configured by
 * writing {@code etc/org.callpark.history.cfg}: a call is written there (read back with psql); PostgreSQL is stopped, a
 * call is parked and abandoned all the same (music heard), the outage WARN is logged, PostgreSQL is started and that
 * call's record arrives. Usual single-server ports.
 */
class HistoryST {

    static final int PG_PORT = 45432;
    private static final long R_MS = 2000;
    private static final long RING_MS = 500;
    private static final Pattern WAITED = Pattern.compile("(\\d+)\\.(\\d)s");

    static final AssemblyServer SERVER = new AssemblyServer().etcFile("org.callpark.directory.cfg",
            RecallST.directory());
    private static Postgres pg;
    private static final List<AutoCloseable> OPEN = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        pg = new Postgres(Postgres.dataDir("history-pg"), PG_PORT);
        pg.init();
        pg.psql("postgres", "CREATE USER callpark PASSWORD 'history-pw'");
        pg.psql("postgres", "CREATE DATABASE callpark OWNER callpark");
        System.out.printf("[systests] history: PostgreSQL initdb + start %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        SERVER.start("HistoryST");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : OPEN) {
            c.close();
        }
        SERVER.stop();
        if (pg != null) {
            pg.close();
        }
    }

    private record Parked(Sipp sipp, RtpPeer rtp) implements AutoCloseable {
        @Override
        public void close() {
            sipp.kill();
            rtp.close();
        }
    }

    /** A customer parked on {@code code} with Referred-By {@code parker}, music heard. */
    private static Parked park(String code, String parker, String number, int holdMillis, Integer localPort)
            throws Exception {
        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp sipp = Sipp.scenario("park", SERVER).service(code).name("history-" + number.substring(1))
                .from("Customer", number).referredBy(parker).media(rtp.port(), "PCMU")
                .set("HOLD_MS", holdMillis).timeout(holdMillis / 1000 + 20);
        if (localPort != null) {
            sipp.localPort(localPort);
        }
        sipp.start();
        Parked p = new Parked(sipp, rtp);
        OPEN.add(p);
        assertTrue(rtp.awaitPackets(5, 5000), () -> "no hold music for " + number + "\n" + sipp.diagnostics());
        return p;
    }

    /** park:history as rows of column → value. */
    private static List<Map<String, String>> history(String options) throws Exception {
        String out = SERVER.shell("park:history " + options);
        System.out.println("[systests] park:history " + options + "\n" + out.strip());
        List<String> lines = out.lines().filter(l -> l.contains("|")).toList();
        List<Map<String, String>> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] head = lines.get(0).split("\\|");
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split("\\|", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < head.length && i < cells.length; i++) {
                row.put(head[i].strip(), cells[i].strip());
            }
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, String> row(List<Map<String, String>> rows, String number) {
        List<Map<String, String>> r = rows.stream().filter(m -> m.getOrDefault("Caller", "").contains(number))
                .toList();
        assertEquals(1, r.size(), "one record of " + number + ": " + rows);
        return r.get(0);
    }

    private static List<Map<String, String>> awaitHistory(String options, Predicate<List<Map<String, String>>> done)
            throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        List<Map<String, String>> rows;
        do {
            rows = history(options);
            if (done.test(rows)) {
                return rows;
            }
            Thread.sleep(300);
        } while (System.currentTimeMillis() < deadline);
        return rows;
    }

    private static long waitedMillis(Map<String, String> row) {
        Matcher m = WAITED.matcher(row.get("Waited"));
        assertTrue(m.matches(), row.toString());
        return Long.parseLong(m.group(1)) * 1000 + Long.parseLong(m.group(2)) * 100;
    }

    private static void assertWaited(Map<String, String> row, long expectedMillis, String what) {
        long w = waitedMillis(row);
        System.out.printf("[systests] history: %s waited %d ms in the record, %d ms by the test's measure%n", what, w,
                expectedMillis);
        assertTrue(Math.abs(w - expectedMillis) <= 1000, what + ": waited " + w + " ms, measured " + expectedMillis
                + " ms: " + row);
    }

    @Test
    void everyOutcomeIsRecordedSurvivesARestartAndGoesToPostgresqlThroughAnOutage() throws Exception {
        long t0 = System.nanoTime();
        // retrieved: parked by 104 (tenant defaults, recall in 45 s), taken by 102 after about a second
        Parked a = park("*68", "104", "+49301001", 20000, null);
        Thread.sleep(1000);
        long aParked = a.sipp().firstInviteSentMicros();
        Sipp r = Sipp.scenario("retrieve", SERVER).service("*88104").name("history-retrieve").from("102", "102")
                .auth("102", "pass102").set("HOLD_MS", 500).set("PAI_REGEX", "Customer.*4930100")
                .set("PAI_CHECK", "true").run();
        long aTaken = r.firstInviteSentMicros();
        a.sipp().assertSucceeded();

        // abandoned: the caller hangs up 1.5 s after its ACK
        Parked b = park("*68", "105", "+49301002", 1500, null);
        b.sipp().assertSucceeded();

        // recalled: 101 registered, its phone answers the first recall after RING_MS
        // (ports picked now, not at class load: under load another process may take a port picked 20 s earlier)
        int phonePort = Sipp.freeUdpPort();
        int transferorPort = Sipp.freeUdpPort();
        Sipp.scenario("register", SERVER).name("history-register-101").localPort(transferorPort)
                .set("CONTACT_PORT", phonePort).set("USER", "101").set("EXPIRES", 300).auth("101", "pass101")
                .timeout(10).set("CONTACT_REGEX", "&lt;sip:101@127\\.0\\.0\\.1:" + phonePort
                        + ";transport=[a-zA-Z]+&gt;;expires=[0-9]+").run();
        RtpPeer phoneRtp = new RtpPeer("127.0.0.1");
        OPEN.add(phoneRtp);
        Sipp phone = Sipp.scenario("recall_answer_bye", SERVER).name("history-recall-101").localPort(phonePort)
                .set("OFFER_REGEX", "m=audio [0-9]+ RTP/AVP 0 ").media(phoneRtp.port(), "PCMU")
                .set("RING_MS", RING_MS).set("TALK_MS", 1000).timeout(30).start();
        OPEN.add(phone::kill);
        Parked c = park("*68", "101", "+4930123", 25000, transferorPort); // recall_answer_bye checks this caller
        phone.assertSucceeded();
        c.sipp().assertSucceeded();
        long cParked = c.sipp().firstInviteSentMicros();
        long cAnswered = phone.received("INVITE").get(0).epochMicros() + RING_MS * 1000;

        // forced: park:hangup by the administrator
        Parked d = park("*68", "106", "+49301004", 20000, null);
        String list = SERVER.shell("park:list");
        String dRow = list.lines().filter(l -> l.contains("49301004")).findFirst().orElseThrow(() ->
                new AssertionError(list));
        String shortId = dRow.split("\\|")[0].strip();
        SERVER.shell("park:hangup " + shortId);
        d.sipp().assertSucceeded();

        List<Map<String, String>> rows = awaitHistory("--tenant default --since 10m --limit 20",
                l -> l.stream().filter(m -> m.getOrDefault("Caller", "").startsWith("Customer")).count() == 4);
        Map<String, String> ra = row(rows, "+49301001");
        assertEquals(List.of("ANSWERED", "102", "104", "ext/104", "0"), List.of(ra.get("Resolution"), ra.get("By"),
                ra.get("Parked by"), ra.get("Slot"), ra.get("Recalls")), ra.toString());
        assertWaited(ra, (aTaken - aParked) / 1000, "retrieved");
        Map<String, String> rb = row(rows, "+49301002");
        assertEquals(List.of("ABANDONED", "", "105"), List.of(rb.get("Resolution"), rb.get("By"),
                rb.get("Parked by")), rb.toString());
        assertWaited(rb, 1500, "abandoned (the caller's BYE 1.5 s after its ACK)");
        Map<String, String> rc = row(rows, "+4930123");
        assertEquals(List.of("RECALLED", "101", "101", "1"), List.of(rc.get("Resolution"), rc.get("By"),
                rc.get("Parked by"), rc.get("Recalls")), rc.toString());
        assertWaited(rc, (cAnswered - cParked) / 1000, "recalled");
        Map<String, String> rd = row(rows, "+49301004");
        assertEquals(List.of("FORCED", "admin"), List.of(rd.get("Resolution"), rd.get("By")), rd.toString());
        assertEquals(List.of(ra.get("Call")), history("--slot 104 --since 10m").stream().map(m -> m.get("Call"))
                .toList(), "--slot 104: only the retrieved call");

        String steps = SERVER.shell("park:history " + rc.get("Call"));
        System.out.println("[systests] park:history " + rc.get("Call") + "\n" + steps.strip());
        assertTrue(steps.contains("Resolution RECALLED by 101"), steps);
        int parked = steps.indexOf("| PARKED"), recalling = steps.indexOf("| RECALLING"),
                answered = steps.indexOf("| RECALL_ANSWERED");
        assertTrue(parked > 0 && recalling > parked && answered > recalling, steps);
        assertTrue(steps.contains("attempt 1: parker 101"), steps);

        String log = SERVER.karafLog();
        for (Map<String, String> m : List.of(ra, rb, rc, rd)) {
            String id = m.get("Call");
            long n = log.lines().filter(l -> l.contains("park resolved: call=" + id + " ")).count();
            assertEquals(1, n, "one audit line for " + id);
        }
        assertTrue(log.contains("caller=\"Customer <+49301001>\" resolution=ANSWERED by=102"), "audit line of A");

        // EventAdmin: Karaf's own event collector (event:display) saw our topics, once per event
        String events = SERVER.shell("event:display -v org/callpark/park/*");
        System.out.println("[systests] event:display -v org/callpark/park/* (last lines)\n"
                + HotUpdateST.tailOf(events.strip(), 12));
        // -v prints one block per event: "<time> - <topic>" then one "name: value" line per property
        List<String> blocks = List.of(events.replace("\r", "").split("\n\\s*\n"));
        List<String> retrieved = blocks.stream().filter(ev -> ev.contains(" - org/callpark/park/RETRIEVED")
                && ev.contains("call.id: " + ra.get("Call"))).toList();
        assertEquals(1, retrieved.size(), events);
        assertTrue(retrieved.get(0).contains("resolved.by: 102") && retrieved.get(0).contains("parked.by: 104"),
                retrieved.get(0));
        assertEquals(1, blocks.stream().filter(ev -> ev.contains(" - org/callpark/park/RECALL_ANSWERED")
                && ev.contains("call.id: " + rc.get("Call"))).count(), events);
        System.out.printf("[systests] history: 4 outcomes recorded and read back %d ms into the test%n",
                (System.nanoTime() - t0) / 1_000_000);

        // Karaf stopped and started again: the embedded database keeps them
        long s0 = System.nanoTime();
        SERVER.stop();
        SERVER.startAgain();
        System.out.printf("[systests] history: stop + start %d ms%n", (System.nanoTime() - s0) / 1_000_000);
        List<Map<String, String>> again = history("--tenant default --since 10m --limit 20");
        for (Map<String, String> m : List.of(ra, rb, rc, rd)) {
            Map<String, String> back = row(again, m.get("Caller").replaceAll(".*<|>.*", ""));
            assertEquals(m, back, "the same record after the restart");
        }

        // PostgreSQL by configuration
        Files.writeString(SERVER.home().resolve("etc/org.callpark.history.cfg"), "url = jdbc:postgresql://127.0.0.1:"
                + PG_PORT + "/callpark\nuser = callpark\npassword = history-pw\n");
        awaitLog("history: recording to the history database jdbc:postgresql://127.0.0.1:" + PG_PORT, 15_000);
        Parked e = park("*68", "104", "+49301005", 1500, null);
        e.sipp().assertSucceeded();
        List<String> pgRow = awaitRow("+49301005", 10_000);
        System.out.println("[systests] history: PostgreSQL row " + pgRow);
        assertTrue(pgRow.get(0).startsWith("ABANDONED|104|"), pgRow.toString());
        assertTrue(row(history("--since 10m"), "+49301005").get("Resolution").equals("ABANDONED"),
                "park:history reads PostgreSQL now");

        // PostgreSQL stopped: parking goes on, the outage is logged, the record arrives when it is back
        pg.stop();
        long down = System.nanoTime();
        Parked f = park("*68", "104", "+49301006", 1500, null);
        f.sipp().assertSucceeded();
        awaitLog("history: database unreachable since", 15_000);
        // the load balancer's view: still UP (parking works), the history only a warning
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + AssemblyServer.HTTP_PORT
                        + "/callpark/health")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode h = new ObjectMapper().readTree(health.body());
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("UP", h.get("status").asText(), health.body());
        assertEquals("WARN", h.get("checks").get("history").asText(), health.body());
        System.out.println("[systests] history: health while PostgreSQL is down " + health.body());
        pg.start();
        List<String> fRow = awaitRow("+49301006", 40_000);
        System.out.printf("[systests] history: PostgreSQL down for %d ms, the record written after it came back: %s%n",
                (System.nanoTime() - down) / 1_000_000, fRow);
        assertTrue(fRow.get(0).startsWith("ABANDONED|104|"), fRow.toString());
        awaitLog("history: database reachable again", 5_000);
        assertFalse(SERVER.karafLog().contains("records dropped"), "nothing dropped: the queue held the record");
        System.out.printf("[systests] history: whole test %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    private static void awaitLog(String text, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!SERVER.karafLog().contains(text)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not logged within " + timeoutMillis + " ms: " + text + "\n"
                        + HotUpdateST.tailOf(SERVER.karafLog(), 40));
            }
            Thread.sleep(200);
        }
    }

    private static List<String> awaitRow(String number, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            List<String> rows;
            try {
                rows = pg.psql("callpark", "SELECT resolution, parked_by, resolved_by,"
                        + " extract(epoch FROM ended_at - parked_at) FROM calls WHERE caller_number = '" + number
                        + "'");
            } catch (java.io.IOException e) {
                if (!e.getMessage().contains("relation \"calls\" does not exist")) {
                    throw e;
                }
                rows = List.of(); // the bundle has not connected yet
            }
            if (!rows.isEmpty() || System.currentTimeMillis() > deadline) {
                assertFalse(rows.isEmpty(), "no row of " + number + " in PostgreSQL within " + timeoutMillis + " ms\n"
                        + HotUpdateST.tailOf(SERVER.karafLog(), 40));
                return rows;
            }
            Thread.sleep(300);
        }
    }
}
