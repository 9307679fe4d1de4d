package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
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

/**
 * A retrieved call behaves like a call (issue 16 part 1), over real sockets: sipp as the customer, the retriever and
 * a registered phone against a real {@link SipServer} with the real park core (recall dialer plugged in) and the
 * recording media (what each leg is told to play is its log; the real RTP is BridgeAudioST's). Hold and resume by
 * re-INVITE (RFC 3264 §8.4, sipp checks the direction of each answer) and blind transfer by REFER (RFC 3515, sipp
 * checks the 202 and both sipfrag NOTIFYs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BridgedCallTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final String LOCAL = "127.0.0.1";

    private HazelcastInstance hazelcast;
    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private Registrations registrations;
    private TestSipConfig sip;
    private int port;

    @BeforeAll
    void start() throws IOException {
        Sipp.requireSipp();
        int hzPort = freePort(19901 + ThreadLocalRandom.current().nextInt(100));
        String cluster = "callpark-hold-test-" + UUID.randomUUID();
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, List.of(LOCAL + ":" + hzPort), hzPort,
                false, LOCAL, 0));
        config.setInstanceName(cluster);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        port = freePort(26060 + ThreadLocalRandom.current().nextInt(400) * 2);
        sip = new TestSipConfig();
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

    private Sipp sipp(String scenario) {
        return Sipp.scenario(scenario, port).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer");
    }

    /**
     * The retriever holds (sendonly → recvonly): it gets nothing, the customer the music; then the customer holds too
     * (inactive → inactive): nobody gets anything; the retriever resumes from another port: its media moves there and,
     * the customer still holding, it hears the music; the customer resumes: bridged again. The retriever's BYE hangs
     * the customer up as before.
     */
    @Test
    void bothPartiesHoldAndResume_theHeldOneHearsMusic_bridgedAgainAtTheEnd() throws Exception {
        Sipp customer = sipp("park_hold_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        String p = call.leg();
        Sipp retriever = sipp("retrieve_hold").service("*88").auth("101", "pass101").start();
        retriever.run();
        customer.run(); // both held and resumed (sipp checked each answer's direction), then our BYE
        String bridge = media.lines("bridge " + p).stream().findFirst().orElse("");
        assertFalse(bridge.isEmpty(), media.log.toString());
        String r = bridge.split(" ")[2];
        int movedPort = -1;
        for (String l : media.lines("move " + r)) {
            movedPort = Integer.parseInt(l.split(" ")[2]);
        }
        assertTrue(movedPort > 0, "the retriever's media moved to its new port: " + media.log);
        List<String> expected = List.of(
                "bridge " + p + " " + r, // retrieved
                "silence " + r, "hold " + p, // the retriever holds: the customer hears music
                "silence " + p, "silence " + r, // the customer holds too: nobody gets RTP
                "move " + r + " " + movedPort, "hold " + r, "silence " + p, // the retriever resumes: music for it
                "bridge " + p + " " + r, // the customer resumes: bridged again
                "close " + r);
        assertInOrder(expected, media.log);
        assertEquals(2, media.lines("bridge " + p).size(), "no bridge for re-INVITEs that change nothing: " + media.log);
        assertEquals(2, media.lines("hold " + p).size(), "music while parked, then while held only: " + media.log);
        assertTrue(core.service().list().isEmpty());
    }

    /**
     * An answered recall is a bridged call too: the recalled phone (104, a sipp UAS; the customer parks from 104's
     * registered address, so 104 is a verified parker and is rung) holds by its own re-INVITE ({@code recvonly}
     * answered): silence for it, music for the customer; it resumes: bridged again.
     */
    @Test
    void theRecalledPhoneHoldsAndResumes() throws Exception {
        int p104 = Sipp.freeUasPort();
        int from = Sipp.freeUasPort();
        registrations.put(new Registrations.Binding(TenantId.DEFAULT, "104", "sip:104@" + LOCAL + ":" + p104
                + ";transport=udp", System.currentTimeMillis() + 300_000, LOCAL + ":" + from, "udp", "test-104h", 1),
                300);
        Sipp phone = Sipp.scenario("recall_answer_hold", port).localPort(p104).pause(200).name("hold-104").start();
        Sipp customer = sipp("park_referred").service("*68").key("referrer", "104").localPort(from).pause(7000)
                .start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "104"), media.log);
        core.advance(java.time.Duration.ofSeconds(46)); // the first recall rings 104
        phone.run(); // answered, held, resumed, then our BYE after the customer's
        customer.run();
        String p = call.leg();
        String c = media.lines("bridge " + p).get(0).split(" ")[2];
        assertInOrder(List.of("bridge " + p + " " + c, "silence " + c, "hold " + p, "bridge " + c + " " + p),
                media.log);
    }

    /**
     * A re-INVITE offering only a codec the call does not use (G.729) gets 488 (the phone ACKs it) and changes
     * nothing: the hold re-INVITE after it is answered {@code a=recvonly} and acts as usual; no media moved.
     */
    @Test
    void aReInviteWithoutTheCallsCodecIs488AndChangesNothing() throws Exception {
        Sipp customer = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        sipp("retrieve_reinvite_488").service("*88").auth("101", "pass101").pause(300).run();
        customer.run(); // our BYE after the retriever's
        String p = call.leg();
        String r = media.lines("bridge " + p).get(0).split(" ")[2];
        assertInOrder(List.of("bridge " + p + " " + r, "silence " + r, "hold " + p, "close " + r), media.log);
        assertTrue(media.lines("move " + r).isEmpty(), "the refused offer moved nothing: " + media.log);
    }

    /**
     * The retriever (101) blind-transfers the customer to {@code *68102}: 202, NOTIFY 100 then 200, our BYE to the
     * retriever; the customer is parked on 102 with its own caller identity, on its same leg, with music again.
     */
    @Test
    void referToAParkCode_parksTheCustomerAgainWithItsIdentity() throws Exception {
        Sipp customer = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        sipp("retrieve_refer").service("*88").auth("101", "pass101").key("refer_to", "*68102").pause(300).run();
        ParkedCall again = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "102"),
                media.log);
        assertEquals("+4930123", again.caller().number());
        assertEquals("Customer", again.caller().displayName());
        assertEquals(call.leg(), again.leg(), "the same leg, parked again");
        assertEquals("101", again.parkedBy());
        assertFalse(again.id().equals(call.id()), "a new parked call: a new recall ladder");
        assertTrue(call.session().contains("\"parkerUnverified\":true"), call.session());
        assertFalse(again.session().contains("\"parkerUnverified\":true"),
                "the referrer (digest-authenticated) is a verified parker: " + again.session());
        String r = media.lines("bridge " + call.leg()).get(0).split(" ")[2];
        assertInOrder(List.of("bridge " + call.leg() + " " + r, "hold " + call.leg(), "close " + r), media.log);
        SipTests.endAll(core.service()); // an administrator's hang-up: our BYE reaches the customer
        customer.run();
    }

    /**
     * The retriever blind-transfers the customer to extension 104: 104's phone rings with the customer's identity
     * ("Parked: Customer", checked by sipp), answers, is bridged to the customer; NOTIFY 200 and our BYE to the
     * retriever; the customer's BYE later hangs 104 up.
     */
    @Test
    void referToAnExtension_ringsItWithTheCustomersIdentityAndBridges() throws Exception {
        int p104 = Sipp.freeUasPort();
        registrations.put(new Registrations.Binding(TenantId.DEFAULT, "104", "sip:104@" + LOCAL + ":" + p104
                + ";transport=udp", System.currentTimeMillis() + 300_000, LOCAL + ":" + p104, "udp", "test-104", 1),
                300);
        Sipp phone = Sipp.scenario("recall_answer", port).localPort(p104).pause(300).name("answer-104").start();
        Sipp customer = sipp("park_referred").service("*68").key("referrer", "101").pause(6000).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        sipp("retrieve_refer").service("*88").auth("101", "pass101").key("refer_to", "104").pause(300).run();
        customer.run(); // hangs up after 6 s
        phone.run(); // our BYE after the customer's
        List<String> bridges = media.lines("bridge " + call.leg());
        assertEquals(2, bridges.size(), "bridged to the retriever, then to 104: " + media.log);
        String r = bridges.get(0).split(" ")[2];
        String callee = bridges.get(1).split(" ")[2];
        assertFalse(callee.equals(r));
        assertInOrder(List.of("hold " + call.leg(), "close " + r, "bridge " + call.leg() + " " + callee), media.log);
        assertTrue(core.service().list().isEmpty(), "delivered to 104: nothing parked");
    }

    /**
     * The outside caller REFERs the retriever away: 403; the retriever REFERs the customer to a number that is not
     * the tenant's: 403; the call goes on bridged until the retriever's BYE, and nothing is parked again.
     */
    @Test
    void referFromTheCustomerOrToAnUnknownNumberIsRefused() throws Exception {
        Sipp customer = sipp("park_refer_refused").service("*68").key("referrer", "101").pause(1500).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        sipp("retrieve_refer_refused").service("*88").auth("101", "pass101").key("refer_to", "+4940999")
                .pause(2500).run();
        customer.run(); // its REFER refused, then our BYE after the retriever's
        assertEquals(1, media.lines("bridge " + call.leg()).size(), media.log.toString());
        assertEquals(1, media.lines("hold " + call.leg()).size(), "music only while first parked: " + media.log);
        assertTrue(core.service().list().isEmpty(), "nothing parked again");
    }

    /**
     * Issue 16 part 1, a number outside the directory: with {@code transferNumbers} and an outbound proxy (the PBX,
     * here a sipp UAS) the retriever's REFER to {@code +4940555} parks the customer on the retriever's slot (music) and
     * calls {@code sip:+4940555@<proxy>} with the customer's identity; the answer is bridged to the customer and
     * nothing stays parked. With the pattern unset such a number is refused (the test above), as is one the pattern
     * does not allow (the next test).
     */
    @Test
    void referToAnAllowedNumber_callsItThroughTheOutboundProxyAndBridges() throws Exception {
        int pbx = Sipp.freeUasPort();
        sip.transferNumbers = "\\+?[0-9]{5,15}";
        sip.outboundProxy = LOCAL + ":" + pbx;
        server.modified(sip);
        try {
            Sipp trunk = Sipp.scenario("recall_answer", port).localPort(pbx).pause(300).name("answer-pbx").start();
            Sipp customer = sipp("park_referred").service("*68").key("referrer", "101").pause(6000).start();
            ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"),
                    media.log);
            sipp("retrieve_refer").service("*88").auth("101", "pass101").key("refer_to", "+4940555").pause(300).run();
            customer.run(); // hangs up after 6 s
            trunk.run(); // our BYE after the customer's
            assertEquals(List.of("INVITE sip:+4940555@" + LOCAL + ":" + pbx + " SIP/2.0"),
                    trunk.received("INVITE").stream().map(Sipp.Received::firstLine).toList());
            List<String> bridges = media.lines("bridge " + call.leg());
            assertEquals(2, bridges.size(), "bridged to the retriever, then to the PBX's call: " + media.log);
            assertTrue(core.service().list().isEmpty(), "delivered to the number: nothing parked");
        } finally {
            sip.transferNumbers = "";
            sip.outboundProxy = "";
            server.modified(sip);
        }
    }

    /** With {@code transferNumbers} set, a number it does not match ({@code +49}) is refused 403 all the same. */
    @Test
    void referToANumberThePatternDoesNotAllowIsRefused() throws Exception {
        sip.transferNumbers = "\\+?[0-9]{5,15}";
        sip.outboundProxy = LOCAL + ":" + Sipp.freeUasPort();
        server.modified(sip);
        try {
            Sipp customer = sipp("park_refer_refused").service("*68").key("referrer", "101").pause(1500).start();
            ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"),
                    media.log);
            sipp("retrieve_refer_refused").service("*88").auth("101", "pass101").key("refer_to", "+49")
                    .pause(2500).run();
            customer.run();
            assertEquals(1, media.lines("bridge " + call.leg()).size(), media.log.toString());
            assertTrue(core.service().list().isEmpty(), "nothing parked again");
        } finally {
            sip.transferNumbers = "";
            sip.outboundProxy = "";
            server.modified(sip);
        }
    }

    /** A parked caller (no connected call) that sends REFER gets 405 with Allow, and stays parked. */
    @Test
    void referWhileParkedIs405() throws Exception {
        Sipp customer = sipp("park_refer_405").service("*68").key("referrer", "101").pause(300).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        customer.run(); // 405, then its own BYE
        assertEquals(1, media.lines("hold " + call.leg()).size(), media.log.toString());
        assertTrue(media.lines("bridge " + call.leg()).isEmpty());
    }

    /** {@code expected} occurs in {@code log} in this order (other lines in between allowed). */
    private static void assertInOrder(List<String> expected, List<String> log) {
        List<String> rest = new ArrayList<>(log);
        for (String e : expected) {
            int at = rest.indexOf(e);
            assertTrue(at >= 0, "'" + e + "' missing (in order) from " + log);
            rest = rest.subList(at + 1, rest.size());
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
