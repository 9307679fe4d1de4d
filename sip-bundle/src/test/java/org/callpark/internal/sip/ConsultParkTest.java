package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import gov.nist.javax.sip.message.SIPResponse;

/**
 * The parked-slot announcement (issue 16 part 5, {@link ConsultPark}) against a real {@link SipServer} with the real
 * park core and the recording media: 101's phone ({@link DialogPhone}) makes the consult call to {@code *68102}, the
 * customer's phone (another {@link DialogPhone}, no credentials) sends the INVITE with {@code Replaces} that the
 * parker's REFER asks for, as a Yealink's attended transfer to the park code does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsultParkTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final String LOCAL = "127.0.0.1";
    private static final SlotId SLOT_102 = SlotId.extension(TenantId.DEFAULT, "102");

    private HazelcastInstance hazelcast;
    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private TestSipConfig sip;
    private int port;

    @BeforeAll
    void start() throws IOException {
        int hzPort = freePort(20501 + ThreadLocalRandom.current().nextInt(100));
        String cluster = "callpark-consult-test-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, List.of(LOCAL + ":" + hzPort), hzPort,
                false, LOCAL, 0));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        port = freePort(27060 + ThreadLocalRandom.current().nextInt(400) * 2);
        sip = new TestSipConfig();
        sip.port = port;
        sip.announceParkedSlot = true;
        server = new SipServer(core.service(), core.directory(), media, new Registrations(() -> hazelcast),
                () -> "node-1", sip, k -> null, k -> null);
        core.addListener(server);
        core.setDialer(server.recallDialer());
    }

    @AfterAll
    void stop() {
        SipTests.stopAll(server, core, media, hazelcast);
    }

    @AfterEach
    void noCallLeftBehind() throws ParkException {
        SipTests.endAll(core.service());
        sip.announceParkedSlot = true;
        server.modified(sip);
    }

    private String uri(String user) {
        return "sip:" + user + "@" + LOCAL + ":" + port;
    }

    /** 101's consult call to *68102: answered after digest; returns the consult leg's media id. */
    private String consult(DialogPhone p101, int mark) throws Exception {
        SIPResponse ok = p101.invite(uri("*68102"), "", "sendrecv");
        assertEquals(200, ok.getStatusCode(), ok.toString());
        return SipTests.since(media, mark).stream().filter(l -> l.startsWith("open ")).findFirst().orElseThrow()
                .split(" ")[1];
    }

    private static String transfer(DialogPhone consult, String replaces) {
        return "Replaces: " + replaces + "\r\nReferred-By: <sip:101@" + LOCAL + ">\r\n";
    }

    /**
     * Consult call, announcement "park-announce 1 0 2" in order, nothing parked; the customer's INVITE with Replaces
     * naming the consult dialog is parked on 102 by 101 (verified), hears music, and 101's consult leg gets our BYE.
     * The same Replaces again: 481 (a consult is used once).
     */
    @Test
    void consultThenTransfer_parksTheCustomerOnTheAnnouncedSlotBy101() throws Exception {
        try (DialogPhone p101 = new DialogPhone("101", "pass101", port);
                DialogPhone customer = new DialogPhone("+4930123", null, port);
                DialogPhone again = new DialogPhone("+4930123", null, port)) {
            int mark = media.log.size();
            String c = consult(p101, mark);
            List<String> expected = List.of("prompt " + c + " park-announce", "prompt " + c + " digit-1",
                    "prompt " + c + " digit-0", "prompt " + c + " digit-2");
            SipTests.await(() -> media.lines("prompt " + c).size() == 4, "the announcement's four prompts");
            assertEquals(expected, media.lines("prompt " + c), "the slot, digit by digit, after the intro");
            assertTrue(core.service().list().isEmpty(), "nothing parked during the consult call");

            int before = media.log.size();
            SIPResponse ok = customer.invite(uri("*68102"), transfer(p101, p101.replacesValue()), "sendrecv");

            assertEquals(200, ok.getStatusCode(), ok.toString());
            ParkedCall call = SipTests.awaitParked(core.service(), SLOT_102, media.log);
            assertEquals("101", call.parkedBy());
            assertTrue(call.parkerVerified(), "the consult leg's digest user is the parker");
            assertEquals("+4930123", call.caller().number());
            assertNotNull(p101.await("BYE", 5_000), "the consult leg is hung up");
            SipTests.await(() -> media.log.contains("hold " + call.leg()), "hold music for the customer");
            SipTests.await(() -> SipTests.since(media, before).contains("close " + c), "the consult media closed");

            SIPResponse second = again.invite(uri("*68102"), transfer(p101, p101.replacesValue()), "sendrecv");
            assertEquals(481, second.getStatusCode(), second.toString());
            assertEquals(1, core.service().list().size(), "still only the customer");
            assertEquals(200, customer.request("BYE", "").getStatusCode());
        }
    }

    /**
     * The phone's ACK comes again, and once more as the stack hands an ACK that overtook the dialog's state (the
     * phone ACKs every 200 OK, and ours was retransmitted because its first ACK crossed it): the announcement is played
     * once, not restarted, and not run twice over itself (each new prompt would end the
     * other run's prompt at once, rushing both through the digits: the parker heard a fraction of it).
     */
    @Test
    void aRepeatedOrStrayAck_announcesOnce() throws Exception {
        try (DialogPhone p101 = new DialogPhone("101", "pass101", port)) {
            int mark = media.log.size();
            String c = consult(p101, mark);
            p101.repeatAck();
            p101.strayAck();
            SipTests.await(() -> media.lines("prompt " + c).size() >= 4, "the announcement's four prompts");
            Thread.sleep(4 * RecordingMedia.PROMPT_MS);
            assertEquals(List.of("prompt " + c + " park-announce", "prompt " + c + " digit-1", "prompt " + c
                    + " digit-0", "prompt " + c + " digit-2"), media.lines("prompt " + c));
            assertEquals(200, p101.request("BYE", "").getStatusCode());
        }
    }

    /**
     * Issue 17 "retransmissions": phones that ACK our 200 OK at once (parsed and answered in well under a millisecond
     * here) never get it again. JAIN-SIP counted an ACK that crossed the 200 for nothing (its dialog timer, where the
     * dialog finds its INVITE, starts after the send) and re-sent the 200 after 500 ms: {@link CrossedAcks}. 40 parks
     * by 20 phones at once, 2 rounds, each watched 700 ms after its ACK; every call that met the race is counted in
     * {@code callpark.sip.crossed.acks}.
     */
    @Test
    void fastAcks_noTwoHundredOkComesAgain() throws Exception {
        sip.announceParkedSlot = false;
        server.modified(sip);
        AtomicInteger again = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            for (int round = 0; round < 2; round++) {
                List<Future<?>> calls = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int n = round * 20 + i;
                    calls.add(pool.submit(() -> {
                        if (fastAckPark(n)) {
                            again.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : calls) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("[sip] fast ACKs: 40 parks, 200 OK sent again " + again.get() + " times");
        assertEquals(0, again.get(), "200 OK sent again after the phone's ACK");
    }

    /**
     * One park by a phone that ACKs the 200 OK from its raw bytes, before parsing anything else (as fast as a phone
     * on the same host can); then watches 700 ms for the 200 OK again and hangs up. Returns whether it came again.
     */
    private boolean fastAckPark(int n) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket rtp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(200);
            String me = LOCAL + ":" + s.getLocalPort();
            String callId = "fast-" + n + "-" + UUID.randomUUID() + "@" + LOCAL;
            String from = "From: <sip:+4930123@" + LOCAL + ">;tag=f" + n + "\r\n";
            String sdp = "v=0\r\no=f 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio "
                    + rtp.getLocalPort() + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
            send(s, "INVITE " + uri("*68") + " SIP/2.0\r\nVia: SIP/2.0/UDP " + me + ";branch=z9hG4bK-fi" + n + "\r\n"
                    + from + "To: <" + uri("*68") + ">\r\nCall-ID: " + callId + "\r\nCSeq: 1 INVITE\r\nContact: <sip:c@"
                    + me + ">\r\nReferred-By: <sip:101@" + LOCAL + ">\r\nMax-Forwards: 70\r\nContent-Type: "
                    + "application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp);
            String to = null;
            int oks = 0;
            long ackedAt = 0;
            byte[] buf = new byte[8192];
            for (long end = System.currentTimeMillis() + 5_000; System.currentTimeMillis() < end;) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    if (ackedAt > 0 && System.currentTimeMillis() - ackedAt > 700) {
                        break;
                    }
                    continue;
                }
                String text = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
                if (!text.startsWith("SIP/2.0 200") || !text.contains(" INVITE\r\n")) {
                    continue;
                }
                int t = text.indexOf("\r\nTo: ") + 2;
                to = text.substring(t, text.indexOf("\r\n", t) + 2);
                send(s, "ACK " + uri("*68") + " SIP/2.0\r\nVia: SIP/2.0/UDP " + me + ";branch=z9hG4bK-fa" + n + "\r\n"
                        + from + to + "Call-ID: " + callId + "\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\n"
                        + "Content-Length: 0\r\n\r\n");
                oks++;
                if (ackedAt == 0) {
                    ackedAt = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - ackedAt > 700) {
                    break;
                }
            }
            assertNotNull(to, "no 200 OK for park " + n);
            send(s, "BYE " + uri("*68") + " SIP/2.0\r\nVia: SIP/2.0/UDP " + me + ";branch=z9hG4bK-fb" + n + "\r\n"
                    + from + to + "Call-ID: " + callId + "\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\n"
                    + "Content-Length: 0\r\n\r\n");
            return oks > 1;
        }
    }

    private void send(DatagramSocket s, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
    }

    /** 101 hangs up the consult call instead of transferring: nothing parked; a late Replaces gets 481. */
    @Test
    void parkerHangsUp_nothingParked() throws Exception {
        try (DialogPhone p101 = new DialogPhone("101", "pass101", port);
                DialogPhone customer = new DialogPhone("+4930123", null, port)) {
            int mark = media.log.size();
            String c = consult(p101, mark);
            SipTests.await(() -> !media.lines("prompt " + c).isEmpty(), "the announcement");

            assertEquals(200, p101.request("BYE", "").getStatusCode());

            SipTests.await(() -> media.log.contains("close " + c), "the consult media closed");
            SIPResponse late = customer.invite(uri("*68102"), transfer(p101, p101.replacesValue()), "sendrecv");
            assertEquals(481, late.getStatusCode(), late.toString());
            assertTrue(core.service().list().isEmpty(), "nothing parked");
        }
    }

    /** No transfer within announceWaitSeconds: the consult call gets our BYE, nothing parked, a late Replaces 481. */
    @Test
    void noTransferInTime_consultHungUp() throws Exception {
        sip.announceWaitSeconds = 1;
        server.modified(sip);
        try (DialogPhone p101 = new DialogPhone("101", "pass101", port);
                DialogPhone customer = new DialogPhone("+4930123", null, port)) {
            String c = consult(p101, media.log.size());

            assertNotNull(p101.await("BYE", 5_000), "hung up after the wait");
            SipTests.await(() -> media.log.contains("close " + c), "the consult media closed");
            SIPResponse late = customer.invite(uri("*68102"), transfer(p101, p101.replacesValue()), "sendrecv");
            assertEquals(481, late.getStatusCode(), late.toString());
            assertTrue(core.service().list().isEmpty(), "nothing parked");
        } finally {
            sip.announceWaitSeconds = 30;
        }
    }

    /** A Replaces with the consult's Call-ID but a wrong tag: 481, nothing parked, the consult call stays up. */
    @Test
    void replacesWithWrongTags_481() throws Exception {
        try (DialogPhone p101 = new DialogPhone("101", "pass101", port);
                DialogPhone customer = new DialogPhone("+4930123", null, port)) {
            String c = consult(p101, media.log.size());

            SIPResponse wrong = customer.invite(uri("*68102"),
                    transfer(p101, p101.callId + ";to-tag=guessed;from-tag=" + p101.fromTag), "sendrecv");
            SIPResponse swapped = customer.invite(uri("*68102"),
                    transfer(p101, p101.callId + ";to-tag=" + p101.fromTag + ";from-tag=" + p101.toTag), "sendrecv");

            assertEquals(481, wrong.getStatusCode(), wrong.toString());
            assertEquals(481, swapped.getStatusCode(), swapped.toString());
            assertTrue(core.service().list().isEmpty(), "nothing parked");
            assertFalse(media.log.contains("close " + c), "the consult call is still up");
            assertEquals(200, p101.request("BYE", "").getStatusCode());
        }
    }

    /** A consult call without credentials is challenged (401) and nothing is answered or announced. */
    @Test
    void consultWithoutCredentials_isChallenged() throws Exception {
        try (DialogPhone anon = new DialogPhone("101", null, port)) {
            int mark = media.log.size();
            SIPResponse r = anon.invite(uri("*68102"), "", "sendrecv");
            assertEquals(401, r.getStatusCode(), r.toString());
            assertTrue(SipTests.since(media, mark).stream().noneMatch(l -> l.startsWith("open ")), media.log
                    .toString());
            assertTrue(core.service().list().isEmpty());
        }
    }

    /**
     * A transferred customer's INVITE that lost its Referred-By but comes from a trusted proxy whose PAI names the
     * customer (no user of the tenant): handled as a park as before (refused 403: the parker is no user of the
     * tenant), not taken for a consult call: no challenge, no announcement.
     */
    @Test
    void trustedProxyVouchingForANonUser_isHandledAsAParkAsBefore() throws Exception {
        sip.trustedProxies = LOCAL;
        server.modified(sip);
        try (DialogPhone customer = new DialogPhone("+4930123", null, port)) {
            int mark = media.log.size();
            SIPResponse ok = customer.invite(uri("*68102"), "P-Asserted-Identity: <sip:+4930123@" + LOCAL + ">\r\n",
                    "sendrecv");
            assertEquals(403, ok.getStatusCode(), ok.toString());
            assertTrue(ok.toString().contains("not a user"), ok.toString());
            assertTrue(SipTests.since(media, mark).stream().noneMatch(l -> l.startsWith("prompt ")), media.log
                    .toString());
            assertTrue(core.service().list().isEmpty());
        } finally {
            sip.trustedProxies = "";
        }
    }

    /** Announcement off (the default): 101's own INVITE to *68102 parks 101's call there, as before, no prompt. */
    @Test
    void announcementOff_parksTheCallerAsBefore() throws Exception {
        sip.announceParkedSlot = false;
        server.modified(sip);
        try (DialogPhone p101 = new DialogPhone("101", "pass101", port)) {
            int mark = media.log.size();
            SIPResponse ok = p101.invite(uri("*68102"), "", "sendrecv");
            assertEquals(200, ok.getStatusCode(), ok.toString());
            ParkedCall call = SipTests.awaitParked(core.service(), SLOT_102, media.log);
            assertEquals("101", call.caller().number(), "the caller itself is parked");
            assertTrue(SipTests.since(media, mark).stream().noneMatch(l -> l.startsWith("prompt ")), media.log
                    .toString());
            assertEquals(200, p101.request("BYE", "").getStatusCode());
        }
    }

    private static int freePort(int preferred) throws IOException {
        for (int p = preferred; p < preferred + 200; p += 2) {
            try (DatagramSocket a = new DatagramSocket(p, InetAddress.getLoopbackAddress());
                    DatagramSocket b = new DatagramSocket(p + 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException e) {
                // taken
            }
        }
        throw new IOException("no free port near " + preferred);
    }
}
