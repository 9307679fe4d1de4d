package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * Issue 14 R9: RFC 4028 session timers on parked legs, with sipp as the parked caller ({@code park_timer_*.xml},
 * which check the 200's {@code Session-Expires: 10;refresher=uac} and {@code Require: timer} with regexps). The
 * server's {@code minSessionExpires} is lowered to 10 s so that an expiry takes seconds, not the RFC's 90.
 * <p>
 * Runs concurrently with the other classes of this module (src/test/resources/junit-platform.properties): its time is
 * the sessions' seconds, not work. It shares nothing with them: an own core and media, a SIP port from 17600 up and
 * sipp ports from 18200–19599 ({@link Sipp#ports}) that no other class of the module uses (theirs are 19701 and up),
 * ephemeral ports for the media legs. The tests it would disturb are locked as for {@link ParkMediaSafetyTest}: the
 * JVM's thread count and stderr.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(ParkMediaSafetyTest.THREAD_COUNT)
@ResourceLock(Resources.SYSTEM_ERR)
class SessionTimerTest {

    /** Sipp's ports for this class only (4 each), from a random start so that two builds on one machine rarely meet. */
    private static final AtomicInteger SIPP_PORTS = new AtomicInteger(18200 + ThreadLocalRandom.current().nextInt(300)
            * 4);

    private static final String LOCAL = "127.0.0.1";
    private static final SlotId SLOT = SlotId.extension(TenantId.DEFAULT, "101");

    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private int port;
    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws IOException {
        Sipp.requireSipp();
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        port = freePort(17600 + ThreadLocalRandom.current().nextInt(50) * 2); // 17600-18098: only this class
        TestSipConfig sip = new TestSipConfig();
        sip.port = port;
        sip.minSessionExpires = 10;
        sip.sessionExpires = 10;
        Registrations none = new Registrations(() -> {
            throw new IllegalStateException("no cluster member in this test");
        });
        server = new SipServer(core.service(), core.directory(), media, none, () -> "node-1", sip, k -> null,
                k -> null);
        core.addListener(server);
        core.addListener(events::add);
    }

    @AfterAll
    void stop() {
        SipTests.stopAll(server, core, media, null);
    }

    @AfterEach
    void endAll() throws ParkException {
        SipTests.endAll(core.service());
        events.clear();
    }

    private Sipp sipp(String scenario) {
        return Sipp.scenario(scenario, port).ports(() -> Sipp.freeUdpPort(SIPP_PORTS, 18200, 19596))
                .key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer").service("*68101").key("referrer", "101");
    }

    /** No refresh: BYE at 10 − min(32, 10/3) ≈ 6.7 s after the 200, the call ends ABANDONED, its leg is closed. */
    @Test
    void aCallerThatStopsRefreshingIsHungUpAndItsCallEnds() throws Exception {
        Sipp caller = sipp("park_timer_expire").timeout(30).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SLOT, media.log);
        long parked = System.nanoTime();
        caller.run(); // the 200 carried Session-Expires 10;refresher=uac + Require: timer, then our BYE came
        long byeAfter = (System.nanoTime() - parked) / 1_000_000;
        System.out.printf("session timer: BYE %d ms after the park (expected ~6667 ms)%n", byeAfter);
        assertTrue(byeAfter >= 5500 && byeAfter < 12_000, "BYE after the session interval: " + byeAfter + " ms");
        SipTests.await(this::nothingParked, "the call ended");
        SipTests.await(() -> seen(ParkEvent.Type.ABANDONED), "an ABANDONED event, not a silent end");
        SipTests.await(() -> media.log.contains("close " + call.leg()), "its media leg closed");
    }

    /** A re-INVITE after 5 s and an UPDATE 5 s later refresh the session: no BYE for 15 s, still parked, music. */
    @Test
    void refreshesByReInviteAndUpdateKeepTheCallParked() throws Exception {
        Sipp caller = sipp("park_timer_refresh").pause(5000).timeout(40).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SLOT, media.log);
        long deadline = System.currentTimeMillis() + 13_000;
        while (System.currentTimeMillis() < deadline) {
            assertEquals(1, core.service().list(SLOT).size(), "still parked while it refreshes");
            Thread.sleep(200);
        }
        caller.run(); // no BYE from us in between (it would be an unexpected message), our own BYE at the end
        assertTrue(media.log.contains("hold " + call.leg()), "music: " + media.log);
        SipTests.await(() -> seen(ParkEvent.Type.ABANDONED), "ended by the caller's own BYE");
    }

    /**
     * {@code refresher=uas} with UPDATE in Allow: the 200 echoes refresher=uas, we refresh by UPDATE at about half the
     * interval (5 s), and the caller stays parked with music meanwhile.
     */
    @Test
    void weRefreshByUpdateWhenTheCallerAsksUsTo() throws Exception {
        Sipp caller = sipp("park_timer_uas").timeout(40).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SLOT, media.log);
        long parked = System.currentTimeMillis();
        while (System.currentTimeMillis() < parked + 9_000) {
            assertEquals(1, core.service().list(SLOT).size(), "still parked while we refresh");
            Thread.sleep(200);
        }
        caller.run(); // two UPDATEs with Session-Expires 10;refresher=uas, no BYE from us, then the caller's BYE
        List<Sipp.Received> updates = caller.received("UPDATE");
        assertEquals(2, updates.size(), "two refreshes: " + updates);
        long gap = Duration.between(updates.get(0).at(), updates.get(1).at()).toMillis();
        System.out.printf("session timer refresher=uas: UPDATEs %d ms apart (expected ~5000 ms)%n", gap);
        assertTrue(gap >= 4000 && gap < 8000, "one refresh per half interval: " + gap + " ms");
        assertTrue(caller.received("INVITE").isEmpty(), "no re-INVITE: the caller allows UPDATE");
        assertTrue(media.log.contains("hold " + call.leg()), "music: " + media.log);
        SipTests.await(() -> seen(ParkEvent.Type.ABANDONED), "ended by the caller's own BYE");
    }

    /**
     * {@code refresher=uas} without UPDATE in Allow: we refresh by re-INVITE, with our SDP unchanged (the same o= line,
     * version included, as in our 200), and ACK its 200.
     */
    @Test
    void weRefreshByReInviteWithTheSameSdpWhenTheCallerHasNoUpdate() throws Exception {
        Sipp caller = sipp("park_timer_uas_invite").timeout(40).start();
        SipTests.awaitParked(core.service(), SLOT, media.log);
        caller.run(); // two re-INVITEs answered 200 + ACK expected by the scenario, then the caller's BYE
        List<Sipp.Received> invites = caller.received("INVITE");
        assertEquals(2, invites.size(), "two refresh re-INVITEs: " + invites);
        List<String> origins = new ArrayList<>();
        for (String line : caller.messages().split("\\R")) {
            if (line.trim().startsWith("o=") && !line.trim().startsWith("o=user1")) {
                origins.add(line.trim());
            }
        }
        assertTrue(origins.size() >= 3, "our o= line in the 200 and in both re-INVITEs: " + origins);
        assertEquals(1, origins.stream().distinct().count(), "our session description unchanged: " + origins);
        SipTests.await(() -> seen(ParkEvent.Type.ABANDONED), "ended by the caller's own BYE");
    }

    /** The caller answers our refresh with 481 (it lost the dialog): our BYE, the call ends ABANDONED. */
    @Test
    void aCallerThatRejectsOurRefreshIsHungUp() throws Exception {
        Sipp caller = sipp("park_timer_uas_481").timeout(30).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SLOT, media.log);
        caller.run(); // UPDATE, 481, then our BYE
        SipTests.await(this::nothingParked, "the call ended");
        SipTests.await(() -> seen(ParkEvent.Type.ABANDONED), "an ABANDONED event");
        SipTests.await(() -> media.log.contains("close " + call.leg()), "its media leg closed");
    }

    /**
     * Glare: the caller's re-INVITE while our refresh re-INVITE waits for its answer gets 491; our re-INVITE is then
     * answered and ACKed, and the caller stays parked with its music (the media leg untouched).
     */
    @Test
    void aCallerReInviteWhileOurRefreshWaitsGets491AndTheMusicGoesOn() throws Exception {
        Sipp caller = sipp("park_timer_uas_glare").timeout(40).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SLOT, media.log);
        long parked = System.currentTimeMillis();
        while (System.currentTimeMillis() < parked + 7_000) {
            assertEquals(1, core.service().list(SLOT).size(), "still parked through the glare");
            Thread.sleep(200);
        }
        caller.run(); // our re-INVITE, its 491 to the caller's, 200 + ACK to ours, then the caller's BYE
        assertTrue(media.log.contains("hold " + call.leg()), "music: " + media.log);
        SipTests.await(() -> seen(ParkEvent.Type.ABANDONED), "ended by the caller's own BYE");
    }

    /** A caller's refresh asking for another interval: the 200 takes it and so does the call's cluster record. */
    @Test
    void aRefreshThatChangesTheIntervalIsWrittenToTheClusterRecord() throws Exception {
        Sipp caller = sipp("park_timer_change").pause(2000).timeout(30).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SLOT, media.log);
        assertEquals(10, SipSession.of(call.session()).orElseThrow().sessionInterval());
        SipTests.await(() -> recordedInterval(call.id()) == 30, "the record's interval is 30 s now");
        caller.run();
    }

    /** A Session-Expires below our Min-SE: 422 with Min-SE, nothing parked. */
    @Test
    void anIntervalBelowMinSeIsRefused() throws Exception {
        sipp("park_timer_small").run();
        assertTrue(core.service().list().isEmpty());
    }

    private int recordedInterval(String callId) {
        try {
            return core.service().find(callId).flatMap(c -> SipSession.of(c.session()))
                    .map(SipSession::sessionInterval).orElse(-1);
        } catch (ParkException e) {
            return -1;
        }
    }

    private boolean nothingParked() {
        try {
            return core.service().list().isEmpty();
        } catch (ParkException e) {
            return false;
        }
    }

    private boolean seen(ParkEvent.Type type) {
        synchronized (events) {
            return events.stream().anyMatch(e -> e.type() == type);
        }
    }

    private static int freePort(int from) throws IOException {
        for (int p = from; p < from + 400; p += 2) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, InetAddress.getLoopbackAddress());
                    java.net.DatagramSocket u = new java.net.DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException e) {
                // next
            }
        }
        throw new IOException("no free port from " + from);
    }
}
