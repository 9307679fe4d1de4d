package org.callpark.ops.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may read the metrics: the right roles with the right password; a wrong password, no credentials or a user
 * without the roles get nothing but the status; loopback without a login only when switched on (and only from a
 * literal loopback address). Over real HTTP with the real JAAS realm: systests {@code MetricsST}.
 */
class MetricsServletTest {

    private final OpsRegistry ops = new OpsRegistry("org.callpark.test2");
    private final Map<String, String> passwords = Map.of("prometheus", "pw", "karaf", "karaf", "reception", "r",
            "old", "o");
    private final Map<String, Set<String>> roles = Map.of("prometheus", Set.of("callpark-metrics"), "karaf",
            Set.of("callpark-admin"), "reception", Set.of("viewer"), "old", Set.of("admin"));
    private final MetricsServlet.Login login = (user, pw) -> new String(pw).equals(passwords.get(user))
            ? Optional.of(roles.get(user)) : Optional.empty();

    @AfterEach
    void close() {
        ops.deactivate();
    }

    private static OpsSettings settings(boolean anonymousLoopback) {
        return new OpsSettings(anonymousLoopback, OpsSettings.list("callpark-admin,admin,callpark-metrics"), Set.of(),
                "x", OpsSettings.DEFAULT_LIMITS);
    }

    private FakeHttp get(boolean anonymousLoopback, String remote, String user, String password) throws Exception {
        return get(new MetricsServlet(ops, login, settings(anonymousLoopback)), remote, user, password);
    }

    private static FakeHttp get(MetricsServlet servlet, String remote, String user, String password)
            throws Exception {
        FakeHttp http = new FakeHttp();
        http.remote = remote;
        if (user != null) {
            http.requestHeaders.put("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        servlet.doGet(http.request(), http.response());
        return http;
    }

    @Test
    void theRightRolesReadTheMetrics() throws Exception {
        for (String user : new String[] { "prometheus", "karaf", "old" }) {
            FakeHttp http = get(false, "192.0.2.7", user, passwords.get(user));
            assertEquals(200, http.status, user);
            assertTrue(http.text().contains("jvm_memory_used_bytes"), user);
            assertEquals(OpsRegistry.TEXT_004, http.headers.get("Content-Type"));
            assertEquals("nosniff", http.headers.get("X-Content-Type-Options"));
            assertEquals("no-store", http.headers.get("Cache-Control"));
        }
    }

    @Test
    void wrongPasswordNoCredentialsOrWrongRoleGetNothing() throws Exception {
        FakeHttp wrong = get(false, "192.0.2.7", "prometheus", "nope");
        assertEquals(401, wrong.status);
        assertTrue(wrong.headers.get("WWW-Authenticate").startsWith("Basic "));
        assertEquals("", wrong.text());
        assertEquals(401, get(false, "192.0.2.7", null, null).status);
        FakeHttp viewer = get(false, "192.0.2.7", "reception", "r");
        assertEquals(403, viewer.status);
        assertEquals("", viewer.text());
        assertEquals(401, get(false, "127.0.0.1", null, null).status, "loopback needs a login by default");
    }

    @Test
    void tenWrongPasswordsLockTheSourceOutTheRightOneToo() throws Exception {
        MetricsServlet servlet = new MetricsServlet(ops, login, settings(false));
        for (int i = 0; i < 10; i++) {
            assertEquals(401, get(servlet, "192.0.2.7", "prometheus", "guess" + i).status, "attempt " + i);
        }
        FakeHttp locked = get(servlet, "192.0.2.7", "prometheus", "pw");
        assertEquals(429, locked.status);
        long retryAfter = Long.parseLong(locked.headers.get("Retry-After"));
        assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals("", locked.text());
        assertEquals(200, get(servlet, "192.0.2.8", "prometheus", "pw").status, "another source is not locked");
    }

    @Test
    void anonymousFromLoopbackOnlyWhenOnAndOnlyFromLoopback() throws Exception {
        assertEquals(200, get(true, "127.0.0.1", null, null).status);
        assertEquals(200, get(true, "127.3.4.5", null, null).status);
        assertEquals(200, get(true, "0:0:0:0:0:0:0:1", null, null).status);
        assertEquals(401, get(true, "192.0.2.7", null, null).status);
        assertFalse(MetricsServlet.isLoopback("localhost"), "names are not resolved");
        assertFalse(MetricsServlet.isLoopback("cafe"));
        assertFalse(MetricsServlet.isLoopback(null));
    }
}
