package org.callpark.internal.sip;

import static org.callpark.internal.sip.SipTests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import javax.sip.header.RetryAfterHeader;
import javax.sip.header.WarningHeader;
import javax.sip.message.Response;

import org.callpark.api.ParkException;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.TestCluster;
import org.callpark.internal.sip.ClusterSipTest.Node;
import org.callpark.internal.sip.Registrations.Binding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.HazelcastInstance;

/**
 * Issue 14 D1, R3, R4, S2 over real sockets: two nodes (real Hazelcast members, real park core, own SIP servers, see
 * {@link ClusterSipTest}), phones that are raw UDP sockets on loopback addresses of their own ({@link RawSipPhone}, so
 * a captured {@code Authorization} is replayed byte for byte), sipp for the parked callers.
 */
class ClusterDigestTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private static final String LOCAL = "127.0.0.1";
    /** Phones register to the domain (no port), so one Authorization fits both nodes' Request-URI. */
    private static final String REGISTRAR = "sip:127.0.0.1";

    private Node a;
    private Node b;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @BeforeEach
    void startTwoNodes() throws Exception {
        String cluster = "callpark-digest-test-" + UUID.randomUUID();
        int hzA = TestCluster.freePort(22101 + ThreadLocalRandom.current().nextInt(300));
        int hzB = TestCluster.freePort(hzA + 2);
        List<String> members = List.of(LOCAL + ":" + hzA, LOCAL + ":" + hzB);
        HazelcastInstance ha = TestCluster.member(cluster, members, hzA);
        HazelcastInstance hb = TestCluster.member(cluster, members, hzB);
        int sipA = TestCluster.freePort(28060 + ThreadLocalRandom.current().nextInt(300) * 2);
        a = new Node(ha, sipA);
        b = new Node(hb, TestCluster.freePort(sipA + 2));
        await(() -> ha.getCluster().getMembers().size() == 2, "two members");
    }

    @AfterEach
    void stopNodes() {
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                try {
                    SipTests.endAll(n.core.service());
                } catch (ParkException | RuntimeException e) {
                    // going anyway
                }
                n.stop();
            }
        }
    }

    /** S2: the nonce of node A's 401 is good at node B (one secret for the cluster, kept in Hazelcast). */
    @Test
    void aChallengeFromOneNodeIsAnsweredAtTheOther() throws Exception {
        try (RawSipPhone phone = new RawSipPhone("127.0.0.11", "103", "pass103")) {
            Response challenge = phone.send(a.port, register(phone, "c1", null));
            assertEquals(401, challenge.getStatusCode());
            Response ok = phone.send(b.port, register(phone, "c1", phone.authorization(challenge, "REGISTER",
                    REGISTRAR, 1)));
            assertEquals(200, ok.getStatusCode(), "B accepts A's nonce: " + ok);
            assertEquals(List.of(contact(phone, "c1")), contacts("103"));
        }
    }

    /** R4: a captured REGISTER replayed with another Contact — at the node it went to, or at the other — adds nothing. */
    @Test
    void aReplayedRegisterAddsNoContactAtEitherNode() throws Exception {
        try (RawSipPhone phone = new RawSipPhone("127.0.0.12", "103", "pass103");
                RawSipPhone attacker = new RawSipPhone("127.0.0.13", "103", "unknown")) {
            Response challenge = phone.send(a.port, register(phone, "c1", null));
            String captured = phone.authorization(challenge, "REGISTER", REGISTRAR, 1);
            assertEquals(200, phone.send(a.port, register(phone, "c1", captured)).getStatusCode());

            for (Node node : new Node[] {a, b}) {
                Response replay = attacker.send(node.port, register(attacker, "evil", captured));
                assertEquals(401, replay.getStatusCode(), "replay refused at " + node.port);
                assertTrue(SipMessages.valueOf(replay.getHeader("WWW-Authenticate")).contains("stale=true"));
            }
            assertEquals(List.of(contact(phone, "c1")), contacts("103"), "only the phone's own contact");

            Response refresh = phone.send(b.port, register(phone, "c1", phone.authorization(challenge, "REGISTER",
                    REGISTRAR, 2)));
            assertEquals(200, refresh.getStatusCode(), "the phone's own next nc works at either node");
        }
    }

    /** D1: an Authorization for *88104 does not retrieve *88105; the call stays parked. */
    @Test
    void anAuthorizationForOneSlotDoesNotRetrieveAnother() throws Exception {
        Sipp c104 = parked("*68104", "104");
        Sipp c105 = parked("*68105", "105");
        SipTests.awaitParked(a.core.service(), SlotId.extension(TenantId.DEFAULT, "104"), a.media.log);
        SipTests.awaitParked(a.core.service(), SlotId.extension(TenantId.DEFAULT, "105"), a.media.log);
        try (RawSipPhone phone = new RawSipPhone("127.0.0.14", "102", "pass102")) {
            String for104 = "sip:*88104@127.0.0.1:" + a.port;
            String for105 = "sip:*88105@127.0.0.1:" + a.port;
            Response challenge = phone.send(a.port, invite(phone, for104, null));
            assertEquals(401, challenge.getStatusCode());
            String captured = phone.authorization(challenge, "INVITE", for104, 1);
            Response refused = phone.send(a.port, invite(phone, for105, captured));
            assertEquals(400, refused.getStatusCode());
            assertEquals("Digest uri mismatch", ((WarningHeader) refused.getHeader(WarningHeader.NAME)).getText());
        }
        assertEquals(1, a.core.service().list(SlotId.extension(TenantId.DEFAULT, "105")).size(), "105 still parked");
        assertEquals(1, a.core.service().list(SlotId.extension(TenantId.DEFAULT, "104")).size(), "104 too");
        SipTests.endAll(a.core.service());
        c104.run();
        c105.run();
    }

    /** R3: ten wrong passwords from one address, then the right one is refused (503), while another address works. */
    @Test
    void wrongPasswordsLockTheirAddressOutButNotTheUser() throws Exception {
        try (RawSipPhone attacker = new RawSipPhone("127.0.0.15", "105", "guess");
                RawSipPhone right = new RawSipPhone("127.0.0.15", "105", "pass105");
                RawSipPhone elsewhere = new RawSipPhone("127.0.0.16", "105", "pass105")) {
            Response rightChallenge = right.send(a.port, register(right, "r", null));
            for (int i = 0; i < 10; i++) {
                Response challenge = attacker.send(a.port, register(attacker, "x", null));
                assertEquals(401, challenge.getStatusCode(), "attempt " + i + " is challenged");
                assertEquals(403, attacker.send(a.port, register(attacker, "x", attacker.authorization(challenge,
                        "REGISTER", REGISTRAR, 1))).getStatusCode(), "attempt " + i);
            }
            Response locked = right.send(a.port, register(right, "r", right.authorization(rightChallenge,
                    "REGISTER", REGISTRAR, 1)));
            assertEquals(503, locked.getStatusCode(), "the right password from the locked address");
            assertTrue(((RetryAfterHeader) locked.getHeader(RetryAfterHeader.NAME)).getRetryAfter() > 0);
            assertEquals(List.of(), contacts("105"), "nothing registered");

            Response challenge = elsewhere.send(a.port, register(elsewhere, "e", null));
            assertEquals(200, elsewhere.send(a.port, register(elsewhere, "e", elsewhere.authorization(challenge,
                    "REGISTER", REGISTRAR, 1))).getStatusCode(), "105 itself is not locked out by one address");
        }
    }

    private Sipp parked(String service, String referrer) throws Exception {
        return Sipp.scenario("park_wait_bye", a.port).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer").key("referrer", referrer).service(service).name("parked-" + referrer)
                .timeout(40).start();
    }

    private static String register(RawSipPhone phone, String contactUser, String authorization) {
        return phone.request("REGISTER", REGISTRAR, "sip:" + phoneUser(phone) + "@127.0.0.1",
                "reg-" + phone.port() + "@" + phone.address(), contact(phone, contactUser), authorization);
    }

    private static String invite(RawSipPhone phone, String uri, String authorization) {
        return phone.request("INVITE", uri, uri, "inv-" + UUID.randomUUID(), contact(phone, "phone"), authorization);
    }

    private static String phoneUser(RawSipPhone phone) {
        return phone.user();
    }

    private static String contact(RawSipPhone phone, String user) {
        return "sip:" + user + "@" + phone.address() + ":" + phone.port();
    }

    private List<String> contacts(String user) {
        return new Registrations(() -> a.hz).lookup(TenantId.DEFAULT, user).stream().map(Binding::contact).toList();
    }
}
