package org.callpark.internal.sip;

import static org.callpark.internal.sip.SipRequestsForTests.TENANT;
import static org.callpark.internal.sip.SipRequestsForTests.directory;
import static org.callpark.internal.sip.SipRequestsForTests.request;
import static org.callpark.internal.sip.SipRequestsForTests.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sip.header.WarningHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.Directory;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.junit.jupiter.api.Test;

/** Who a retrieve, REGISTER or SUBSCRIBE comes from: digest credentials, realm and trusted proxies, without a stack. */
class SipAuthenticatorTest {

    private static final String URI = "sip:*88@example.com";

    private final SipMessages messages = new SipMessages(settings("10.0.0.1"));
    private final SipAuthenticator auth = new SipAuthenticator(messages, CoreAccess.of(null, directory()),
            Clock.systemUTC());

    @Test
    void withoutCredentialsThePhoneIsChallengedInTheTenantsRealm() throws Exception {
        SipAuthenticator.Outcome o = auth.check(request("INVITE", URI, "<sip:102@example.com>", "", "192.0.2.5"),
                TENANT);
        assertTrue(o.user().isEmpty());
        assertEquals(401, o.refusal().getStatusCode());
        String challenge = SipMessages.valueOf(o.refusal().getHeader("WWW-Authenticate"));
        assertTrue(challenge.contains("realm=\"example.com\""), challenge);
        assertTrue(challenge.contains("nonce=\""), challenge);
    }

    @Test
    void theRightPasswordAuthenticatesItsUser() throws Exception {
        assertEquals(Optional.of("102"), answer("102", "pass102").user());
    }

    @Test
    void aWrongPasswordIsRefusedWith403() throws Exception {
        SipAuthenticator.Outcome o = answer("102", "wrong");
        assertTrue(o.user().isEmpty());
        assertEquals(403, o.refusal().getStatusCode());
        String warning = ((WarningHeader) o.refusal().getHeader(WarningHeader.NAME)).getText();
        assertTrue(warning.contains("'102'") && warning.contains("example.com"), warning);
    }

    @Test
    void anUnknownUserIsRefusedLikeAWrongPassword() throws Exception {
        assertEquals(403, answer("999", "pass102").refusal().getStatusCode());
    }

    @Test
    void aTrustedProxysAssertedIdentityIsTheRequester() throws Exception {
        Request r = request("INVITE", URI, "<sip:proxy@example.com>",
                "P-Asserted-Identity: \"Bob\" <sip:102@example.com>\r\n", "10.0.0.1");
        SipAuthenticator.Outcome o = auth.check(r, TENANT);
        assertEquals(Optional.of("102"), o.user());
        assertNull(o.refusal());
    }

    @Test
    void anAssertedIdentityFromAnUntrustedSourceIsIgnored() throws Exception {
        Request r = request("INVITE", URI, "<sip:proxy@example.com>",
                "P-Asserted-Identity: <sip:102@example.com>\r\n", "192.0.2.5");
        assertEquals(401, auth.check(r, TENANT).refusal().getStatusCode());
    }

    @Test
    void aTrustedProxyWithoutAnIdentityIsRefused() throws Exception {
        Request r = request("INVITE", URI, "<sip:example.com>", "", "10.0.0.1");
        assertEquals(403, auth.check(r, TENANT).refusal().getStatusCode());
    }

    @Test
    void theTenantsRealmWinsOverItsDomainAndATenantWithoutDomainsUsesCallpark() throws Exception {
        Tenant withRealm = new Tenant(TenantId.DEFAULT, "Example", List.of("example.com"), "",
                TENANT.recallDefaults(), null, "pbx.example.org");
        Tenant noDomain = new Tenant(TenantId.DEFAULT, "Example", List.of(), "", TENANT.recallDefaults());
        assertEquals("pbx.example.org", challengeRealm(withRealm));
        assertEquals("callpark", challengeRealm(noDomain), "never the Request-URI's host (example.com)");
        assertEquals("example.com", challengeRealm(TENANT));
    }

    @Test
    void aUserKnownOnlyByHa1Authenticates() throws Exception {
        Directory d = new Directory(TenantId.DEFAULT, List.of(TENANT), List.of(new User(TenantId.DEFAULT, "102",
                "Bob", "", "", DigestAuth.md5("102:example.com:pass102"))), List.of(), List.of());
        SipAuthenticator ha1Only = new SipAuthenticator(messages, CoreAccess.of(null, directory(d)),
                Clock.systemUTC());
        assertEquals(Optional.of("102"), ha1Only.check(withCredentials(ha1Only, "102", "pass102"), TENANT).user());
        assertEquals(403, ha1Only.check(withCredentials(ha1Only, "102", "wrong"), TENANT).refusal()
                .getStatusCode());
    }

    private String challengeRealm(Tenant tenant) throws Exception {
        Response challenge = auth.check(request("INVITE", URI, "<sip:102@example.com>", "", "192.0.2.5"), tenant)
                .refusal();
        return DigestAuth.parseCredentials(SipMessages.valueOf(challenge.getHeader("WWW-Authenticate"))).get("realm");
    }

    @Test
    void digestUserOfAParkNeedsValidCredentials() throws Exception {
        assertEquals(Optional.of("102"), auth.digestUser(withCredentials("102", "pass102"), TENANT));
        assertEquals(Optional.empty(), auth.digestUser(withCredentials("102", "wrong"), TENANT));
        assertEquals(Optional.empty(), auth.digestUser(request("INVITE", URI, "<sip:102@example.com>", "",
                "192.0.2.5"), TENANT));
    }

    /** Challenges a request, then answers the challenge as {@code user} with {@code password}. */
    private SipAuthenticator.Outcome answer(String user, String password) throws Exception {
        return auth.check(withCredentials(user, password), TENANT);
    }

    private Request withCredentials(String user, String password) throws Exception {
        return withCredentials(auth, user, password);
    }

    private static Request withCredentials(SipAuthenticator auth, String user, String password) throws Exception {
        Response challenge = auth.check(request("INVITE", URI, "<sip:" + user + "@example.com>", "", "192.0.2.5"),
                TENANT).refusal();
        Map<String, String> c = DigestAuth.parseCredentials(SipMessages.valueOf(challenge.getHeader(
                "WWW-Authenticate")));
        String nonce = c.get("nonce");
        String response = DigestAuth.md5(DigestAuth.md5(user + ":example.com:" + password) + ":" + nonce + ":"
                + DigestAuth.md5("INVITE:" + URI));
        return request("INVITE", URI, "<sip:" + user + "@example.com>", "Authorization: Digest username=\"" + user
                + "\", realm=\"example.com\", nonce=\"" + nonce + "\", uri=\"" + URI + "\", response=\"" + response
                + "\"\r\n", "192.0.2.5");
    }
}
