package org.callpark.internal.sip;

import static org.callpark.internal.sip.SipRequestsForTests.TENANT;
import static org.callpark.internal.sip.SipRequestsForTests.directory;
import static org.callpark.internal.sip.SipRequestsForTests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import javax.sip.header.RetryAfterHeader;
import javax.sip.header.WarningHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.Test;

/**
 * Issue 14 D1, R3, R4 without a stack: the digest uri must be the Request-URI, failures lock a source and a user out,
 * a REGISTER's nonce-count must rise.
 */
class SipAuthHardeningTest {

    private static final String URI_104 = "sip:*88104@example.com";
    private static final String URI_105 = "sip:*88105@example.com";

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-07T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final SipAuthenticator auth = new SipAuthenticator(
            new SipMessages(SipRequestsForTests.settings("", "")), CoreAccess.of(null, directory()), clock);

    // ------------------------------------------------------------------------------------------ D1

    @Test
    void credentialsForOneRequestUriAreRefusedOnAnother() throws Exception {
        String captured = authorization("INVITE", URI_104, "102", "pass102", "192.0.2.5", null);
        SipAuthenticator.Outcome o = auth.check(invite(URI_105, captured, "192.0.2.5"), TENANT);
        assertTrue(o.user().isEmpty());
        assertEquals(400, o.refusal().getStatusCode());
        assertEquals("Digest uri mismatch", ((WarningHeader) o.refusal().getHeader(WarningHeader.NAME)).getText());
        assertEquals(Optional.empty(), auth.digestUser(invite(URI_105, captured, "192.0.2.5"), TENANT),
                "nor does a park take them as the parker's identity");
        assertEquals(Optional.of("102"), auth.check(invite(URI_104, captured, "192.0.2.5"), TENANT).user(),
                "on its own Request-URI it works");
    }

    @Test
    void theDigestUriIsComparedAsAUriNotAsText() throws Exception {
        Request r = invite("sip:*88104@EXAMPLE.com;transport=udp", null, "192.0.2.5");
        assertTrue(auth.uriMatches("sip:*88104@example.com;transport=UDP", r), "host and parameter case differ");
        assertTrue(!auth.uriMatches("sip:*88105@example.com;transport=udp", r), "another user");
        assertTrue(!auth.uriMatches("", r) && !auth.uriMatches(null, r) && !auth.uriMatches("not a uri", r));
    }

    // ------------------------------------------------------------------------------------------ R3

    @Test
    void afterTenFailuresFromOneAddressEvenTheRightPasswordIsRefusedUntilTheWindowPasses() throws Exception {
        String right = authorization("INVITE", URI_104, "102", "pass102", "192.0.2.7", null);
        for (int i = 0; i < 10; i++) {
            assertEquals(403, auth.check(withCredentials("102", "guess" + i, "192.0.2.7"), TENANT).refusal()
                    .getStatusCode(), "attempt " + i + " is checked");
        }
        Response locked = auth.check(invite(URI_104, right, "192.0.2.7"), TENANT).refusal();
        assertEquals(503, locked.getStatusCode(), "locked: the right password does not work");
        int retryAfter = ((RetryAfterHeader) locked.getHeader(RetryAfterHeader.NAME)).getRetryAfter();
        assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(503, auth.check(request("INVITE", URI_104, "<sip:102@example.com>", "", "192.0.2.7"), TENANT)
                .refusal().getStatusCode(), "not even challenged");
        assertEquals(Optional.of("102"), auth.check(withCredentials("102", "pass102", "192.0.2.8"), TENANT).user(),
                "one address alone does not lock the user out: 102 works from elsewhere");

        clock.now = clock.now.plus(Duration.ofSeconds(61));
        assertEquals(Optional.of("102"), auth.check(invite(URI_104, right, "192.0.2.7"), TENANT).user(),
                "the window passed");
    }

    @Test
    void failuresForOneUserFromSeveralAddressesLockThatUserEverywhere() throws Exception {
        String right = authorization("INVITE", URI_104, "101", "pass101", "192.0.2.30", null);
        for (int i = 0; i < 5; i++) {
            auth.check(withCredentials("101", "guess" + i, "192.0.2." + (20 + i % 2)), TENANT);
        }
        Response locked = auth.check(invite(URI_104, right, "192.0.2.30"), TENANT).refusal();
        assertEquals(503, locked.getStatusCode(), "101 is locked, the right password from a third address too");
        assertEquals(Optional.of("102"), auth.check(withCredentials("102", "pass102", "192.0.2.30"), TENANT).user(),
                "other users are not");
        clock.now = clock.now.plus(Duration.ofSeconds(301));
        assertEquals(Optional.of("101"), auth.check(withCredentials("101", "pass101", "192.0.2.30"), TENANT).user(),
                "the window passed (a fresh nonce: the old one is stale by now)");
    }

    @Test
    void nineFailuresFromOneAddressDoNotLockTheUser() throws Exception {
        for (int i = 0; i < 9; i++) {
            auth.check(withCredentials("101", "guess" + i, "192.0.2.40"), TENANT);
        }
        assertEquals(Optional.of("101"), auth.check(withCredentials("101", "pass101", "192.0.2.41"), TENANT).user());
        assertEquals(Optional.of("101"), auth.check(withCredentials("101", "pass101", "192.0.2.40"), TENANT).user(),
                "below the source limit the source is not locked either");
    }

    // ------------------------------------------------------------------------------------------ R4

