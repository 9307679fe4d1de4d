package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.callpark.api.SlotId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The role matrix through the real servlet (routing, role check, resources, the fixtures' park service and
 * directory): callpark-admin / callpark-operator / callpark-viewer, each also scoped to tenant acme, and the old names
 * admin / viewer, against read, hang up, send to, park group edit, the event stream, and the session's flags the page
 * shows its buttons by. Only the JAAS login is replaced (a map of users; the password is the user name).
 */
class RoleMatrixTest {

    private static final Map<String, Set<String>> USERS = Map.of(
            "karaf", Set.of("callpark-admin", "admin", "viewer", "ssh"),
            "reception", Set.of("callpark-operator", "ssh"),
            "auditor", Set.of("callpark-viewer", "ssh"),
            "acme", Set.of("callpark-admin", "callpark-tenant-acme"),
            "acmeop", Set.of("callpark-operator", "callpark-tenant-acme"),
            "acmeview", Set.of("callpark-viewer", "callpark-tenant-acme"),
            "oldadmin", Set.of("admin"),
            "oldviewer", Set.of("viewer"),
            "ops", Set.of("ssh", "manager"));

    private final List<EventStreams> streams = new ArrayList<>();
    private Fixtures.Park park;
    private List<String> sent;
    private Fixtures.Directories directories;

    @AfterEach
    void stop() {
        streams.forEach(EventStreams::deactivate);
    }

    /** A fresh server with one parked call in each tenant: d1 (default, 101) and a1 (acme, 201). */
    private ApiServlet server() {
        park = new Fixtures.Park();
        park.calls.add(Fixtures.parked("d1", SlotId.extension(Fixtures.DEFAULT, "101"), 1));
        park.calls.add(Fixtures.parked("a1", SlotId.extension(Fixtures.ACME, "201"), 1));
        sent = new ArrayList<>();
        directories = new Fixtures.Directories();
        EventStreams s = new EventStreams(directories, Duration.ofSeconds(5));
        streams.add(s);
        return new ApiServlet(directories, park, s, (user, password) -> USERS.containsKey(user)
                && user.equals(new String(password)) ? Optional.of(new Caller(user, USERS.get(user))) : Optional.empty(),
                new Sessions(Clock.systemUTC()), (call, ext, ringFor) -> sent.add(call.id() + "->" + ext));
    }

