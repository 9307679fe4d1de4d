package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The REST API {@code /callpark/api/v1} of the running assembly, over real HTTP with {@link HttpClient}: logins
 * against the Karaf JAAS realm (demo users karaf/callpark-admin, reception/callpark-operator, auditor/callpark-viewer,
 * acme/callpark-admin of tenant acme only), park group CRUD with every directory rule, the calls of a real SIP call
 * parked by sipp, hang up, and the SSE stream; the same roles in the shell ({@code bin/client -u auditor}), the log
 * pattern's MDC keys, and {@code park:sip-trace}.
 */
class RestApiST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer();

    private static final String BASE = "http://127.0.0.1:" + AssemblyServer.HTTP_PORT + "/callpark/api/v1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final List<Sse> STREAMS = new ArrayList<>();

    record Answer(int status, JsonNode json, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        /** The {@code field} of each violation, in order. */
        List<String> fields() {
            List<String> f = new ArrayList<>();
            json.path("violations").forEach(v -> f.add(v.path("field").asText(null)));
            return f;
        }

        @Override
        public String toString() {
            return status + " " + raw.body();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static final String KARAF = basic("karaf", "karaf");
    private static final String RECEPTION = basic("reception", "reception");
    private static final String AUDITOR = basic("auditor", "auditor");
    private static final String ACME = basic("acme", "acme");

    /** One request; {@code headers} are name/value pairs. */
    private static Answer call(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : BASE + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/json") && !r.body().isEmpty()) {
            json = JSON.readTree(r.body());
        }
        return new Answer(r.statusCode(), json, r);
    }

    private static Answer as(String auth, String method, String path, String body) throws Exception {
        return call(method, path, body, "Authorization", auth);
    }

    // --- auth ---

    @Test
    void everyEndpointNeedsCredentialsAndWrongOnesAre401() throws Exception {
        for (String path : List.of("/tenants", "/calls", "/tenants/default/park-groups", "/tenants/default/users",
                "/session", "/events")) {
            Answer a = call("GET", path, null);
            assertEquals(401, a.status(), path + ": " + a);
            assertEquals("UNAUTHENTICATED", a.json().path("error").asText(), path);
            assertNotNull(a.header("WWW-Authenticate"), "curl and scripts are told to use Basic");
            Answer page = call("GET", path, null, "X-Requested-With", "callpark");
            assertEquals(401, page.status());
            assertNull(page.header("WWW-Authenticate"), "the page gets no browser login dialog");
        }
        // An EventSource reconnecting after its session ended sends neither our header nor credentials
        Answer stream = call("GET", "/events", null, "Accept", "text/event-stream", "Cookie", "CALLPARK_SESSION=gone");
        assertEquals(401, stream.status());
        assertNull(stream.header("WWW-Authenticate"), "an event stream gets no browser login dialog");
        assertEquals(401, as(basic("karaf", "wrong"), "GET", "/tenants", null).status());
        assertEquals(401, as(basic("nobody", "karaf"), "GET", "/tenants", null).status());
        Answer login = call("POST", "/session", "{\"user\":\"karaf\",\"password\":\"nope\"}");
        assertEquals(401, login.status(), login.toString());
        assertNull(login.header("Set-Cookie"));
        assertEquals(401, call("GET", "/tenants", null, "Cookie", "CALLPARK_SESSION=forged").status());
        assertEquals(401, call("DELETE", "/tenants/default/park-groups/Sales", null).status());
        assertEquals(200, as(KARAF, "GET", "/tenants/default/park-groups/Sales", null).status(), "still there");
        assertEquals(405, as(KARAF, "POST", "/events", "{}").status());
        assertEquals(405, as(KARAF, "PATCH", "/tenants/default/park-groups/Sales", "{}").status());
        assertEquals(404, as(KARAF, "GET", "/nothing/here", null).status());
    }

    private static String login(String user, String password) throws Exception {
        Answer a = call("POST", "/session", "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}");
        assertEquals(200, a.status(), a.toString());
        String cookie = a.header("Set-Cookie");
        assertNotNull(cookie);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/callpark"),
                cookie);
        return cookie.substring(0, cookie.indexOf(';'));
    }

    @Test
    void sessionLoginCsrfGuardAndLogout() throws Exception {
        Answer a = call("POST", "/session", "{\"user\":\"karaf\",\"password\":\"karaf\"}");
        assertEquals("karaf", a.json().path("user").asText());
        assertTrue(a.json().path("canEdit").asBoolean());
        assertTrue(a.json().path("roles").toString().contains("\"callpark-admin\""), a.toString());
        assertTrue(a.json().path("canOperate").asBoolean());
        assertEquals("[\"acme\",\"default\"]", a.json().path("tenants").toString());
        String cookie = login("karaf", "karaf");

        Answer me = call("GET", "/session", null, "Cookie", cookie);
        assertEquals(200, me.status());
        assertEquals("karaf", me.json().path("user").asText());
        assertEquals(200, call("GET", "/tenants", null, "Cookie", cookie).status());

        String group = "{\"name\":\"CookieGroup\",\"members\":[\"106\"]}";
        Answer noHeader = call("POST", "/tenants/default/park-groups", group, "Cookie", cookie);
        assertEquals(403, noHeader.status(), "a change by cookie without X-Requested-With: " + noHeader);
        assertEquals(404, as(KARAF, "GET", "/tenants/default/park-groups/CookieGroup", null).status());
        Answer withHeader = call("POST", "/tenants/default/park-groups", group, "Cookie", cookie,
                "X-Requested-With", "callpark");
        assertEquals(201, withHeader.status(), withHeader.toString());
        assertEquals(204, call("DELETE", "/tenants/default/park-groups/cookiegroup", null, "Cookie", cookie,
                "X-Requested-With", "callpark").status());

        assertEquals(204, call("DELETE", "/session", null, "Cookie", cookie).status());
        assertEquals(401, call("GET", "/session", null, "Cookie", cookie).status(), "logged out");
        assertEquals(401, call("GET", "/tenants", null, "Cookie", cookie).status());

        Answer operator = call("POST", "/session", "{\"user\":\"reception\",\"password\":\"reception\"}");
        assertFalse(operator.json().path("canEdit").asBoolean());
        assertTrue(operator.json().path("canOperate").asBoolean(), "the board shows reception its buttons");
        assertEquals("[\"acme\",\"default\"]", operator.json().path("tenants").toString());
        Answer viewer = call("POST", "/session", "{\"user\":\"auditor\",\"password\":\"auditor\"}");
        assertFalse(viewer.json().path("canEdit").asBoolean());
        assertFalse(viewer.json().path("canOperate").asBoolean());
        Answer acme = call("POST", "/session", "{\"user\":\"acme\",\"password\":\"acme\"}");
        assertTrue(acme.json().path("canEdit").asBoolean());
        assertFalse(acme.json().path("roles").toString().contains("\"admin\""), "no Karaf admin: " + acme);
    }

    @Test
    void viewerReadsButCannotChange_operatorCannotChangeGroups() throws Exception {
        for (String who : List.of(AUDITOR, RECEPTION)) {
            assertEquals(200, as(who, "GET", "/tenants", null).status());
            assertEquals(200, as(who, "GET", "/tenants/default/park-groups", null).status());
            assertEquals(200, as(who, "GET", "/tenants/acme/users", null).status());
            assertEquals(200, as(who, "GET", "/calls", null).status());
            List<Answer> refused = new ArrayList<>(List.of(
                    as(who, "POST", "/tenants/default/park-groups", "{\"name\":\"Viewers\",\"members\":[\"106\"]}"),
                    as(who, "PUT", "/tenants/default/park-groups/Sales", "{\"name\":\"Sales\",\"retries\":5}"),
                    as(who, "DELETE", "/tenants/default/park-groups/Sales", null)));
            if (who.equals(AUDITOR)) {
                refused.add(as(who, "DELETE", "/tenants/default/calls/any", null));
                refused.add(as(who, "POST", "/tenants/default/calls/any/send", "{\"extension\":\"104\"}"));
            } else { // an operator may act on calls: this one does not exist
                assertEquals(404, as(who, "DELETE", "/tenants/default/calls/any", null).status());
            }
            for (Answer a : refused) {
                assertEquals(403, a.status(), a.toString());
                assertEquals("NOT_PERMITTED", a.json().path("error").asText());
                assertTrue(a.json().path("message").asText().contains("callpark-"), "names the role: " + a);
            }
        }
        JsonNode sales = as(KARAF, "GET", "/tenants/default/park-groups/Sales", null).json();
        assertEquals(3, sales.path("retries").asInt(), "unchanged");
        assertEquals(404, as(KARAF, "GET", "/tenants/default/park-groups/Viewers", null).status());
        String cookie = login("reception", "reception");
        assertEquals(403, call("DELETE", "/tenants/default/park-groups/Sales", null, "Cookie", cookie,
                "X-Requested-With", "callpark").status());
    }

    @Test
    void aTenantAdminSeesAndChangesOnlyItsTenant() throws Exception {
        Answer tenants = as(ACME, "GET", "/tenants", null);
        assertEquals(1, tenants.json().size(), tenants.toString());
        assertEquals("acme", tenants.json().get(0).path("id").asText());
        for (Answer a : List.of(as(ACME, "GET", "/tenants/default", null),
                as(ACME, "GET", "/tenants/default/users", null),
                as(ACME, "GET", "/tenants/default/park-groups", null),
                as(ACME, "GET", "/tenants/default/park-groups/Sales", null),
                as(ACME, "GET", "/tenants/default/calls", null),
                as(ACME, "PUT", "/tenants/default/park-groups/Sales", "{\"retries\":1}"),
                as(ACME, "DELETE", "/tenants/default/park-groups/Sales", null),
                as(ACME, "POST", "/tenants/default/park-groups", "{\"name\":\"Evil\",\"members\":[\"106\"]}"))) {
            assertEquals(404, a.status(), "another tenant is as absent as a missing one: " + a);
            assertEquals("tenant 'default' does not exist", a.json().path("message").asText());
        }
        assertEquals(404, as(ACME, "GET", "/tenants/nosuch/users", null).status());
        assertEquals(3, as(KARAF, "GET", "/tenants/default/park-groups/Sales", null).json().path("retries").asInt());
        assertEquals(404, as(KARAF, "GET", "/tenants/default/park-groups/Evil", null).status());

        Answer created = as(ACME, "POST", "/tenants/acme/park-groups",
                "{\"name\":\"AcmeDesk\",\"members\":[\"203\"],\"recallTo\":\"USER_ONLY\"}");
        assertEquals(201, created.status(), created.toString());
        assertEquals(204, as(ACME, "DELETE", "/tenants/acme/park-groups/AcmeDesk", null).status());
        Answer fromAcme = as(ACME, "POST", "/tenants/acme/park-groups",
                "{\"name\":\"Steal\",\"members\":[\"101\"]}");
        assertEquals(400, fromAcme.status(), "101 is a user of default, not of acme");
        assertEquals(List.of("members"), fromAcme.fields());
    }

    // --- park group CRUD and every directory rule ---

    /** POSTs an invalid group and expects 400 with exactly these violation fields. */
    private static void refused(String body, String... fields) throws Exception {
        Answer a = as(KARAF, "POST", "/tenants/default/park-groups", body);
        assertEquals(400, a.status(), body + " -> " + a);
        assertEquals("INVALID_ARGUMENT", a.json().path("error").asText());
        assertEquals(List.of(fields), a.fields(), body + " -> " + a);
        a.json().path("violations").forEach(v -> assertFalse(v.path("message").asText().isBlank()));
    }

    @Test
    void parkGroupCrudWithEveryValidationRule() throws Exception {
        String ok = "\"recallTo\":\"USER_ONLY\",\"ringDurationSeconds\":20,\"waitBeforeRingGroupSeconds\":10,"
                + "\"retries\":2";
        refused("{\"name\":\"sales\"," + ok + "}", "name");                         // duplicate (case-insensitive)
        refused("{\"name\":\"\"," + ok + "}", "name");                              // blank
        refused("{\"name\":\"Two words\"," + ok + "}", "name");                     // not a SIP/JID-safe name
        refused("{\"name\":\"Ops\",\"members\":[\"201\"]," + ok + "}", "members");  // another tenant's user
        refused("{\"name\":\"Ops\",\"members\":[\"101\"]," + ok + "}", "members");  // already in Sales
        refused("{\"name\":\"Ops\",\"members\":[\"999\"]," + ok + "}", "members");  // unknown
        refused("{\"name\":\"Ops\",\"members\":[\"104\",\"104\"]," + ok + "}", "members"); // twice
        refused("{\"name\":\"Ops\",\"recallTo\":\"USER_ONLY\",\"retries\":0}", "retries");
        refused("{\"name\":\"Ops\",\"recallTo\":\"USER_ONLY\",\"retries\":11}", "retries");
        refused("{\"name\":\"Ops\",\"recallTo\":\"USER_ONLY\",\"ringDurationSeconds\":0}", "ringDurationSeconds");
        refused("{\"name\":\"Ops\",\"recallTo\":\"USER_ONLY\",\"ringDurationSeconds\":-30}", "ringDurationSeconds");
        refused("{\"name\":\"Ops\",\"recallTo\":\"USER_ONLY\",\"waitBeforeRingGroupSeconds\":0}",
                "waitBeforeRingGroupSeconds");
        refused("{\"name\":\"Ops\",\"recallTo\":\"RING_GROUP_ONLY\"}", "ringGroup");
        refused("{\"name\":\"Ops\",\"recallTo\":\"USER_THEN_RING_GROUP\"}", "ringGroup");
        refused("{\"name\":\"Ops\",\"recallTo\":\"RING_GROUP_ONLY\",\"ringGroup\":\"Nobody\"}", "ringGroup");
        refused("{\"name\":\"Ops\",\"recallTo\":\"RING_GROUP_ONLY\",\"ringGroup\":\"Front\"}", "ringGroup"); // acme's
        refused("{\"name\":\"Ops\",\"number\":\"700\"," + ok + "}", "number");      // Sales' number
        refused("{\"name\":\"Ops\",\"number\":\"101\"," + ok + "}", "number");      // Bob's extension
        refused("{\"name\":\"Ops\",\"recallTo\":\"LATER\"}", "recallTo");
        refused("{\"name\":\"Ops\",\"retries\":\"many\"}", "retries");
        refused("{\"name\":\"Ops\",\"colour\":\"red\"}", "colour");
        refused("{\"name\":\"Ops\",\"members\":[\"999\"],\"retries\":0,\"recallTo\":\"RING_GROUP_ONLY\"}",
                "members", "retries", "ringGroup");                                   // all at once
        Answer malformed = as(KARAF, "POST", "/tenants/default/park-groups", "{\"name\":");
        assertEquals(400, malformed.status());
        assertTrue(malformed.json().path("message").asText().startsWith("malformed JSON"), malformed.toString());
        Answer notJson = call("POST", "/tenants/default/park-groups", null, "Authorization", KARAF);
        assertEquals(415, notJson.status(), notJson.toString());
        assertEquals(1, as(KARAF, "GET", "/tenants/default/park-groups", null).json().size(), "nothing applied");

        // create
        Answer created = as(KARAF, "POST", "/tenants/default/park-groups",
                "{\"name\":\"Ops\",\"number\":\"710\",\"members\":[\"104\",\"105\"],\"recallTo\":"
                        + "\"USER_THEN_RING_GROUP\",\"ringGroup\":\"Reception\",\"ringDurationSeconds\":20,"
                        + "\"waitBeforeRingGroupSeconds\":10,\"retries\":2}");
        assertEquals(201, created.status(), created.toString());
        assertEquals("/callpark/api/v1/tenants/default/park-groups/Ops", created.header("Location"));
        assertEquals("{\"name\":\"Ops\",\"number\":\"710\",\"recallTo\":\"USER_THEN_RING_GROUP\",\"ringGroup\":"
                + "\"Reception\",\"ringDurationSeconds\":20,\"waitBeforeRingGroupSeconds\":10,\"retries\":2,"
                + "\"members\":[\"104\",\"105\"],\"disabled\":false,\"parkedCalls\":0,\"alertInfo\":\"\","
                + "\"callerIdPrefix\":\"\",\"finalDestination\":\"\"}", created.json().toString());
        assertEquals(created.json(), as(KARAF, "GET", "http://127.0.0.1:" + AssemblyServer.HTTP_PORT
                + created.header("Location"), null).json());
        assertEquals("Ops", userGroup("104"));
        awaitConfigFile("parkgroup.default.Ops.members");
        assertTrue(SERVER.shell("park:groups").contains("Ops"), "the park service sees the new group");

        // rename and change
        Answer renamed = as(KARAF, "PUT", "/tenants/default/park-groups/OPS",
                "{\"name\":\"Desk\",\"number\":\"\",\"members\":[\"104\"],\"recallTo\":\"USER_ONLY\","
                        + "\"ringDurationSeconds\":15,\"waitBeforeRingGroupSeconds\":10,\"retries\":4,"
                        + "\"alertInfo\":\"<http://pbx/ring/desk>\",\"callerIdPrefix\":\"Desk:\","
                        + "\"finalDestination\":\"ringgroup:Reception\"}");
        assertEquals(200, renamed.status(), renamed.toString());
        assertEquals("ringgroup:Reception", renamed.json().path("finalDestination").asText());
        assertEquals("<http://pbx/ring/desk>", renamed.json().path("alertInfo").asText());
        assertEquals("Desk:", renamed.json().path("callerIdPrefix").asText());
        awaitConfigFile("Desk:");
        assertEquals("Desk", renamed.json().path("name").asText());
        assertEquals(4, renamed.json().path("retries").asInt());
        assertTrue(renamed.json().path("ringGroup").isNull());
        assertEquals(404, as(KARAF, "GET", "/tenants/default/park-groups/Ops", null).status());
        assertEquals(15, as(KARAF, "GET", "/tenants/default/park-groups/desk", null).json()
                .path("ringDurationSeconds").asInt());
        assertNull(userGroup("105"), "105 left the group");
        Answer badPut = as(KARAF, "PUT", "/tenants/default/park-groups/Desk", "{\"name\":\"Desk\",\"retries\":11}");
        assertEquals(List.of("retries"), badPut.fields());
        Answer badLabels = as(KARAF, "PUT", "/tenants/default/park-groups/Desk",
                "{\"name\":\"Desk\",\"alertInfo\":\"loud\",\"callerIdPrefix\":\"say \\\"hi\\\"\"}");
        assertEquals(List.of("alertInfo", "callerIdPrefix"), badLabels.fields(), badLabels.toString());
        assertEquals("Desk:", as(KARAF, "GET", "/tenants/default/park-groups/Desk", null).json()
                .path("callerIdPrefix").asText(), "a refused change keeps the group as it was");
        Answer badFinal = as(KARAF, "PUT", "/tenants/default/park-groups/Desk",
                "{\"name\":\"Desk\",\"finalDestination\":\"sip:op@pbx.example.net?Route=%3Csip:x%3E\"}");
        assertEquals(List.of("finalDestination"), badFinal.fields(), badFinal.toString());
        assertEquals("ringgroup:Reception", as(KARAF, "GET", "/tenants/default/park-groups/Desk", null).json()
                .path("finalDestination").asText(), "a refused destination keeps the group's");
        awaitConfigFile("parkgroup.default.Desk.finalDestination");
        Answer ontoSales = as(KARAF, "PUT", "/tenants/default/park-groups/Desk", "{\"name\":\"SALES\"}");
        assertEquals(List.of("name"), ontoSales.fields());
        assertEquals(404, as(KARAF, "PUT", "/tenants/default/park-groups/Nope", "{\"name\":\"Nope\"}").status());

        // delete
        assertEquals(204, as(KARAF, "DELETE", "/tenants/default/park-groups/Desk", null).status());
        assertEquals(404, as(KARAF, "GET", "/tenants/default/park-groups/Desk", null).status());
        assertEquals(404, as(KARAF, "DELETE", "/tenants/default/park-groups/Desk", null).status());
        assertNull(userGroup("104"));
        assertEquals(1, as(KARAF, "GET", "/tenants/default/park-groups", null).json().size());
    }

    private static String userGroup(String extension) throws Exception {
        for (JsonNode u : as(KARAF, "GET", "/tenants/default/users", null).json()) {
            if (u.path("extension").asText().equals(extension)) {
                assertFalse(u.has("password") || u.toString().contains("pass" + extension), "no SIP password");
                return u.path("parkGroup").isNull() ? null : u.path("parkGroup").asText();
            }
        }
        throw new AssertionError("no user " + extension);
    }

    /** The change was persisted to the directory's file in etc/ (FileInstall writes ConfigAdmin changes back). */
    private static void awaitConfigFile(String text) throws Exception {
        var file = SERVER.home().resolve("etc/org.callpark.directory.cfg");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.readString(file).contains(text)) {
            assertTrue(System.currentTimeMillis() < deadline, "etc/org.callpark.directory.cfg has no " + text);
            Thread.sleep(200);
        }
    }

    /**
     * Tenant settings (issue 16): overlapping codes are refused naming the field, with the directory file's rules; a
     * valid PUT is written to etc/org.callpark.directory.cfg and its park code parks a real SIP call in acme.
     */
    @Test
    void tenantSettingsAreValidatedLikeTheFileSavedAndTheNewCodeParks() throws Exception {
        try {
            Answer same = as(ACME, "PUT", "/tenants/acme/settings", "{\"parkCode\":\"70\",\"retrieveCode\":\"70\"}");
            assertEquals(400, same.status(), same.toString());
            assertEquals(List.of("retrieveCode"), same.fields(), same.toString());
            assertEquals("tenant.acme.retrieveCode", same.json().path("violations").get(0).path("key").asText());
            Answer ext = as(ACME, "PUT", "/tenants/acme/settings", "{\"parkCode\":\"20\",\"language\":\"de_DE\"}");
            assertEquals(List.of("parkCode", "language"), ext.fields(), ext.toString());
            assertEquals("*68", as(ACME, "GET", "/tenants/acme/settings", null).json().path("parkCode").asText(),
                    "nothing applied");
            assertEquals(403, as(AUDITOR, "PUT", "/tenants/acme/settings", "{\"parkCode\":\"70\"}").status());

            Answer ok = as(ACME, "PUT", "/tenants/acme/settings", "{\"parkCode\":\"70\",\"retrieveCode\":\"71\","
                    + "\"groupParkCode\":\"72\",\"callerIdPrefix\":\"Acme:\",\"language\":\"de\"}");
            assertEquals(200, ok.status(), ok.toString());
            assertEquals("{\"parkCode\":\"70\",\"retrieveCode\":\"71\",\"groupParkCode\":\"72\",\"alertInfo\":\"\","
                    + "\"callerIdPrefix\":\"Acme:\",\"language\":\"de\",\"finalDestination\":\"\"}", ok.json().toString());
            awaitConfigFile("tenant.acme.language");
            assertTrue(Files.readString(SERVER.home().resolve("etc/org.callpark.directory.cfg"))
                    .matches("(?s).*tenant\\.acme\\.parkCode\\s*=\\s*70\\b.*"), "the code is in the file");

            try (RtpPeer rtp = new RtpPeer("127.0.0.1")) {
                Sipp sipp = Sipp.scenario("park", SERVER).set("DOMAIN", "acme.test").service("70")
                        .name("rest-settings-park").from("Customer", "+4930123").referredBy("203")
                        .media(rtp.port(), "PCMU").set("HOLD_MS", 25000).timeout(30).start();
                try {
                    assertTrue(rtp.awaitPackets(5, 5000), () -> "70 parks nothing in acme\n" + sipp.diagnostics());
                    JsonNode calls = as(ACME, "GET", "/tenants/acme/calls", null).json();
                    assertEquals(1, calls.size(), calls.toString());
                    assertEquals("203", calls.get(0).path("slot").path("name").asText());
                    assertEquals(204, as(ACME, "DELETE", "/tenants/acme/calls/" + calls.get(0).path("id").asText(),
                            null).status());
                    sipp.assertSucceeded();
                } finally {
                    sipp.kill();
                }
            }
        } finally {
            assertEquals(200, as(KARAF, "PUT", "/tenants/acme/settings", "{}").status(), "acme's defaults again");
        }
    }

    // --- calls and events ---

    /** A server-sent event. */
    record Event(long id, String event, JsonNode data, long receivedNanos) {
    }

    /** An open {@code GET /events}, read on its own thread. */
    static final class Sse {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final HttpResponse<Stream<String>> response;

        Sse(String auth, String query) throws Exception {
            HttpRequest req = HttpRequest.newBuilder(URI.create(BASE + "/events" + query))
                    .header("Authorization", auth).header("Accept", "text/event-stream").build();
            response = HTTP.send(req, HttpResponse.BodyHandlers.ofLines());
            Thread t = new Thread(this::read, "sse-reader");
            t.setDaemon(true);
            t.start();
            synchronized (STREAMS) {
                STREAMS.add(this);
            }
        }

        private void read() {
            long id = -1;
            String event = null;
            StringBuilder data = new StringBuilder();
            try (Stream<String> lines = response.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (event != null) {
                            events.add(new Event(id, event, JSON.readTree(data.toString()), System.nanoTime()));
                        }
                        event = null;
                        data.setLength(0);
                    } else if (line.startsWith("id: ")) {
                        id = Long.parseLong(line.substring(4));
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // closed
            }
        }

        Event next(String event, long timeoutMillis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (true) {
                Event e = events.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                assertNotNull(e, "no '" + event + "' event within " + timeoutMillis + " ms");
                if (e.event().equals(event)) {
                    return e;
                }
            }
        }

        void close() {
            response.body().close();
        }
    }

    @AfterAll
    static void closeStreams() {
        synchronized (STREAMS) {
            STREAMS.forEach(Sse::close);
        }
    }

    private record Parked(Sipp sipp, RtpPeer rtp) implements AutoCloseable {
        @Override
        public void close() {
            sipp.kill();
            rtp.close();
        }
    }

    private static Parked park(String name, String code, String referrer) throws Exception {
        return park(name, code, referrer, "Customer");
    }

    private static Parked park(String name, String code, String referrer, String callerName) throws Exception {
        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp sipp = Sipp.scenario("park", SERVER).service(code).name(name).from(callerName, "+4930123")
                .referredBy(referrer).media(rtp.port(), "PCMU").set("HOLD_MS", 25000).timeout(45);
        sipp.start();
        assertTrue(rtp.awaitPackets(5, 5000), () -> "no hold music\n" + sipp.diagnostics());
        return new Parked(sipp, rtp);
    }

    @Test
    void parkedCallsAreListedStreamedAndHungUp() throws Exception {
        Sse admin = new Sse(KARAF, "");
        assertEquals(200, admin.response.statusCode());
        assertTrue(admin.response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Sse acme = new Sse(ACME, "");
        Sse onlyDefault = new Sse(RECEPTION, "?tenant=default");
        Event snapshot = admin.next("snapshot", 5000);
        assertEquals(0, snapshot.data().path("calls").size());
        long lastId = snapshot.id();
        acme.next("snapshot", 5000);
        onlyDefault.next("snapshot", 5000);
        assertEquals(404, as(ACME, "GET", "/events?tenant=default", null).status(), "acme may not watch default");

        try (Parked p = park("rest-park", "*68", "101")) {
            Event parked = admin.next("park", 5000);
            assertTrue(parked.id() > lastId, "ids increase");
            lastId = parked.id();
            assertEquals("PARKED", parked.data().path("type").asText());
            JsonNode call = parked.data().path("call");
            String id = call.path("id").asText();
            assertEquals("default", call.path("tenant").asText());
            assertEquals("{\"kind\":\"EXTENSION\",\"name\":\"101\",\"label\":\"101 Bob\"}", call.path("slot").toString());
            assertEquals("+4930123", call.path("caller").path("number").asText());
            assertEquals("Customer", call.path("caller").path("name").asText());
            assertEquals("101", call.path("parkedBy").asText());
            // sipp names 101 in Referred-By from an address 101 never registered from: not verified
            assertFalse(call.path("parkerVerified").asBoolean(true), call.toString());
            assertEquals("PARKED", call.path("state").asText());
            assertTrue(call.path("parkedAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), call.toString());
            assertEquals(id, onlyDefault.next("park", 5000).data().path("call").path("id").asText());

            Answer calls = as(KARAF, "GET", "/calls", null);
            assertEquals(1, calls.json().size(), calls.toString());
            assertEquals(id, calls.json().get(0).path("id").asText());
            assertTrue(calls.json().get(0).path("parkerVerified").isBoolean(), calls.toString());
            assertFalse(calls.json().get(0).path("parkerVerified").asBoolean(), calls.toString());
            assertEquals(id, as(RECEPTION, "GET", "/tenants/default/calls", null).json().get(0).path("id").asText());
            assertEquals(0, as(ACME, "GET", "/calls", null).json().size(), "acme sees no default calls");
            assertEquals(0, as(ACME, "GET", "/tenants/acme/calls", null).json().size());
            assertEquals(0, as(KARAF, "GET", "/tenants/default/park-groups/Sales", null).json().path("parkedCalls")
                    .asInt(), "a call on an extension slot is not in the group's count");
            Sse late = new Sse(KARAF, "");
            Event lateSnapshot = late.next("snapshot", 5000);
            assertEquals(id, lateSnapshot.data().path("calls").get(0).path("id").asText(), "snapshot on connect");
            late.close();

            assertEquals(403, as(AUDITOR, "DELETE", "/tenants/default/calls/" + id, null).status(), "a viewer");
            assertEquals(403, as(AUDITOR, "POST", "/tenants/default/calls/" + id + "/send",
                    "{\"extension\":\"104\"}").status(), "a viewer");
            assertEquals(404, as(ACME, "DELETE", "/tenants/default/calls/" + id, null).status());
            assertEquals(404, as(ACME, "DELETE", "/tenants/acme/calls/" + id, null).status());
            assertEquals(404, as(KARAF, "DELETE", "/tenants/acme/calls/" + id, null).status(), "not acme's call");
            assertEquals(1, as(KARAF, "GET", "/calls", null).json().size(), "still parked");
            long hangUp = System.nanoTime();
            assertEquals(204, as(RECEPTION, "DELETE", "/tenants/default/calls/" + id, null).status(),
                    "the operator hangs up");

            Event forced = admin.next("park", 5000);
            System.out.printf("[systests] RestApiST: DELETE sent -> FORCED event on the stream after %.1f ms%n",
                    (forced.receivedNanos() - hangUp) / 1e6);
            assertEquals("FORCED", forced.data().path("type").asText());
            assertEquals(id, forced.data().path("call").path("id").asText());
            assertEquals("ENDED", forced.data().path("call").path("state").asText());
            assertTrue(forced.id() > lastId);
            lastId = forced.id();
            p.sipp().assertSucceeded();
            assertTrue(p.sipp().logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the hang-up really ended the SIP call");
            assertEquals(0, as(KARAF, "GET", "/calls", null).json().size());
            assertEquals(404, as(KARAF, "DELETE", "/tenants/default/calls/" + id, null).status(), "already ended");
        }

        // a group call, retrieved by a phone: RETRIEVED on the stream
        try (Parked p = park("rest-park58", "*58", "101")) {
            Event parked = admin.next("park", 5000);
            assertTrue(parked.id() > lastId);
            lastId = parked.id();
            assertEquals("GROUP", parked.data().path("call").path("slot").path("kind").asText());
            assertEquals("Sales", parked.data().path("call").path("slot").path("name").asText());
            assertEquals(1, as(KARAF, "GET", "/tenants/default/park-groups/Sales", null).json().path("parkedCalls")
                    .asInt());
            Sipp.scenario("retrieve", SERVER).service("*88").name("rest-retrieve").from("102", "102")
                    .auth("102", "pass102").set("HOLD_MS", 1500).run();
            Event retrieved = admin.next("park", 10000);
            assertEquals("RETRIEVED", retrieved.data().path("type").asText());
            assertTrue(retrieved.id() > lastId);
            p.sipp().assertSucceeded();
        }
        assertTrue(acme.events.stream().noneMatch(e -> e.event().equals("park")), "acme saw no default events");
    }

    /** 104's registered Contact port: its REGISTER and the phone's UAS both use it. */
    private static final int PHONE_PORT = Sipp.freeUdpPort();

    @Test
    void sendToExtensionRingsItAndHandsItTheCallOrReportsTheFailure() throws Exception {
        Sse admin = new Sse(KARAF, "?tenant=default");
        admin.next("snapshot", 5000);

        // 105 has no phone registered: accepted, then a send-failed event; the call stays parked
        try (Parked p = park("rest-send-fail", "*68", "101")) {
            String id = admin.next("park", 5000).data().path("call").path("id").asText();
            Answer accepted = as(KARAF, "POST", "/tenants/default/calls/" + id + "/send", "{\"extension\":\"105\"}");
            assertEquals(202, accepted.status(), accepted.toString());
            assertEquals("{\"status\":\"RINGING\",\"extension\":\"105\"}", accepted.json().toString());
            Event failed = admin.next("send-failed", 10000);
            assertEquals(id, failed.data().path("callId").asText());
            assertEquals("105", failed.data().path("extension").asText());
            assertEquals("UNREACHABLE", failed.data().path("reason").asText());
            assertFalse(failed.data().path("message").asText().isBlank());
            assertEquals(1, as(KARAF, "GET", "/tenants/default/calls", null).json().size(), "still parked");

            Answer unknown = as(KARAF, "POST", "/tenants/default/calls/" + id + "/send", "{\"extension\":\"999\"}");
            assertEquals(404, unknown.status(), unknown.toString());
            Answer noExt = as(KARAF, "POST", "/tenants/default/calls/" + id + "/send", "{}");
            assertEquals(List.of("extension"), noExt.fields());
            // "send to me" by karaf, linked to no extension: refused, nothing rings
            Answer notLinked = as(KARAF, "POST", "/tenants/default/calls/" + id + "/send", "{\"to\":\"me\"}");
            assertEquals(409, notLinked.status(), notLinked.toString());
            assertEquals("NOT_LINKED", notLinked.json().path("error").asText());
            assertEquals(404, as(KARAF, "POST", "/tenants/default/calls/nosuchcall/send",
                    "{\"extension\":\"104\"}").status());
            assertEquals(404, as(ACME, "POST", "/tenants/default/calls/" + id + "/send",
                    "{\"extension\":\"104\"}").status());
            assertEquals(204, as(KARAF, "DELETE", "/tenants/default/calls/" + id, null).status());
            assertEquals("FORCED", admin.next("park", 5000).data().path("type").asText());
        }

        // 104 registers and answers: the call is RETRIEVED and connected to it
        Sipp.scenario("register", SERVER).name("register-104").localPort(PHONE_PORT).set("USER", "104")
                .set("EXPIRES", 300).auth("104", "pass104").timeout(10)
                .set("CONTACT_REGEX", "&lt;sip:104@127\\.0\\.0\\.1:" + PHONE_PORT
                        + ";transport=[a-zA-Z]+&gt;;expires=[0-9]+").run();
        try (Parked p = park("rest-send-ok", "*68", "101"); RtpPeer phoneRtp = new RtpPeer("127.0.0.1")) {
            Sipp phone = Sipp.scenario("send_answer", SERVER).name("send-answer-104").localPort(PHONE_PORT)
                    .media(phoneRtp.port(), "PCMU").set("RING_MS", 300).set("TALK_MS", 2000).timeout(30).start();
            try {
                String id = admin.next("park", 5000).data().path("call").path("id").asText();
                assertEquals(202, as(KARAF, "POST", "/tenants/default/calls/" + id + "/send",
                        "{\"extension\":\"104\"}").status());
                Event retrieved = admin.next("park", 15000);
                assertEquals("RETRIEVED", retrieved.data().path("type").asText(), retrieved.toString());
                assertEquals(id, retrieved.data().path("call").path("id").asText());
                p.rtp().startTone(1000, 0, p.rtp().serverAddress());
                assertTrue(phoneRtp.awaitPackets(5, 5000), "the phone hears the customer");
                phone.assertSucceeded();
                assertTrue(phone.logLines().stream().anyMatch(l -> l.contains("ANSWERED")));
                p.sipp().assertSucceeded();
                assertTrue(p.sipp().logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                        "the phone's BYE ends the customer's call");
                assertEquals(0, as(KARAF, "GET", "/tenants/default/calls", null).json().size());
            } finally {
                phone.kill();
            }
        }
        assertTrue(admin.events.stream().noneMatch(e -> e.event().equals("send-failed")));
    }

    // --- the page ---

    @Test
    void thePageIsServedAtCallpark() throws Exception {
        Answer redirect = call("GET", "http://127.0.0.1:" + AssemblyServer.HTTP_PORT + "/callpark", null);
        assertEquals(302, redirect.status());
        assertTrue(redirect.header("Location").endsWith("/callpark/"), redirect.header("Location"));
        Answer page = call("GET", "http://127.0.0.1:" + AssemblyServer.HTTP_PORT + "/callpark/", null);
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Type").startsWith("text/html"), page.header("Content-Type"));
        assertTrue(page.raw().body().toLowerCase().contains("<html"));
        for (String bad : List.of("/callpark/../etc/users.properties", "/callpark/%2e%2e/etc/users.properties",
                "/callpark/OSGI-INF/org.callpark.ui.internal.ApiServlet.xml",
                "/callpark/org/callpark/ui/internal/ApiServlet.class")) {
            Answer a = call("GET", "http://127.0.0.1:" + AssemblyServer.HTTP_PORT + bad, null);
            assertTrue(a.status() == 404 || a.status() == 400, bad + " -> " + a.status());
            assertFalse(a.raw().body().contains("karaf = karaf"), bad);
        }
    }

    // --- the roles in the shell, the log pattern, park:sip-trace ---

    /** The id of the one call parked now (as karaf sees it), waiting at most 5 s. */
    private static String onlyCall() throws Exception {
        long end = System.currentTimeMillis() + 5000;
        while (true) {
            JsonNode calls = as(KARAF, "GET", "/calls", null).json();
            if (calls.size() == 1) {
                return calls.get(0).path("id").asText();
            }
            assertTrue(System.currentTimeMillis() < end, "one parked call expected: " + calls);
            Thread.sleep(50);
        }
    }

    /** Leaves no parked call to the next test, whatever failed. */
    private static void hangUpAll() throws Exception {
        for (JsonNode c : as(KARAF, "GET", "/calls", null).json()) {
            as(KARAF, "DELETE", "/tenants/" + c.path("tenant").asText() + "/calls/" + c.path("id").asText(), null);
        }
    }

    private static int callCount() throws Exception {
        return as(KARAF, "GET", "/calls", null).json().size();
    }

    @Test
    void theShellFollowsTheRoles_andTheParkLogLineCarriesCallIdTenantAndSlot() throws Exception {
        SERVER.shell("log:set DEBUG org.callpark.internal.sip.ParkFlows");
        try (Parked p = park("rest-shell", "*68", "101")) {
            String id = onlyCall();
            String list = SERVER.shellAs("auditor", "auditor", "park:list");
            assertTrue(list.contains(id.substring(0, 8)), "a viewer lists: " + list);

            String refused = SERVER.shellAs("auditor", "auditor", "park:hangup " + id);
            System.out.println("[systests] RestApiST: park:hangup as auditor -> " + refused.strip());
            assertFalse(refused.contains("Hung up"), refused);
            assertEquals(1, callCount(), "the ACL refused park:hangup to a viewer: the call is still parked");
            String trace = SERVER.shellAs("reception", "reception", "park:sip-trace on");
            assertFalse(trace.contains("SIP trace on"), "an operator may not switch the trace: " + trace);
            assertTrue(SERVER.shell("park:sip-trace status").contains("SIP trace off"));
            String group = SERVER.shellAs("auditor", "auditor", "park:group Sales");
            assertTrue(group.contains("Final destination"), "a viewer reads park:group: " + group);
            String setFinal = SERVER.shellAs("reception", "reception", "park:group --final-destination 104 Sales");
            System.out.println("[systests] RestApiST: park:group --final-destination as reception -> "
                    + setFinal.strip().lines().filter(l -> !l.contains("JAVA_HOME")).findFirst().orElse(""));
            assertFalse(setFinal.contains("set; calls parked"), "only admins set a final destination: " + setFinal);
            assertEquals("", as(KARAF, "GET", "/tenants/default/park-groups/Sales", null).json()
                    .path("finalDestination").asText(), "the ACL refused it: nothing changed");

            String done = SERVER.shellAs("reception", "reception", "park:hangup " + id);
            assertTrue(done.contains("Hung up"), "an operator hangs up: " + done);
            assertEquals(0, callCount());
            p.sipp().assertSucceeded();
            assertTrue(p.sipp().logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")), p.sipp().diagnostics());

            String line = SERVER.karafLog().lines().filter(l -> l.contains("Parked " + id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no park line for " + id));
            System.out.println("[systests] RestApiST: " + line);
            assertTrue(line.contains(" tenant=default") && line.contains(" slot=default/") && line.contains(" call-id="),
                    "the shipped pattern prints the MDC keys: " + line);
        } finally {
            SERVER.shell("log:set INFO org.callpark.internal.sip.ParkFlows");
            hangUpAll();
        }
    }

    @Test
    void sipTraceOnWritesTheInviteToItsOwnFile_offStops() throws Exception {
        java.nio.file.Path file = SERVER.home().resolve("data/log/sip-trace.log");
        assertFalse(read(file).contains("INVITE sip:"), "off at start");
        String on = SERVER.shell("park:sip-trace on");
        assertTrue(on.contains("SIP trace on"), on);
        try {
            try (Parked p = park("rest-trace-on", "*68", "101", "TraceOn")) {
                String id = onlyCall();
                long end = System.currentTimeMillis() + 5000;
                while (!read(file).contains("\"TraceOn\"") && System.currentTimeMillis() < end) {
                    Thread.sleep(50);
                }
                String t = read(file);
                assertTrue(t.contains("INVITE sip:*68@") && t.contains("\"TraceOn\""), "the INVITE is traced: " + t);
                assertTrue(t.contains("SIP/2.0 200 OK"), "and the answer");
                assertFalse(SERVER.karafLog().contains("\"TraceOn\" <sip:"), "not in karaf.log");
                assertEquals(204, as(KARAF, "DELETE", "/tenants/default/calls/" + id, null).status());
            }
            assertTrue(SERVER.shell("park:sip-trace off").contains("SIP trace off"));
            try (Parked p = park("rest-trace-off", "*68", "101", "TraceOff")) {
                String id = onlyCall(); // parked: the INVITE and its 200 are through the stack
                assertFalse(read(file).contains("TraceOff"), "off: the next INVITE is not traced");
                assertEquals(204, as(KARAF, "DELETE", "/tenants/default/calls/" + id, null).status());
            }
        } finally {
            SERVER.shell("park:sip-trace off");
            hangUpAll();
        }
    }

    private static String read(java.nio.file.Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
