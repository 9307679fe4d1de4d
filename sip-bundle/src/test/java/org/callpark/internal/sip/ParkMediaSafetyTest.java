package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.callpark.api.ParkException;
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
 * Issue 14 R1 at the SIP layer, with raw UDP as the attacker (no sipp: it would ACK): park INVITEs that are never
 * ACKed and whose SDP names a third party (127.0.0.5, where the test listens) make the server open media that waits
 * for the caller's own RTP, start no music, answer at most {@code parksInProgressPerSource} of them from one source
 * (then 503 + Retry-After), and close every leg when the INVITE transaction gives up on the ACK (64·T1 = 32 s). An
 * ordinary park gets its music only with the ACK. The media legs are the recording fake with real UDP ports
 * ({@link RecordingMedia}: its {@code hold} sends one packet to the leg's address); the real packet loop is covered by
 * {@code LibjitsiMediaControllerTest} and the system test {@code MediaSafetyST}.
 * <p>
 * Runs concurrently with the other classes of this module (src/test/resources/junit-platform.properties): most of its
 * time is the 32 s wait for the time-out, which is not shortened (the stack's 64·T1 is not configurable here). It
 * shares nothing with them: an own core and media, a SIP port from 24000 up that no other class of the module uses
 * (they start at 25060, the fixed ones at 25910), ephemeral ports for everything else, the third party on 127.0.0.5
 * that nobody else uses. The two things it would disturb are locked: {@link TcpGuardTest} counts the JVM's threads
 * ({@link #THREAD_COUNT}), {@code SipMalformedRequestsTest} counts WARN lines on stderr ({@link Resources#SYSTEM_ERR}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(ParkMediaSafetyTest.THREAD_COUNT)
@ResourceLock(Resources.SYSTEM_ERR)
class ParkMediaSafetyTest {

    /** Lock of the tests that count the JVM's threads: this class starts and stops a SIP stack's threads. */
    static final String THREAD_COUNT = "jvm-thread-count";

    private static final String LOCAL = "127.0.0.1";
    private static final String THIRD_PARTY = "127.0.0.5";
    private static final int LIMIT = 20;
    private static final Pattern STATUS = Pattern.compile("^SIP/2.0 (\\d{3})");
    private static final Pattern CALL_ID = Pattern.compile("(?m)^Call-ID: *(\\S+)");
    private static final Pattern TO_TAG = Pattern.compile("(?m)^To: [^\\r\\n]*;tag=([^;\\s>]+)");

    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private int port;

    @BeforeAll
    void start() throws IOException {
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        port = freePort(24000 + ThreadLocalRandom.current().nextInt(150) * 2); // 24000-24698: only this class
        TestSipConfig sip = new TestSipConfig();
        sip.port = port;
        sip.parksInProgressPerSource = LIMIT;
        Registrations none = new Registrations(() -> {
            throw new IllegalStateException("no cluster member in this test: nobody is registered");
        });
        server = new SipServer(core.service(), core.directory(), media, none, () -> "node-1", sip, k -> null,
                k -> null);
        core.addListener(server);
    }

    @AfterAll
    void stop() {
        SipTests.stopAll(server, core, media, null);
    }

    @AfterEach
    void endAll() throws ParkException {
        SipTests.endAll(core.service());
    }

    @Test
    void neverAckedInvitesNamingAThirdPartySendItNothing_limitedPerSource_closedAtTheTransactionTimeout()
            throws Exception {
        try (DatagramSocket attacker = new DatagramSocket(0, InetAddress.getByName(LOCAL));
                DatagramSocket victim = new DatagramSocket(0, InetAddress.getByName(THIRD_PARTY))) {
            int mark = media.log.size();
            for (int i = 0; i < LIMIT + 5; i++) {
                send(attacker, invite(attacker, "flood-" + i + "-" + UUID.randomUUID(), THIRD_PARTY,
                        victim.getLocalPort()));
            }
            Map<String, String> finals = finalAnswers(attacker, LIMIT + 5, 10_000);
            long ok = finals.values().stream().filter(s -> s.startsWith("SIP/2.0 200")).count();
            long refused = finals.values().stream().filter(s -> s.startsWith("SIP/2.0 503")).count();
            assertEquals(LIMIT, ok, "at most parksInProgressPerSource answered: " + finals.keySet());
            assertEquals(5, refused, "the rest refused");
            assertTrue(finals.values().stream().filter(s -> s.startsWith("SIP/2.0 503"))
                    .allMatch(s -> s.contains("Retry-After:")), "503 with Retry-After");
            assertEquals(LIMIT, server.parksInProgressFrom(LOCAL));

            List<String> log = SipTests.since(media, mark);
            assertEquals(LIMIT, log.stream().filter(l -> l.startsWith("open ") && l.endsWith(" offer")).count(),
                    "every leg waits for the caller's RTP (the SDP address is not the INVITE's source): " + log);
            assertTrue(log.stream().noneMatch(l -> l.startsWith("hold ")), "no music before an ACK: " + log);
            assertNoPacket(victim, 2000, "the third party named in the SDP");

            // Timer H: the 200 was never ACKed. Every leg is closed, nothing was ever sent, the count is free again.
            long deadline = System.currentTimeMillis() + 45_000;
            while (core.service().list().size() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(0, core.service().list().size(), "the never-ACKed parks ended at the INVITE time-out");
            SipTests.await(() -> SipTests.since(media, mark).stream().filter(l -> l.startsWith("close ")).count()
                    == LIMIT, "every leg closed (the call ends just before its media closes)");
            List<String> after = SipTests.since(media, mark);
            assertTrue(after.stream().noneMatch(l -> l.startsWith("hold ")), after.toString());
            assertEquals(0, server.parksInProgressFrom(LOCAL));
            assertNoPacket(victim, 200, "the third party, after the time-out");
        }
    }

    @Test
    void anOrdinaryParkGetsItsMusicWithTheAckNotBefore() throws Exception {
        try (DatagramSocket caller = new DatagramSocket(0, InetAddress.getByName(LOCAL));
                DatagramSocket rtp = new DatagramSocket(0, InetAddress.getByName(LOCAL))) {
            int mark = media.log.size();
            String callId = "ordinary-" + UUID.randomUUID();
            send(caller, invite(caller, callId, LOCAL, rtp.getLocalPort()));
            String ok = finalAnswers(caller, 1, 5000).get(callId);
            assertTrue(ok != null && ok.startsWith("SIP/2.0 200"), String.valueOf(ok));
            List<String> log = SipTests.since(media, mark);
            assertTrue(log.stream().anyMatch(l -> l.startsWith("open ") && !l.endsWith(" offer")),
                    "the SDP names the INVITE's own source: media may go there: " + log);
            assertNoPacket(rtp, 500, "the caller before its ACK");
            assertTrue(SipTests.since(media, mark).stream().noneMatch(l -> l.startsWith("hold ")));
            assertEquals(1, server.parksInProgressFrom(LOCAL));

            send(caller, ack(caller, callId, ok));
            SipTests.await(() -> SipTests.since(media, mark).stream().anyMatch(l -> l.startsWith("hold ")),
                    "music after the ACK");
            rtp.setSoTimeout(5000);
            rtp.receive(new DatagramPacket(new byte[2048], 2048)); // the first music packet
            assertEquals(0, server.parksInProgressFrom(LOCAL), "an ACKed park is no longer in progress");
        }
    }

    @Test
    void theAddressTrustRule() throws Exception {
        TestSipConfig c = new TestSipConfig();
        c.trustedProxies = "10.0.0.9";
        SipSettings s = SipSettings.from(c, k -> null, k -> null);
        java.net.InetSocketAddress sdp = new java.net.InetSocketAddress("192.0.2.7", 4000);
        assertEquals(sdp, ParkFlows.vouched(sdp, "192.0.2.7", s), "the INVITE's own address");
        assertNull(ParkFlows.vouched(sdp, "192.0.2.8", s), "another address: wait for the caller's RTP");
        assertEquals(sdp, ParkFlows.vouched(sdp, "10.0.0.9", s), "a trusted proxy vouches for its SDP");
        assertNull(ParkFlows.vouched(null, "192.0.2.7", s));
        assertFalse(ParkFlows.vouched(sdp, null, s) != null, "no known source: not vouched");
    }

    // ------------------------------------------------------------------------------------------ raw SIP

    private String invite(DatagramSocket from, String callId, String sdpAddress, int sdpPort) {
        String sdp = "v=0\r\no=- 1 1 IN IP4 " + sdpAddress + "\r\ns=-\r\nc=IN IP4 " + sdpAddress + "\r\nt=0 0\r\n"
                + "m=audio " + sdpPort + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        int lp = from.getLocalPort();
        return "INVITE sip:*68101@" + LOCAL + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + LOCAL + ":" + lp + ";branch=z9hG4bK" + callId.hashCode() + "\r\n"
                + "From: \"Outsider\" <sip:+4930999@" + LOCAL + ">;tag=t" + callId.hashCode() + "\r\n"
                + "To: <sip:*68101@" + LOCAL + ">\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\n"
                + "Contact: <sip:+4930999@" + LOCAL + ":" + lp + ">\r\nMax-Forwards: 70\r\n"
                + "Referred-By: <sip:101@" + LOCAL + ">\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    private String ack(DatagramSocket from, String callId, String ok) {
        Matcher tag = TO_TAG.matcher(ok);
        assertTrue(tag.find(), ok);
        int lp = from.getLocalPort();
        return "ACK sip:*68101@" + LOCAL + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + LOCAL + ":" + lp + ";branch=z9hG4bKack" + callId.hashCode() + "\r\n"
                + "From: \"Outsider\" <sip:+4930999@" + LOCAL + ">;tag=t" + callId.hashCode() + "\r\n"
                + "To: <sip:*68101@" + LOCAL + ">;tag=" + tag.group(1) + "\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    }

    private void send(DatagramSocket s, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, InetAddress.getByName(LOCAL), port));
    }

    /** The first final response per Call-ID, until {@code count} Call-IDs have one or the time is up. */
    private static Map<String, String> finalAnswers(DatagramSocket s, int count, long millis) throws IOException {
        Map<String, String> finals = new LinkedHashMap<>();
        long end = System.currentTimeMillis() + millis;
        byte[] buf = new byte[8192];
        while (finals.size() < count && System.currentTimeMillis() < end) {
            s.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            Matcher status = STATUS.matcher(text);
            Matcher id = CALL_ID.matcher(text);
            if (status.find() && Integer.parseInt(status.group(1)) >= 200 && id.find()) {
                finals.putIfAbsent(id.group(1), text);
            }
        }
        return finals;
    }

    private static void assertNoPacket(DatagramSocket s, int millis, String who) throws IOException {
        s.setSoTimeout(millis);
        try {
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            s.receive(p);
            throw new AssertionError(who + " received a packet from " + p.getSocketAddress());
        } catch (SocketTimeoutException expected) {
            // nothing arrived
        }
    }

    private static int freePort(int from) throws IOException {
        for (int p = from; p < from + 400; p += 2) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket u = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException e) {
                // next
            }
        }
        throw new IOException("no free port from " + from);
    }
}