    private record Answer(int status, String body) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(body);
        }
    }

    /** Each cell runs against a fresh server, so one allowed change cannot hide the next cell's refusal. */
    private int status(String user, String method, String path, String body) throws IOException {
        return call(server(), user, method, path, body).status;
    }

    private static Answer call(ApiServlet servlet, String user, String method, String path, String body)
            throws IOException {
        Map<String, String> headers = new HashMap<>();
        headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user)
                .getBytes(StandardCharsets.UTF_8)));
        byte[] in = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        HttpServletRequest req = (HttpServletRequest) Proxy.newProxyInstance(RoleMatrixTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getPathInfo" -> path;
                    case "getHeader" -> headers.get((String) a[0]);
                    case "getContentType" -> body == null ? null : "application/json";
                    case "getInputStream" -> input(in);
                    case "getParameterMap" -> Map.of();
                    case "getParameter", "getCookies" -> null;
                    case "getRemoteAddr" -> "127.0.0.1";
                    case "isSecure" -> false;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] status = {0};
        HttpServletResponse res = (HttpServletResponse) Proxy.newProxyInstance(RoleMatrixTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> switch (m.getName()) {
                    case "setStatus" -> {
                        status[0] = (Integer) a[0];
                        yield null;
                    }
                    case "getOutputStream" -> output(out);
                    case "isCommitted" -> false;
                    case "reset" -> {
                        out.reset();
                        yield null;
                    }
                    case "setHeader", "addHeader", "setContentType", "setCharacterEncoding", "setContentLength" -> null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        servlet.service(req, res);
        return new Answer(status[0], out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void readHangUpSendAndGroupEditPerRole() throws IOException {
        String group = "{\"name\":\"Ops\",\"members\":[\"104\"]}";
        String send = "{\"extension\":\"104\"}";
        // user, GET /calls, DELETE call, POST send, POST park group, DELETE park group
        record Row(String user, int read, int hangUp, int sendTo, int create, int delete) {
        }
        List<Row> rows = List.of(
                new Row("karaf", 200, 204, 202, 201, 204),
                new Row("reception", 200, 204, 202, 403, 403),
                new Row("auditor", 200, 403, 403, 403, 403),
                new Row("oldadmin", 200, 204, 202, 201, 204),
                new Row("oldviewer", 200, 403, 403, 403, 403),
                new Row("ops", 403, 403, 403, 403, 403));
        for (Row r : rows) {
            assertEquals(r.read, status(r.user, "GET", "/calls", null), r.user + " GET /calls");
            assertEquals(r.hangUp, status(r.user, "DELETE", "/tenants/default/calls/d1", null), r.user + " hang up");
            assertEquals(r.sendTo, status(r.user, "POST", "/tenants/default/calls/d1/send", send), r.user + " send");
            assertEquals(r.create, status(r.user, "POST", "/tenants/default/park-groups", group), r.user + " create");
            assertEquals(r.delete, status(r.user, "DELETE", "/tenants/default/park-groups/Sales", null),
                    r.user + " delete group");
        }
    }

    @Test
    void aRefusedActionChangesNothing() throws IOException {
        ApiServlet s = server();
        Answer a = call(s, "auditor", "DELETE", "/tenants/default/calls/d1", null);
        assertEquals(403, a.status);
        assertTrue(a.body.contains("callpark-operator"), "names the role needed: " + a.body);
        assertEquals(403, call(s, "reception", "POST", "/tenants/default/park-groups",
                "{\"name\":\"Ops\",\"members\":[\"104\"]}").status);
        assertEquals(403, call(s, "auditor", "POST", "/tenants/default/calls/d1/send", "{\"extension\":\"104\"}")
                .status);
        assertEquals(List.of(), park.ended);
        assertEquals(List.of(), sent);
        assertEquals(List.of(), directories.updates);
        assertEquals(204, call(s, "reception", "DELETE", "/tenants/default/calls/d1", null).status);
        assertEquals(List.of("d1:FORCED"), park.ended);
    }

    @Test
    void tenantScopeHoldsForEveryRole() throws IOException {
        for (String user : List.of("acme", "acmeop", "acmeview")) {
            JsonNode calls = call(server(), user, "GET", "/calls", null).json();
            assertEquals(1, calls.size(), user);
            assertEquals("a1", calls.get(0).path("id").asText(), user);
            assertEquals(404, status(user, "GET", "/tenants/default/calls", null), user);
            int act = user.equals("acmeview") ? 403 : 404; // the role check comes first; then default is absent
            assertEquals(act, status(user, "DELETE", "/tenants/default/calls/d1", null), user);
            assertEquals(act, status(user, "POST", "/tenants/default/calls/d1/send", "{\"extension\":\"104\"}"), user);
        }
        assertEquals(204, status("acmeop", "DELETE", "/tenants/acme/calls/a1", null));
        assertEquals(202, status("acmeop", "POST", "/tenants/acme/calls/a1/send", "{\"extension\":\"202\"}"));
        assertEquals(403, status("acmeop", "DELETE", "/tenants/acme/park-groups/Support", null));
        assertEquals(403, status("acmeview", "DELETE", "/tenants/acme/calls/a1", null));
        assertEquals(404, status("acme", "DELETE", "/tenants/default/park-groups/Sales", null));
    }

    @Test
    void tenantSettingsAreReadByEveryRoleAndChangedByAdminsOfTheTenant() throws IOException {
        String body = "{\"parkCode\":\"70\",\"retrieveCode\":\"71\",\"language\":\"de\"}";
        for (String user : List.of("karaf", "reception", "auditor", "acmeview")) {
            assertEquals(200, status(user, "GET", "/tenants/acme/settings", null), user + " GET settings");
        }
        for (String user : List.of("reception", "auditor", "oldviewer", "acmeop", "acmeview")) {
            assertEquals(403, status(user, "PUT", "/tenants/acme/settings", body), user + " PUT settings");
            assertEquals(List.of(), directories.updates, user);
        }
        assertEquals(200, status("karaf", "PUT", "/tenants/acme/settings", body));
        assertEquals(200, status("acme", "PUT", "/tenants/acme/settings", body));
        assertEquals("de", directories.current().tenant(Fixtures.ACME).orElseThrow().language());
        assertEquals(404, status("acme", "PUT", "/tenants/default/settings", body), "another tenant: absent");
        assertEquals(404, status("acmeview", "GET", "/tenants/default/settings", null));
    }

    @Test
    void theEventStreamNeedsAReadRole() throws IOException {
        assertEquals(403, status("ops", "GET", "/events", null));
    }

    @Test
    void theSessionTellsThePageWhichButtonsToShow() throws IOException {
        JsonNode admin = call(server(), "karaf", "GET", "/session", null).json();
        assertTrue(admin.path("canEdit").asBoolean());
        assertTrue(admin.path("canOperate").asBoolean());
        JsonNode operator = call(server(), "reception", "GET", "/session", null).json();
        assertFalse(operator.path("canEdit").asBoolean());
        assertTrue(operator.path("canOperate").asBoolean());
        JsonNode viewer = call(server(), "auditor", "GET", "/session", null).json();
        assertFalse(viewer.path("canEdit").asBoolean());
        assertFalse(viewer.path("canOperate").asBoolean());
        assertEquals("[\"acme\"]", call(server(), "acmeop", "GET", "/session", null).json().path("tenants")
                .toString());
    }

    @Test
    void theSessionNamesTheExtensionAndParkGroupTheUserIsLinkedToInTheTenantsItSees() throws IOException {
        JsonNode links = call(server(), "reception", "GET", "/session", null).json().path("links");
        assertEquals("[{\"tenant\":\"default\",\"extension\":\"102\",\"displayName\":\"Alice\","
                + "\"parkGroup\":\"Sales\"}]", links.toString());
        assertEquals("[]", call(server(), "karaf", "GET", "/session", null).json().path("links").toString());
        // acmeop linked in both tenants (a login may have one extension per tenant): only acme's link is shown
        ApiServlet s = server();
        directories.current = Fixtures.linked(Fixtures.linked(directories.current, Fixtures.DEFAULT, "104", "acmeop"),
                Fixtures.ACME, "203", "acmeop");
        assertEquals("[{\"tenant\":\"acme\",\"extension\":\"203\",\"displayName\":\"Mike\","
                + "\"parkGroup\":null}]", call(s, "acmeop", "GET", "/session", null).json().path("links").toString());
    }

    @Test
    void sendToMeNeedsTheOperatorRoleAndALink() throws IOException {
        String me = "{\"to\":\"me\"}";
        Answer reception = call(server(), "reception", "POST", "/tenants/default/calls/d1/send", me);
        assertEquals(202, reception.status);
        assertEquals("102", reception.json().path("extension").asText());
        assertEquals(List.of("d1->102"), sent);
        // a viewer linked to an extension still may not act on calls
        ApiServlet s = server();
        directories.current = Fixtures.linked(directories.current, Fixtures.DEFAULT, "104", "auditor");
        Answer auditor = call(s, "auditor", "POST", "/tenants/default/calls/d1/send", me);
        assertEquals(403, auditor.status);
        assertTrue(auditor.body.contains("callpark-operator"), auditor.body);
        Answer karaf = call(server(), "karaf", "POST", "/tenants/default/calls/d1/send", me);
        assertEquals(409, karaf.status);
        assertEquals("NOT_LINKED", karaf.json().path("error").asText());
        assertEquals(409, status("acmeop", "POST", "/tenants/acme/calls/a1/send", me), "acmeop has no link");
        assertEquals(404, status("acmeop", "POST", "/tenants/default/calls/d1/send", me), "default is not acmeop's");
        assertEquals(List.of(), sent, "nothing rang after the first");
    }

    @Test
    void oldRoleNamesWarnOncePerUser() {
        RoleCheck check = new RoleCheck();
        Caller old = new Caller("oldadmin", USERS.get("oldadmin"));
        assertTrue(old.reliesOnLegacyRoles());
        assertTrue(check.check(old));
        assertFalse(check.check(old), "once per user");
        assertTrue(check.check(new Caller("oldviewer", USERS.get("oldviewer"))));
        assertFalse(new Caller("karaf", USERS.get("karaf")).reliesOnLegacyRoles(), "has callpark-admin too");
        assertFalse(check.check(new Caller("reception", USERS.get("reception"))));
        // an operator who also has Karaf's viewer: the new role already gives more
        assertFalse(new Caller("x", Set.of("callpark-operator", "viewer")).reliesOnLegacyRoles());
        // a viewer who also has Karaf's admin: admin gives more, warn
        assertTrue(new Caller("y", Set.of("callpark-viewer", "admin")).reliesOnLegacyRoles());
    }

    private static ServletInputStream input(byte[] bytes) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        return new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
            }
        };
    }

    private static ServletOutputStream output(ByteArrayOutputStream out) {
        return new ServletOutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }
        };
    }
}
