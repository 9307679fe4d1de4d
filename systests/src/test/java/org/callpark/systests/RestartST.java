package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.callpark.systests.HotUpdateST.Caller;
import org.callpark.systests.HotUpdateST.ParkList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The only node crashes and is started again: one assembly (no other cluster member), 10 callers parked by sipp
 * ({@code park_movable.xml}) on {@code *68101}..{@code *68109} and {@code *58} (Referred-By 101, recall timers of an
 * hour), each with its own Java RTP socket. {@code data/callpark/sip-journal/} holds one {@code .json} file per call;
 * the node is killed ({@code kill -9}), the callers hear nothing, and the same home is started again
 * ({@link AssemblyServer#startAgain()}: same {@code data/}, ports and environment). The restarted node reads its
 * journal and re-INVITEs every caller (exactly once, its own Contact, an RTP port of its range): the music comes back
 * (≥ 40 packets/s within 5 s), {@code park:list} shows the 10 calls again with the same tenant, slot, caller, parker
 * and park time, and {@code park:hangup} of each sends the caller a BYE (so the node holds the dialogs again); the
 * journal is empty afterwards. Printed: the time from the start to the last re-INVITE. A caller hung up (BYE) instead
 * of re-INVITEd fails the test with its trace. Within {@code -Dsystests.restart.recoveryMillis} (60 s) of SIP
 * answering again. 30–60 s.
 */
class RestartST {

    private static final long RECOVERY_MS = Long.getLong("systests.restart.recoveryMillis", 60_000);
    private static final String PREFIX = "+49302700";
    private static final Pattern CONTACT = Pattern.compile("(?m)^Contact:.*?@([0-9.]+):(\\d+)");
    private static final Pattern SDP_M = Pattern.compile("(?m)^m=audio (\\d+) ");

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer().etcFile("org.callpark.directory.cfg",
            HotUpdateST.directoryWithoutRecalls());

    private static final List<Sipp> SIPPS = new ArrayList<>();
    private static final List<RtpPeer> RTPS = new ArrayList<>();

    @AfterAll
    static void cleanUp() {
        SIPPS.forEach(Sipp::kill);
        RTPS.forEach(RtpPeer::close);
    }

    @Test
    void theOnlyNodeKilledAndStartedAgainTakesEveryCallBack() throws Exception {
        List<Caller> callers = HotUpdateST.parkCallers(SERVER, "restart", PREFIX, SIPPS, RTPS);
        ParkList before = HotUpdateST.awaitList(SERVER, l -> l.withCaller(PREFIX).size() == HotUpdateST.CALLERS,
                10_000);
        Map<String, ParkList.Row> rowsBefore = byCaller(callers, before);
        Path journal = SERVER.home().resolve("data/callpark/sip-journal");
        long deadline = System.currentTimeMillis() + 10_000;
        while (journalFiles(journal).size() < HotUpdateST.CALLERS && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        List<Path> files = journalFiles(journal);
        assertEquals(HotUpdateST.CALLERS, files.size(), "one journal file per parked call in " + journal + ": "
                + files);

        long killNanos = System.nanoTime();
        long killMicros = HotUpdateST.nowMicros();
        SERVER.kill9();
        System.out.printf("[systests] restart: node killed (kill -9), journal %d files%n", files.size());
        HotUpdateST.awaitNanos(killNanos + 1_000_000_000L);
        long now = System.nanoTime();
        for (Caller c : callers) {
            assertTrue(c.rtp().packetsSince(now - 500_000_000L).isEmpty(), c.user() + " still hears RTP from the "
                    + "killed node");
        }
        assertEquals(HotUpdateST.CALLERS, journalFiles(journal).size(), "the journal survives the kill");

        long startNanos = System.nanoTime();
        long startMicros = HotUpdateST.nowMicros();
        SERVER.startAgain();
        long upNanos = System.nanoTime();
        deadline = System.currentTimeMillis() + RECOVERY_MS;
        List<Caller> waiting;
        do {
            waiting = callers.stream().filter(c -> c.serverByes() == 0 && (c.reInvitesSince(killMicros).isEmpty()
                    || c.reInviteAcks() < c.reInvitesSince(0).size())).toList();
            if (waiting.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        List<Caller> w = waiting;
        assertTrue(w.isEmpty(), () -> w.size() + " callers got neither a re-INVITE nor a BYE within " + RECOVERY_MS
                + " ms of SIP answering again: " + w.stream().map(Caller::user).toList() + "\n"
                + w.get(0).sipp().diagnostics() + "\n" + HotUpdateST.tailOf(SERVER.karafLog(), 80));
        List<Caller> hungUp = callers.stream().filter(c -> c.serverByes() > 0).toList();
        assertTrue(hungUp.isEmpty(), () -> hungUp.size() + " callers were hung up (BYE) instead of taken back: "
                + hungUp.stream().map(Caller::user).toList() + "\n" + hungUp.get(0).sipp().diagnostics() + "\n"
                + HotUpdateST.tailOf(SERVER.karafLog(), 80));

        long last = 0;
        long first = Long.MAX_VALUE;
        for (Caller c : callers) {
            List<Sipp.Received> ri = c.reInvitesSince(killMicros);
            assertEquals(1, ri.size(), () -> "one re-INVITE for " + c.user() + "\n" + c.sipp().diagnostics());
            Matcher contact = CONTACT.matcher(ri.get(0).message());
            Matcher m = SDP_M.matcher(ri.get(0).message());
            assertTrue(contact.find() && m.find(), "re-INVITE with Contact and SDP: " + ri.get(0).message());
            assertEquals(SERVER.sipPort(), Integer.parseInt(contact.group(2)), "the restarted node's Contact: "
                    + ri.get(0).message());
            int rtpPort = Integer.parseInt(m.group(1));
            assertTrue(rtpPort >= SERVER.rtpMin() && rtpPort <= SERVER.rtpMax(), "RTP port in the node's range: "
                    + ri.get(0).message());
            last = Math.max(last, ri.get(0).epochMicros());
            first = Math.min(first, ri.get(0).epochMicros());
        }
        long upMillis = (upNanos - startNanos) / 1_000_000;
        System.out.printf("[systests] restart: started again; re-INVITEs to all %d callers from %d to %d ms after the "
                + "start (the last %d ms after the kill; the readiness probe, an OPTIONS every 0.5 s, was answered "
                + "after %d ms)%n", callers.size(), (first - startMicros) / 1000, (last - startMicros) / 1000,
                (last - killMicros) / 1000, upMillis);

        HotUpdateST.awaitMusic(callers, System.nanoTime() + 5_000_000_000L, "restart");
        long end = System.nanoTime();
        long[] gaps = callers.stream().mapToLong(c -> HotUpdateST.longestGapMillis(c.rtp().packets(), killNanos, end))
                .sorted().toArray();
        System.out.printf("[systests] restart: music back at every caller %d ms after the start; silence per caller "
                + "from the kill: min %d ms, max %d ms%n", (end - startNanos) / 1_000_000, gaps[0],
                gaps[gaps.length - 1]);

        ParkList after = HotUpdateST.awaitList(SERVER, l -> l.withCaller(PREFIX).size() == HotUpdateST.CALLERS,
                10_000);
        Map<String, ParkList.Row> rowsAfter = byCaller(callers, after);
        int sameId = 0;
        for (Caller c : callers) {
            ParkList.Row b = rowsBefore.get(c.user());
            ParkList.Row a = rowsAfter.get(c.user());
            for (String col : List.of("Tenant", "Slot", "Caller", "Parked by", "Since")) {
                assertEquals(b.cells().get(col), a.cells().get(col), c.user() + ": " + col + " after the restart\n"
                        + "before:\n" + before.text() + "\nafter:\n" + after.text());
            }
            sameId += b.cells().get("Call").equals(a.cells().get("Call")) ? 1 : 0;
        }
        System.out.printf("[systests] restart: park:list shows the %d calls again with the same slot, caller, parker "
                + "and park time (same call id: %d)%n%s%n", callers.size(), sameId, after.text().strip());

        HotUpdateST.hangUpAll(SERVER, callers, PREFIX);
        deadline = System.currentTimeMillis() + 5_000;
        while (!journalFiles(journal).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), journalFiles(journal), "the journal forgets the hung-up calls");
        assertTrue(Arrays.stream(gaps).allMatch(g -> g > 0), "silence was measured");
    }

    private static Map<String, ParkList.Row> byCaller(List<Caller> callers, ParkList l) {
        Map<String, ParkList.Row> out = new LinkedHashMap<>();
        for (Caller c : callers) {
            List<ParkList.Row> rows = l.withCaller(c.user());
            assertEquals(1, rows.size(), c.user() + " listed once:\n" + l.text());
            out.put(c.user(), rows.get(0));
        }
        return out;
    }

    private static List<Path> journalFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }
}
