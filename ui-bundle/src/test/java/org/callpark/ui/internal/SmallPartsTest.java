package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

import org.callpark.api.TenantId;
import org.junit.jupiter.api.Test;

/** Router, roles and tenant scope, sessions, static file paths. */
class SmallPartsTest {

    @Test
    void routerMatchesVariablesAnd404And405() throws Exception {
        Router r = new Router();
        r.add("GET", "/tenants/{t}/park-groups/{name}", x -> ApiResponse.ok("get"));
        r.add("DELETE", "/tenants/{t}/park-groups/{name}", x -> ApiResponse.noContent());
        Router.Match m = r.match("GET", "/tenants/acme/park-groups/Support");
        assertEquals(Map.of("t", "acme", "name", "Support"), m.variables());
        assertFalse(m.isChange());
        assertTrue(r.match("DELETE", "/tenants/acme/park-groups/Support/").isChange());
        assertEquals(404, assertThrows(ApiException.class, () -> r.match("GET", "/tenants/acme")).status());
        ApiException e = assertThrows(ApiException.class, () -> r.match("PUT", "/tenants/a/park-groups/b"));
        assertEquals(405, e.status());
        assertTrue(e.getMessage().contains("DELETE, GET"), e.getMessage());
    }

    @Test
    void rolesAndTenantScope() {
        assertTrue(Fixtures.ADMIN.canEdit());
        assertTrue(Fixtures.ADMIN.sees(TenantId.of("acme")));
        assertFalse(Fixtures.VIEWER.canEdit());
        assertTrue(Fixtures.VIEWER.canRead());
        assertTrue(Fixtures.VIEWER.sees(TenantId.DEFAULT));
        assertTrue(Fixtures.ACME_ADMIN.sees(TenantId.of("acme")));
        assertFalse(Fixtures.ACME_ADMIN.sees(TenantId.DEFAULT));
        Caller nobody = new Caller("ops", Set.of("ssh", "manager"));
        assertFalse(nobody.canRead());
        Caller two = new Caller("x", Set.of("viewer", "callpark-tenant-a", "callpark-tenant-b", "callpark-tenant-"));
        assertEquals(Set.of("a", "b"), two.tenantScope());
        assertFalse(two.sees(TenantId.of("c")));
    }

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
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

    @Test
    void sessionsExpireWhenIdleAndAfterMaxAgeAndOnLogout() {
        TestClock clock = new TestClock();
        Sessions s = new Sessions(clock);
        String a = s.open(Fixtures.ADMIN);
        assertTrue(a.length() >= 43, "256 random bits");
        assertEquals(Fixtures.ADMIN, s.find(a).orElseThrow());
        clock.now = clock.now.plus(Sessions.IDLE.minusSeconds(1));
        assertTrue(s.find(a).isPresent(), "activity keeps it");
        clock.now = clock.now.plus(Sessions.IDLE.plusSeconds(1));
        assertTrue(s.find(a).isEmpty(), "idle too long");
        String b = s.open(Fixtures.VIEWER);
        for (int i = 0; i < 30; i++) {
            clock.now = clock.now.plus(Duration.ofMinutes(25));
            s.find(b);
        }
        assertTrue(s.find(b).isEmpty(), "at most MAX_AGE even when active");
        String c = s.open(Fixtures.VIEWER);
        s.close(c);
        assertTrue(s.find(c).isEmpty());
        assertTrue(s.find(null).isEmpty());
        assertTrue(s.find("forged").isEmpty());
    }

    @Test
    void staticFilePaths() {
        assertEquals("index.html", StaticFilesServlet.resource("/"));
        assertEquals("app.js", StaticFilesServlet.resource("/app.js"));
        assertEquals("css/x.css", StaticFilesServlet.resource("/css/x.css"));
        for (String bad : new String[] { "/../pom.xml", "/a/../../x.js", "/.hidden.js", "/dir/", "/x.class",
                "/OSGI-INF/x.xml", "/a\\b.js", "//x.js", "/noext" }) {
            assertNull(StaticFilesServlet.resource(bad), bad);
        }
        assertEquals("text/javascript; charset=UTF-8", StaticFilesServlet.type("app.js"));
    }
}