    @Test
    void aRegisterMustRaiseItsNonceCount() throws Exception {
        Response challenge = auth.check(register(null), TENANT).refusal();
        String first = raw(challenge, "REGISTER", "sip:example.com", "101", "pass101", 1);
        assertEquals(Optional.of("101"), auth.check(register(first), TENANT).user());
        SipAuthenticator.Outcome replay = auth.check(register(first), TENANT);
        assertEquals(401, replay.refusal().getStatusCode(), "the same nc again is a replay");
        assertTrue(SipMessages.valueOf(replay.refusal().getHeader("WWW-Authenticate")).contains("stale=true"));
        assertEquals(Optional.of("101"), auth.check(register(raw(challenge, "REGISTER", "sip:example.com", "101",
                "pass101", 2)), TENANT).user(), "a higher nc is a phone re-registering");
        assertEquals(401, auth.check(register(raw(challenge, "REGISTER", "sip:example.com", "101", "pass101", 2)),
                TENANT).refusal().getStatusCode(), "not lower or equal");
    }

    @Test
    void aRegisterWithoutQopUsesItsNonceOnce() throws Exception {
        String once = authorization("REGISTER", "sip:example.com", "101", "pass101", "192.0.2.5", null);
        assertEquals(Optional.of("101"), auth.check(register(once), TENANT).user());
        assertEquals(401, auth.check(register(once), TENANT).refusal().getStatusCode());
    }

    @Test
    void otherMethodsAreNotCounted() throws Exception {
        String captured = authorization("INVITE", URI_104, "102", "pass102", "192.0.2.5", null);
        assertEquals(Optional.of("102"), auth.check(invite(URI_104, captured, "192.0.2.5"), TENANT).user());
        assertEquals(Optional.of("102"), auth.check(invite(URI_104, captured, "192.0.2.5"), TENANT).user());
    }

    // ------------------------------------------------------------------------------------------ S2 rotation

    @Test
    void theSecretRotatesHourlyAndTheLastHoursNoncesStayValidForTheirLifetime() throws Exception {
        Optional<String> ha1 = Optional.of(DigestAuth.md5("101:example.com:pass101"));
        clock.now = Instant.parse("2026-12-07T10:59:00Z");
        NonceSecrets secrets = new NonceSecrets(() -> null);
        DigestAuth digest = new DigestAuth(clock, secrets);
        String before = digest.nonce("example.com");
        clock.now = Instant.parse("2026-12-07T11:01:00Z");
        String after = digest.nonce("example.com");
        assertTrue(!java.util.Arrays.equals(secrets.forIssuing(Instant.parse("2026-12-07T10:59:00Z").toEpochMilli()),
                secrets.forIssuing(clock.millis())), "a new secret each hour");
        assertEquals(DigestAuth.Verdict.OK, digest.verify(answer(before, "101", "pass101"), "INVITE",
                "example.com", ha1), "10:59's nonce at 11:01: signed with the previous secret");
        clock.now = Instant.parse("2026-12-07T11:05:00Z");
        assertEquals(DigestAuth.Verdict.STALE, digest.verify(answer(before, "101", "pass101"), "INVITE",
                "example.com", ha1), "after its 5 minutes");
        String forged = Long.toHexString(Instant.parse("2026-12-07T11:04:00Z").toEpochMilli())
                + after.substring(after.indexOf('.'));
        assertEquals(DigestAuth.Verdict.FOREIGN_NONCE, digest.verify(answer(forged, "101", "pass101"), "INVITE",
                "example.com", ha1), "a signature does not carry over to another issue time");
    }

    private static Map<String, String> answer(String nonce, String user, String password) {
        String uri = URI_104;
        return Map.of("username", user, "realm", "example.com", "nonce", nonce, "uri", uri, "response",
                DigestAuth.md5(DigestAuth.md5(user + ":example.com:" + password) + ":" + nonce + ":"
                        + DigestAuth.md5("INVITE:" + uri)));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private Request register(String authorization) throws Exception {
        return request("REGISTER", "sip:example.com", "<sip:101@example.com>", authorization == null ? ""
                : "Authorization: " + authorization + "\r\n", "192.0.2.5");
    }

    private static Request invite(String uri, String authorization, String source) throws Exception {
        return request("INVITE", uri, "<sip:102@example.com>", authorization == null ? ""
                : "Authorization: " + authorization + "\r\n", source);
    }

    private Request withCredentials(String user, String password, String source) throws Exception {
        return invite(URI_104, authorization("INVITE", URI_104, user, password, source, null), source);
    }

    /** An RFC 2069 Authorization (no qop) answering a fresh challenge. */
    private String authorization(String method, String uri, String user, String password, String source,
            String unused) throws Exception {
        Response challenge = auth.check(request(method, uri, "<sip:" + user + "@example.com>", "", source), TENANT)
                .refusal();
        Map<String, String> c = DigestAuth.parseCredentials(SipMessages.valueOf(challenge.getHeader(
                "WWW-Authenticate")));
        String nonce = c.get("nonce");
        String response = DigestAuth.md5(DigestAuth.md5(user + ":example.com:" + password) + ":" + nonce + ":"
                + DigestAuth.md5(method + ":" + uri));
        return "Digest username=\"" + user + "\", realm=\"example.com\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\"";
    }

    /** A {@code qop=auth} Authorization with nonce-count {@code nc} answering {@code challenge}. */
    private static String raw(Response challenge, String method, String uri, String user, String password, int nc)
            throws Exception {
        try (RawSipPhone phone = new RawSipPhone("127.0.0.1", user, password)) {
            return phone.authorization(challenge, method, uri, nc);
        }
    }
}
