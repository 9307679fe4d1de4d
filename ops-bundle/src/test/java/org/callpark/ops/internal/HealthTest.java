package org.callpark.ops.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.callpark.spi.health.HealthCheck;
import org.callpark.spi.health.HealthCheck.Result;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The health answer: 200 UP with every check; 503 naming a required check whose bundle is gone ("not running") or a
 * check that is DOWN; the history database's WARN keeps it UP; a check that throws is DOWN without its message.
 */
class HealthTest {

    private final HealthServlet servlet = new HealthServlet(
            new OpsSettings(false, Set.of("admin"), OpsSettings.list("sip,media,cluster,directory"), "x",
                    OpsSettings.DEFAULT_LIMITS));

    private void add(String name, HealthCheck check) {
        servlet.addCheck(check, Map.of(HealthCheck.NAME, name));
    }

    private JsonNode get(int status) throws Exception {
        FakeHttp http = new FakeHttp();
        servlet.doGet(http.request(), http.response());
        assertEquals(status, http.status, http.text());
        assertEquals("application/json", http.headers.get("Content-Type"));
        return new ObjectMapper().readTree(http.text());
    }

    @Test
    void upWhenEveryRequiredCheckIsUpAndHistoryOnlyWarns() throws Exception {
        HealthCheck sip = () -> Result.up("udp,tcp");
        add("sip", sip);
        add("media", () -> Result.up("legs=0"));
        add("cluster", () -> Result.up("members=1"));
        add("directory", () -> Result.up(""));
        add("history", () -> Result.warn("database unreachable"));
        JsonNode body = get(200);
        assertEquals("UP", body.get("status").asText());
        assertEquals("UP", body.get("checks").get("sip").asText());
        assertEquals("WARN", body.get("checks").get("history").asText());
        assertEquals("members=1", body.get("details").get("cluster").asText());

        servlet.removeCheck(sip, Map.of(HealthCheck.NAME, "sip")); // bundle:stop org.callpark.sip
        body = get(503);
        assertEquals("DOWN", body.get("status").asText());
        assertEquals("DOWN", body.get("checks").get("sip").asText());
        assertEquals("not running", body.get("details").get("sip").asText());
        assertEquals("UP", body.get("checks").get("media").asText());

        add("sip", sip); // bundle:start
        assertEquals("UP", get(200).get("status").asText());
    }

    @Test
    void aDownOrThrowingCheckMakesIt503() throws Exception {
        add("sip", () -> Result.up(""));
        add("media", () -> Result.down("loop stalled"));
        add("cluster", () -> {
            throw new IllegalStateException("secret detail");
        });
        add("directory", () -> Result.up(""));
        JsonNode body = get(503);
        assertEquals("loop stalled", body.get("details").get("media").asText());
        assertEquals("check failed: IllegalStateException", body.get("details").get("cluster").asText());
        assertTrue(!body.toString().contains("secret detail"));
    }

    @Test
    void nothingRegisteredIsDownNamingEachRequiredPart() throws Exception {
        JsonNode body = get(503);
        for (String name : new String[] { "sip", "media", "cluster", "directory" }) {
            assertEquals("not running", body.get("details").get(name).asText(), name);
        }
    }

    @Test
    void theShellPrintsTheSameReport() {
        add("sip", () -> Result.up("tcp,udp"));
        add("media", () -> Result.down("loop stalled"));
        add("history", () -> Result.warn("database unreachable; queued=3"));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        HealthCommand.print(servlet.report(), new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s).*sip\\s+\\| UP\\s+\\| tcp,udp.*"), text);
        assertTrue(text.matches("(?s).*media\\s+\\| DOWN\\s+\\| loop stalled.*"), text);
        assertTrue(text.matches("(?s).*history\\s+\\| WARN\\s+\\| database unreachable; queued=3.*"), text);
        assertTrue(text.matches("(?s).*cluster\\s+\\| DOWN\\s+\\| not running.*"), text);
        assertTrue(text.contains("Status: DOWN (GET /callpark/health answers 503)"), text);
    }
}
