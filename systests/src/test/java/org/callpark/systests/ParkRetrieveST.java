package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Park and retrieve real calls through the running assembly, with sipp as the parked customer and as the phones, a
 * Java UDP socket as the customer's RTP port (it must hear the hold music), and {@code park:list} in the Karaf shell.
 */
class ParkRetrieveST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer();

    private static final String CUSTOMER_PAI = "Customer.*sip:\\+4930123@";

    /** Parks a customer call (From "Customer" +4930123) on {@code code}, waits for music on its RTP port. */
    private Parked park(String code, String referrer, String user, int holdMillis) throws Exception {
        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp sipp = Sipp.scenario("park", SERVER).service(code).name("park" + code.replace("*", "_"))
                .from("Customer", user).media(rtp.port(), "PCMU").set("HOLD_MS", holdMillis)
                .timeout(holdMillis / 1000 + 20);
        if (referrer != null) {
            sipp.referredBy(referrer);
        }
        sipp.start();
        assertTrue(rtp.awaitPackets(5, 5000), () -> "no hold music on the parked call's RTP port\n"
                + sipp.diagnostics());
        return new Parked(sipp, rtp);
    }

    record Parked(Sipp sipp, RtpPeer rtp) implements AutoCloseable {
        @Override
        public void close() {
            sipp.kill();
            rtp.close();
        }
    }

    private Sipp retrieve(String code, String user, String password) {
        return Sipp.scenario("retrieve", SERVER).service(code).name("retrieve" + code.replace("*", "_") + "-" + user)
                .from(user, user).auth(user, password).set("HOLD_MS", 1500).set("PAI_REGEX", CUSTOMER_PAI)
                .set("PAI_CHECK", "true");
    }

    private String list() throws Exception {
        String out = SERVER.shell("park:list");
        System.out.println("[systests] park:list\n" + out);
        return out;
    }

    private String awaitList(Predicate<String> condition, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        String out;
        do {
            out = list();
            if (condition.test(out)) {
                return out;
            }
        } while (System.currentTimeMillis() < deadline);
        return out;
    }

    private static boolean hasCall(String listOut) {
        return listOut.contains("4930123");
    }

    @Test
    void star68WithReferredByIsListedWithParkerAndRetrievedByStar88Ext() throws Exception {
        try (Parked p = park("*68", "101", "+4930123", 20000)) {
            String out = list();
            assertTrue(hasCall(out), out);
            String row = out.lines().filter(l -> l.contains("4930123")).findFirst().orElseThrow();
            assertTrue(row.contains("101"), "parker 101 in: " + row);
            Sipp r = retrieve("*88101", "102", "pass102").run();
            assertTrue(r.logLines().stream().anyMatch(l -> l.contains("OWN-BYE")), r.logLines()::toString);
            p.sipp().assertSucceeded();
            assertTrue(p.sipp().logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the parked caller is hung up by the server when the retriever hangs up");
        }
        assertFalse(hasCall(list()));
    }

    /** One-touch park (issue 16 part 2): a blind transfer to the BLF key *88102 parks; the same key dialled retrieves. */
    @Test
    void oneTouchStar88ExtWithReferredByParksThereAndTheSameKeyRetrieves() throws Exception {
        try (Parked p = park("*88102", "101", "+4930123", 20000)) {
            String out = SERVER.shell("park:list -s default/ext/102");
            System.out.println("[systests] park:list -s default/ext/102\n" + out);
            assertTrue(hasCall(out), out);
            String row = out.lines().filter(l -> l.contains("4930123")).findFirst().orElseThrow();
            assertTrue(row.contains("101"), "parker 101 in: " + row);
            Sipp r = retrieve("*88102", "103", "pass103").run();
            assertTrue(r.logLines().stream().anyMatch(l -> l.contains("OWN-BYE")), r.logLines()::toString);
            p.sipp().assertSucceeded();
        }
        assertFalse(hasCall(list()));
    }

    @Test
    void star68ExtParksOnThatSlotAndParkPlusRetrieves() throws Exception {
        try (Parked p = park("*68102", "101", "+4930123", 20000)) {
            String out = SERVER.shell("park:list -s default/ext/102");
            System.out.println("[systests] park:list -s default/ext/102\n" + out);
            assertTrue(hasCall(out), out);
            retrieve("park+102", "102", "pass102").run();
            p.sipp().assertSucceeded();
        }
    }

    @Test
    void star58ParksInTheGroupAndStar88RetrievesTheGroupsCall() throws Exception {
        try (Parked p = park("*58", "101", "+4930123", 20000)) {
            String out = SERVER.shell("park:list -s default/group/sales");
            System.out.println("[systests] park:list -s default/group/sales\n" + out);
            assertTrue(hasCall(out), out);
            retrieve("*88", "102", "pass102").run();
            p.sipp().assertSucceeded();
        }
    }

    @Test
    void star58ByUserInNoGroupIs403() throws Exception {
        RtpPeer rtp = new RtpPeer("127.0.0.1");
        try (rtp) {
            Sipp.scenario("refused", SERVER).service("*58").name("park58-104").from("Customer", "+4930123")
                    .referredBy("104").media(rtp.port(), "PCMU").set("EXPECT", "403").run();
        }
    }

    @Test
    void nothingParkedGives200PromptAndByeFromServer() throws Exception {
        try (RtpPeer rtp = new RtpPeer("127.0.0.1")) {
            long t0 = System.nanoTime();
            Sipp r = Sipp.scenario("retrieve", SERVER).service("*88109").name("retrieve-nothing").from("Ivan", "109")
                    .auth("109", "pass109").media(rtp.port(), "PCMU").set("HOLD_MS", 15000).timeout(25).run();
            assertTrue(r.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")), "BYE from the server");
            assertTrue(rtp.packets().size() >= 10, "the nothing-parked prompt was played: " + rtp.packets().size()
                    + " packets");
            System.out.printf("[systests] nothing parked: prompt %d packets, BYE after %d ms%n", rtp.packets().size(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    @Test
    void crossTenantAndUnauthenticatedRetrievesAreRefused() throws Exception {
        try (Parked p = park("*68", "101", "+4930123", 20000)) {
            // a user of tenant acme asking for default's 101 in acme's domain: acme has no 101
            Sipp a = Sipp.scenario("refused_auth", SERVER).service("*88101").name("cross-acme").from("Karl", "201")
                    .set("DOMAIN", "acme.test").auth("201", "pass201").set("EXPECT", "404");
            a.run();
            // the same user in default's domain: not a user of this tenant
            Sipp.scenario("refused_auth", SERVER).service("*88101").name("cross-default").from("Karl", "201")
                    .auth("201", "pass201").set("EXPECT", "403").run();
            // no credentials at all
            Sipp.scenario("refused", SERVER).service("*88101").name("unauthenticated").from("Alice", "102")
                    .set("EXPECT", "401").run();
            // wrong password
            Sipp.scenario("refused_auth", SERVER).service("*88101").name("wrong-password").from("Alice", "102")
                    .auth("102", "nope").set("EXPECT", "403").run();
            assertTrue(hasCall(list()), "still parked after the refusals");
            assertTrue(p.sipp().isAlive());
        }
    }

    @Test
    void twoConcurrentRetrieversExactlyOneGetsTheCall() throws Exception {
        try (Parked p = park("*68", "101", "+4930123", 20000); RtpPeer r1 = new RtpPeer("127.0.0.1");
                RtpPeer r2 = new RtpPeer("127.0.0.1")) {
            Sipp a = Sipp.scenario("retrieve", SERVER).service("*88101").name("race-102").from("Alice", "102")
                    .auth("102", "pass102").media(r1.port(), "PCMU").set("HOLD_MS", 8000).timeout(25)
                    .set("PAI_REGEX", "Customer.*4930123");
            Sipp b = Sipp.scenario("retrieve", SERVER).service("*88101").name("race-103").from("Carol", "103")
                    .auth("103", "pass103").media(r2.port(), "PCMU").set("HOLD_MS", 8000).timeout(25)
                    .set("PAI_REGEX", "Customer.*4930123");
            a.start();
            b.start();
            a.assertSucceeded();
            b.assertSucceeded();
            List<String> la = a.logLines();
            List<String> lb = b.logLines();
            System.out.println("[systests] race 102: " + la + "\n[systests] race 103: " + lb);
            // the winner's 200 OK carries the customer's identity, the loser's (nothing-parked prompt) does not
            boolean aWon = a.messages().contains("P-Asserted-Identity: \"Customer\" <sip:+4930123@");
            boolean bWon = b.messages().contains("P-Asserted-Identity: \"Customer\" <sip:+4930123@");
            assertTrue(aWon ^ bWon, "exactly one retriever connected to the customer: 102 " + aWon + ", 103 " + bWon);
            List<String> loser = aWon ? lb : la;
            List<String> winner = aWon ? la : lb;
            assertTrue(loser.stream().anyMatch(l -> l.contains("SERVER-BYE")), "loser: prompt then BYE " + loser);
            assertTrue(winner.stream().anyMatch(l -> l.contains("OWN-BYE")), "winner keeps the call " + winner);
            p.sipp().assertSucceeded();
        }
    }

    @Test
    void parkedCallerHangsUpAndListIsEmptyAtOnce() throws Exception {
        try (Parked p = park("*68", "101", "+4930123", 3000)) {
            assertTrue(hasCall(list()));
            p.sipp().assertSucceeded();
            assertTrue(p.sipp().logLines().stream().anyMatch(l -> l.contains("OWN-BYE")));
            String out = list();
            assertFalse(hasCall(out), "still listed right after the BYE was answered:\n" + out);
        }
    }
}
