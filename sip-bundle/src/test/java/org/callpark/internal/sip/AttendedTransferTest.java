package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

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

import gov.nist.javax.sip.header.extensions.ReplacesHeader;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;

/**
 * Attended transfer of a retrieved call (issue 16 part 1, RFC 3891) against a real {@link SipServer} with the real
 * park core and the recording media: sipp is the parked customer; the receptionist (102) and the transfer target
 * (104) are {@link DialogPhone}s, which know their dialogs' identifiers as phones do. A: 104 sends the server an INVITE
 * with {@code Replaces} naming the server's dialog with 102. B: 102 REFERs the server with Replaces in Refer-To, the
 * server invites 104 (registered) with that Replaces header.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttendedTransferTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final String LOCAL = "127.0.0.1";

    private HazelcastInstance hazelcast;
    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private Registrations registrations;
    private int port;

    @BeforeAll
    void start() throws IOException {
        Sipp.requireSipp();
        int hzPort = freePort(20301 + ThreadLocalRandom.current().nextInt(100));
        String cluster = "callpark-replaces-test-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, List.of(LOCAL + ":" + hzPort), hzPort,
                false, LOCAL, 0));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        port = freePort(25060 + ThreadLocalRandom.current().nextInt(400) * 2);
        TestSipConfig sip = new TestSipConfig();
        sip.port = port;
        registrations = new Registrations(() -> hazelcast);
        server = new SipServer(core.service(), core.directory(), media, registrations, () -> "node-1", sip,
                k -> null, k -> null);
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
    }

    /** A parked customer (sipp, waits for our BYE) retrieved by 102; returns the customer's parked call. */
    private ParkedCall parkAndRetrieve(DialogPhone receptionist, Sipp[] customer) throws Exception {
        customer[0] = Sipp.scenario("park_wait_bye", port).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer").service("*68101").key("referrer", "101").start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        SIPResponse ok = receptionist.invite("sip:*88101@" + LOCAL + ":" + port, "", "sendrecv");
        assertEquals(200, ok.getStatusCode(), ok.toString());
        SipTests.await(() -> !media.lines("bridge " + call.leg()).isEmpty(), "the retrieve's bridge");
        return call;
    }

    private String replaces(DialogPhone dialog) {
        return "Replaces: " + dialog.replacesValue() + "\r\n";
    }

    /**
     * 102 holds the customer (music), 104 sends INVITE with Replaces naming our dialog with 102 and digest: 200 with
     * our SDP and the customer's identity, 102 gets our BYE, the customer's media is bridged to a new leg that sends to
     * 104's RTP port (the music stops); the customer's dialog is untouched (no request to it) until 104 hangs up.
     */
    @Test
    void replacesFromAUserOfTheTenant_takesTheReceptionistsPlace() throws Exception {
        Sipp[] customer = new Sipp[1];
        try (DialogPhone r102 = new DialogPhone("102", "pass102", port);
                DialogPhone t104 = new DialogPhone("104", "pass104", port)) {
            ParkedCall call = parkAndRetrieve(r102, customer);
            String p = call.leg();
            String r = media.lines("bridge " + p).get(0).split(" ")[2];
            assertEquals(200, r102.reInvite("sendonly").getStatusCode());
            SipTests.await(() -> media.lines("hold " + p).size() == 2, "music for the held customer");
            int mark = media.log.size();

            SIPResponse ok = t104.invite("sip:park@" + LOCAL + ":" + port, replaces(r102), "sendrecv");

            assertEquals(200, ok.getStatusCode(), ok.toString());
            assertTrue(new String(ok.getRawContent()).contains("a=sendrecv"), new String(ok.getRawContent()));
            assertTrue(SipMessages.valueOf(ok.getHeader("P-Asserted-Identity")).contains("sip:+4930123@"),
                    ok.toString());
            assertNotNull(r102.await("BYE", 5_000), "102 is hung up");
            String n = SipTests.since(media, mark).stream().filter(l -> l.startsWith("open ")).findFirst()
                    .orElseThrow().split(" ")[1];
            SipTests.await(() -> SipTests.since(media, mark).contains("bridge " + n + " " + p), "bridged to 104");
            assertEquals(t104.rtp.getLocalPort(), media.legs.get(n).remote.getPort(),
                    "the customer's bridge now sends to 104's RTP port");
            assertTrue(SipTests.since(media, mark).contains("close " + r), "102's leg closed: " + media.log);
            assertFalse(SipTests.since(media, mark).contains("close " + p), "the customer stays: " + media.log);
            assertTrue(core.service().list().isEmpty(), "nothing parked: still the retrieved call");

            assertEquals(200, t104.request("BYE", "").getStatusCode());
            customer[0].run(); // our BYE reaches the customer: the call was 104's now
        }
    }

    /**
     * Unknown dialog (a made-up Call-ID, or the right Call-ID with a wrong tag) → 481 after digest; without
     * credentials → 401 only, and the call is unchanged: 102 gets no BYE and is still bridged, 104's second try
     * without a password gets another 401; a user of another tenant → 403 (unknown in this realm, and in its own
     * domain: not a call of its tenant); {@code early-only} on our confirmed dialog → 486.
     */
    @Test
    void replacesIsRefusedUnlessAuthenticatedByAUserOfTheTenantAndTheDialogExists() throws Exception {
        Sipp[] customer = new Sipp[1];
        try (DialogPhone r102 = new DialogPhone("102", "pass102", port);
                DialogPhone anon = new DialogPhone("104", null, port);
                DialogPhone t104 = new DialogPhone("104", "pass104", port);
                DialogPhone acme = new DialogPhone("201", "pass201", port)) {
            ParkedCall call = parkAndRetrieve(r102, customer);
            int mark = media.log.size();
            String uri = "sip:park@" + LOCAL + ":" + port;

            assertEquals(401, anon.invite(uri, replaces(r102), "sendrecv").getStatusCode());
            assertEquals(481, t104.invite(uri, "Replaces: nosuchcall@127.0.0.1;to-tag=1;from-tag=2\r\n",
                    "sendrecv").getStatusCode());
            assertEquals(481, t104.invite(uri, "Replaces: " + r102.callId + ";to-tag=wrong;from-tag="
                    + r102.fromTag + "\r\n", "sendrecv").getStatusCode());
            assertEquals(403, acme.invite(uri, replaces(r102), "sendrecv").getStatusCode());
            assertEquals(403, acme.invite("sip:park@acme.test:" + port, replaces(r102), "sendrecv")
                    .getStatusCode());
            assertEquals(486, t104.invite(uri, replaces(r102).replace("\r\n", ";early-only\r\n"), "sendrecv")
                    .getStatusCode());

            assertFalse(r102.receives("BYE", 500), "102 still in its call");
            assertTrue(SipTests.since(media, mark).stream().noneMatch(l -> l.startsWith("bridge ")
                    || l.startsWith("close ")), "nothing changed: " + SipTests.since(media, mark));
            assertEquals(200, r102.request("BYE", "").getStatusCode());
            customer[0].run();
            assertEquals(1, media.lines("bridge " + call.leg()).size());
        }
    }

    /**
     * The outside caller's dialog named (the customer is a {@link DialogPhone} here, parked by 101's transfer and
     * retrieved by 102), and 104 joins holding ({@code a=sendonly}): answered {@code a=recvonly} showing Alice (102);
     * the customer gets our BYE; 104's leg is silent and 102 hears the music until 104 resumes, then 102 and 104 are
     * bridged; a REFER by 102 in that call is refused (no parked call's identity to move any more); 104's BYE ends
     * 102's call.
     */
    @Test
    void replacingTheOutsideCallersDialog_leavesACallBetweenTheTwoUsers() throws Exception {
        try (DialogPhone c = new DialogPhone("+4930123", null, port);
                DialogPhone r102 = new DialogPhone("102", "pass102", port);
                DialogPhone t104 = new DialogPhone("104", "pass104", port)) {
            assertEquals(200, c.invite("sip:*68101@" + LOCAL + ":" + port, "Referred-By: <sip:101@" + LOCAL
                    + ">\r\n", "sendrecv").getStatusCode());
            ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"),
                    media.log);
            assertEquals(200, r102.invite("sip:*88101@" + LOCAL + ":" + port, "", "sendrecv").getStatusCode());
            SipTests.await(() -> !media.lines("bridge " + call.leg()).isEmpty(), "the retrieve's bridge");
            String r = media.lines("bridge " + call.leg()).get(0).split(" ")[2];
            int mark = media.log.size();

            SIPResponse ok = t104.invite("sip:park@" + LOCAL + ":" + port, replaces(c), "sendonly");

            assertEquals(200, ok.getStatusCode(), ok.toString());
            assertTrue(new String(ok.getRawContent()).contains("a=recvonly"), new String(ok.getRawContent()));
            assertTrue(SipMessages.valueOf(ok.getHeader("P-Asserted-Identity")).contains("Alice"), ok.toString());
            assertNotNull(c.await("BYE", 5_000), "the customer is replaced");
            String n = SipTests.since(media, mark).stream().filter(l -> l.startsWith("open ")).findFirst()
                    .orElseThrow().split(" ")[1];
            SipTests.await(() -> SipTests.since(media, mark).containsAll(List.of("silence " + n, "hold " + r)),
                    "104 joined holding: music for 102");
            assertTrue(SipTests.since(media, mark).contains("close " + call.leg()), media.log.toString());
            assertEquals(200, t104.reInvite("sendrecv").getStatusCode());
            SipTests.await(() -> SipTests.since(media, mark).contains("bridge " + n + " " + r), "104 resumed");
            assertEquals(403, r102.request("REFER", "Refer-To: <sip:*68103@" + LOCAL + ">\r\n").getStatusCode());
            assertEquals(200, t104.request("BYE", "").getStatusCode());
            assertNotNull(r102.await("BYE", 5_000), "104's BYE ends 102's call");
            assertTrue(core.service().list().isEmpty());
        }
    }

    /**
     * Another tenant through the server's own address (what a phone dials when the transferor's REFER names our
     * Contact, {@code sip:park@<ip>}): acme's call (parked on 201 at {@code acme.test}, retrieved by 202) is replaced
     * by acme's 203 (challenged in acme's realm, 200, 202 gets the BYE); the default tenant's 104 naming the same kind
     * of dialog is refused (403: unknown in acme's realm).
     */
    @Test
    void aTenantsUsersReplaceThroughTheServersOwnAddress() throws Exception {
        try (DialogPhone c = new DialogPhone("+4930777", null, port);
                DialogPhone r202 = new DialogPhone("202", "pass202", port);
                DialogPhone t203 = new DialogPhone("203", "pass203", port);
                DialogPhone t104 = new DialogPhone("104", "pass104", port)) {
            assertEquals(200, c.invite("sip:*68201@acme.test:" + port, "Referred-By: <sip:201@acme.test>\r\n",
                    "sendrecv").getStatusCode());
            ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.of("acme"), "201"), media.log);
            assertEquals(200, r202.invite("sip:*88201@acme.test:" + port, "", "sendrecv").getStatusCode());
            SipTests.await(() -> !media.lines("bridge " + call.leg()).isEmpty(), "acme's retrieve");
            String own = "sip:park@" + LOCAL + ":" + port;

            SIPResponse refused = t104.invite(own, replaces(r202), "sendrecv");
            assertEquals(403, refused.getStatusCode(), refused.toString());
            SIPResponse ok = t203.invite(own, replaces(r202), "sendrecv");
            assertEquals(200, ok.getStatusCode(), ok.toString());
            assertNotNull(r202.await("BYE", 5_000));
            assertEquals(200, t203.request("BYE", "").getStatusCode());
            assertNotNull(c.await("BYE", 5_000), "203's BYE ends the customer's call");
        }
    }

    /** 104's phone (a {@link DialogPhone}) registered at its own socket. */
    private void register104(DialogPhone phone) {
        registrations.removeAll(TenantId.DEFAULT, "104"); // another test's phone is gone
        registrations.put(new Registrations.Binding(TenantId.DEFAULT, "104", "sip:104@" + LOCAL + ":" + phone.port()
                + ";transport=udp", System.currentTimeMillis() + 300_000, LOCAL + ":" + phone.port(), "udp",
                "test-104-" + phone.port(), 1), 300);
    }

    /** The REFER headers of an attended transfer to {@code ext} replacing {@code consult} (percent-encoded). */
    private static String referWithReplaces(String ext, String consult) {
        return "Refer-To: <sip:" + ext + "@" + LOCAL + "?Replaces=" + consult.replace("@", "%40").replace(";", "%3B")
                .replace("=", "%3D") + ">\r\nReferred-By: <sip:102@" + LOCAL + ">\r\n";
    }

    /**
     * B: 102 consulted 104 on a call of its own and REFERs us with {@code Refer-To: <sip:104@…?Replaces=<consult>>}:
     * 202; 104's registered phone gets our INVITE whose Replaces names exactly the consult dialog, showing the
     * customer (no "Parked:" mark, no Alert-Info); 104 answers: the customer's media is bridged to a leg sending to
     * 104's RTP port, 102 gets NOTIFY 100 then 200 (terminated) and our BYE; 104's BYE later ends the customer's call.
     */
    @Test
    void referWithReplaces_invitesTheTargetWithThatReplacesAndBridgesIt() throws Exception {
        Sipp[] customer = new Sipp[1];
        try (DialogPhone r102 = new DialogPhone("102", "pass102", port);
                DialogPhone t104 = new DialogPhone("104", "pass104", port)) {
            register104(t104);
            ParkedCall call = parkAndRetrieve(r102, customer);
            String p = call.leg();
            String r = media.lines("bridge " + p).get(0).split(" ")[2];
            assertEquals(200, r102.reInvite("sendonly").getStatusCode()); // 102 holds the customer to consult 104
            int mark = media.log.size();
            String consult = "consult-" + UUID.randomUUID() + "@" + LOCAL + ";to-tag=t104;from-tag=f102";

            assertEquals(202, r102.request("REFER", referWithReplaces("104", consult)).getStatusCode());

            SIPRequest invite = t104.await("INVITE", 5_000);
            ReplacesHeader named = (ReplacesHeader) invite.getHeader(ReplacesHeader.NAME);
            assertEquals(consult.split(";")[0], named.getCallId());
            assertEquals("t104", named.getToTag());
            assertEquals("f102", named.getFromTag());
            assertEquals("Customer", invite.getFrom().getAddress().getDisplayName());
            assertTrue(invite.getFrom().getAddress().getURI().toString().startsWith("sip:+4930123@"),
                    invite.getFrom().toString());
            assertNull(invite.getHeader("Alert-Info"));
            t104.accept(invite);
            assertTrue(new String(r102.await("NOTIFY", 5_000).getRawContent()).startsWith("SIP/2.0 100"));
            SIPRequest last = r102.await("NOTIFY", 5_000);
            assertTrue(new String(last.getRawContent()).startsWith("SIP/2.0 200"), last.toString());
            assertTrue(SipMessages.valueOf(last.getHeader("Subscription-State")).startsWith("terminated"));
            assertNotNull(r102.await("BYE", 5_000));
            String n = SipTests.since(media, mark).stream().filter(l -> l.startsWith("open ")).findFirst()
                    .orElseThrow().split(" ")[1];
            SipTests.await(() -> SipTests.since(media, mark).contains("bridge " + n + " " + p), "bridged to 104");
            assertEquals(t104.rtp.getLocalPort(), media.legs.get(n).remote.getPort());
            SipTests.await(() -> SipTests.since(media, mark).contains("close " + r), "102's leg closed");
            assertTrue(core.service().list().isEmpty());

            assertEquals(200, t104.request("BYE", "").getStatusCode());
            customer[0].run(); // 104's BYE ends the customer's call
        }
    }

    /**
     * B refused or failed: Replaces in a REFER to a park code or to a number that is not the tenant's → 403 before
     * any 202; 104 not registered → NOTIFY 480; 104 answers our INVITE 481 (it has no such consult call) → NOTIFY
     * 481.
     * Each time 102 gets no BYE and stays bridged with the customer: its own BYE still ends the customer's call.
     */
    @Test
    void referWithReplacesRefusedOrFailed_leavesTheCallWithTheReferrer() throws Exception {
        Sipp[] customer = new Sipp[1];
        try (DialogPhone r102 = new DialogPhone("102", "pass102", port);
                DialogPhone t104 = new DialogPhone("104", "pass104", port)) {
            ParkedCall call = parkAndRetrieve(r102, customer);
            String consult = "consult-x@" + LOCAL + ";to-tag=a;from-tag=b";
            assertEquals(403, r102.request("REFER", referWithReplaces("*68102", consult)).getStatusCode());
            assertEquals(403, r102.request("REFER", referWithReplaces("+4940999", consult)).getStatusCode());
            registrations.removeAll(TenantId.DEFAULT, "104");

            assertEquals(202, r102.request("REFER", referWithReplaces("104", consult)).getStatusCode());
            r102.await("NOTIFY", 5_000);
            assertTrue(new String(r102.await("NOTIFY", 5_000).getRawContent()).startsWith("SIP/2.0 480"));

            register104(t104);
            assertEquals(202, r102.request("REFER", referWithReplaces("104", consult)).getStatusCode());
            t104.answer(t104.await("INVITE", 5_000), 481);
            r102.await("NOTIFY", 5_000);
            assertTrue(new String(r102.await("NOTIFY", 5_000).getRawContent()).startsWith("SIP/2.0 481"));

            assertFalse(r102.receives("BYE", 500), "102 keeps the call");
            assertEquals(1, media.lines("bridge " + call.leg()).size(), media.log.toString());
            assertEquals(200, r102.request("BYE", "").getStatusCode());
            customer[0].run(); // still 102's call: its BYE ended the customer's too
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
