package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Park history over REST and on the web page's History tab, with records of real calls: sipp parks three calls (one
 * with the caller name {@code <img src=x onerror=alert(1)>}) that are retrieved by 102, abandoned, and hung up over
 * REST, and a fourth ({@code Customer}, parked for 104) is recalled twice to 104's ringing sipp phone and times out.
 * Then: {@code acme} sees none of default's records over REST; in headless Chromium the admin filters by slot,
 * opens a call's steps, exports CSV (the hostile name is one literal cell, {@code +4930…} is formula-proofed) —
 * with no script error and no CSP violation. Screenshots {@code history}, {@code history-detail},
 * {@code history-recall}, {@code history-narrow}.
 *
 * <p>The records are the history bundle's (feature {@code callpark-history}, embedded H2), written asynchronously:
 * each is awaited for up to 10 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebHistoryST {

    /** Calls parked by users in no park group (104) are recalled after 2 s, twice; Sales (101) keeps its 30 s. */
    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer().etcFile("org.callpark.directory.cfg", directory());
    /** 104's registered Contact port (the ringing phone) and the address it registered from (its transfers). */
    static final int PHONE_PORT = Sipp.freeUdpPort();
    static final int TRANSFEROR_PORT = Sipp.freeUdpPort();

    static final String XSS_NAME = "<img src=x onerror=alert(1)>";
    static final String BASE = "http://127.0.0.1:" + AssemblyServer.HTTP_PORT + "/callpark/";
    static final String API = BASE + "api/v1";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    static Browser browser;
    static final List<String> CONSOLE = new ArrayList<>();

    static String directory() {
        Path shipped = Path.of(System.getProperty("systests.directory",
                "../park-bundle/src/main/config/org.callpark.directory.cfg"));
        try {
            String s = Files.readString(shipped);
            String t = s.replaceAll("(?m)^tenant\\.default\\.recall\\.ringDuration\\s*=.*$",
                    "tenant.default.recall.ringDuration = 2")
                    .replaceAll("(?m)^tenant\\.default\\.recall\\.retries\\s*=.*$",
                            "tenant.default.recall.retries = 2");
            assertFalse(t.equals(s), "tenant.default.recall.* not found in " + shipped.toAbsolutePath());
            return t;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void historyAndBrowser() throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (get("karaf", "/history").statusCode() != 200) {
            assertTrue(System.currentTimeMillis() < deadline, "the history bundle's ParkHistory never reached the REST"
                    + " API: " + get("karaf", "/history").body());
            Thread.sleep(200);
        }
        browser = new Browser(1400, 900);
    }

    @AfterAll
    static void closeBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    static HttpResponse<String> call(String user, String method, String path) throws Exception {
        String auth = Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create(API + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + auth).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String user, String path) throws Exception {
        return call(user, "GET", path);
    }

    static JsonNode json(String user, String path) throws Exception {
        HttpResponse<String> r = get(user, path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    static Sipp park(String code, String name, String number, int holdMillis, RtpPeer rtp) throws Exception {
        return Sipp.scenario("park", SERVER).service(code).name("history-park" + code.replace("*", "_") + number)
                .from(name, number).referredBy("101").media(rtp.port(), "PCMU").set("HOLD_MS", holdMillis)
                .timeout(holdMillis / 1000 + 20).start();
    }

    /** The records of {@code /history} (as karaf) whose caller number is {@code number}. */
    static List<JsonNode> records(String number) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        json("karaf", "/history?limit=1000").path("records").forEach(r -> {
            if (r.path("caller").path("number").asText().equals(number)) {
                found.add(r);
            }
        });
        return found;
    }

    static JsonNode awaitRecord(String number) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        List<JsonNode> r;
        while ((r = records(number)).isEmpty()) {
            assertTrue(System.currentTimeMillis() < deadline, "no history record for " + number);
            Thread.sleep(200);
        }
        assertEquals(1, r.size(), number + ": " + r);
        return r.get(0);
    }

    @Test
    @Order(1)
    void fourRealCallsEndRetrievedAbandonedForcedAndTimedOutAndAreReadBackOverRest() throws Exception {
        Sipp.scenario("register", SERVER).name("history-register-104").localPort(TRANSFEROR_PORT)
                .set("CONTACT_PORT", PHONE_PORT).set("USER", "104").set("EXPIRES", 300).auth("104", "pass104")
                .timeout(10).set("CONTACT_REGEX", "&lt;sip:104@127\\.0\\.0\\.1:" + PHONE_PORT
                        + ";transport=[a-zA-Z]+&gt;;expires=[0-9]+").run();
        try (RtpPeer a = new RtpPeer("127.0.0.1"); RtpPeer b = new RtpPeer("127.0.0.1");
                RtpPeer c = new RtpPeer("127.0.0.1"); RtpPeer d = new RtpPeer("127.0.0.1")) {
            Sipp phone = Sipp.scenario("recall_ring", SERVER).name("history-recall-ring-104").localPort(PHONE_PORT)
                    .calls(2).set("OFFER_REGEX", "m=audio [0-9]+ RTP/AVP 0 ").timeout(30).start();
            Sipp recalled = Sipp.scenario("park", SERVER).service("*68").name("history-recalled")
                    .localPort(TRANSFEROR_PORT).referredBy("104").from("Customer", "+4930123")
                    .media(d.port(), "PCMU").set("HOLD_MS", 25_000).timeout(40).start();
            Sipp hostile = park("*68", XSS_NAME, "+4930999", 30_000, a);
            Sipp group = park("*58", "Group Caller", "+4930555", 30_000, c);
            long t0 = System.currentTimeMillis();
            while (json("karaf", "/calls").size() < 3) {
                assertTrue(System.currentTimeMillis() - t0 < 10_000, "three calls parked");
                Thread.sleep(100);
            }
            Sipp abandoned = park("*68", "Abandon Test", "+4930444", 1_500, b);
            Sipp.scenario("retrieve", SERVER).service("*88101").name("history-retrieve").from("Alice", "102")
                    .auth("102", "pass102").set("HOLD_MS", 1500).run().assertSucceeded();
            hostile.assertSucceeded();
            abandoned.assertSucceeded();
            String groupId = null;
            for (JsonNode call : json("karaf", "/calls")) {
                if (call.path("caller").path("number").asText().equals("+4930555")) {
                    groupId = call.path("id").asText();
                }
            }
            assertEquals(204, call("karaf", "DELETE", "/tenants/default/calls/" + groupId).statusCode());
            group.assertSucceeded();
            phone.assertSucceeded(); // rang twice (180), each ended by the server's CANCEL
            recalled.assertSucceeded();
            assertTrue(recalled.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")), "timed out: server BYE");
        }
        JsonNode retrieved = awaitRecord("+4930999");
        assertEquals(XSS_NAME, retrieved.path("caller").path("name").asText());
        assertEquals("ANSWERED", retrieved.path("resolution").asText());
        assertEquals("102", retrieved.path("resolvedBy").asText(), "102 retrieved it");
        assertEquals("101", retrieved.path("slot").path("name").asText());
        assertEquals("101 Bob", retrieved.path("slot").path("label").asText());
        assertEquals("ABANDONED", awaitRecord("+4930444").path("resolution").asText());
        JsonNode forced = awaitRecord("+4930555");
        assertEquals("FORCED", forced.path("resolution").asText());
        assertEquals("GROUP", forced.path("slot").path("kind").asText());
        JsonNode timedOut = awaitRecord("+4930123");
        assertEquals("TIMED_OUT", timedOut.path("resolution").asText());
        assertEquals(2, timedOut.path("recallAttempts").asInt());
        List<String> recallSteps = new ArrayList<>();
        json("karaf", "/history/" + timedOut.path("callId").asText()).path("steps")
                .forEach(s -> recallSteps.add(s.path("type").asText()));
        // the last attempt's failure is the time-out itself
        assertEquals(List.of("PARKED", "RECALLING", "RECALL_FAILED", "RECALLING", "TIMED_OUT"), recallSteps);
        // whole seconds from park to end: 102 took it at once, the abandoned caller hung up after its 1.5 s hold
        assertEquals(Duration.between(java.time.Instant.parse(retrieved.path("parkedAt").asText()),
                java.time.Instant.parse(retrieved.path("endedAt").asText())).toSeconds(),
                retrieved.path("waitedSeconds").asLong());
        assertTrue(retrieved.path("waitedSeconds").asLong() < 30, retrieved.toString());
        assertEquals(1, awaitRecord("+4930444").path("waitedSeconds").asLong(), "the abandoned caller's 1.5 s hold");

        JsonNode detail = json("reception", "/history/" + retrieved.path("callId").asText());
        List<String> steps = new ArrayList<>();
        detail.path("steps").forEach(s -> steps.add(s.path("type").asText()));
        assertEquals("PARKED", steps.get(0), steps.toString());
        assertEquals("RETRIEVED", steps.get(steps.size() - 1), steps.toString());
        assertEquals("102", detail.path("steps").get(steps.size() - 1).path("detail").asText());
        System.out.println("[systests] history: " + retrieved);
    }

    @Test
    @Order(2)
    void acmeSeesNoneOfDefaultsRecordsOverRest() throws Exception {
        JsonNode mine = json("acme", "/history?limit=1000");
        mine.path("records").forEach(r -> assertEquals("acme", r.path("tenant").asText(), r.toString()));
        assertEquals(404, get("acme", "/history?tenant=default").statusCode());
        String defaultCall = awaitRecord("+4930999").path("callId").asText();
        assertEquals(404, get("acme", "/history/" + defaultCall).statusCode());
        HttpResponse<String> bad = get("karaf", "/history?since=yesterday");
        assertEquals(400, bad.statusCode());
        assertEquals("since", JSON.readTree(bad.body()).path("violations").get(0).path("field").asText());
    }

    private static By historyRow(String callerName) {
        return By.xpath("//table[@id='history-table']//tr[.//span[@class='caller-name' and text()="
                + (callerName.contains("'") ? "\"" + callerName + "\"" : "'" + callerName + "'") + "]]");
    }

    @Test
    @Order(3)
    void theHistoryPageFiltersShowsStepsAndExportsCsvWithTheHostileNameAsText() throws Exception {
        browser.driver.get(BASE);
        browser.visible(By.id("login-user"), 15_000).sendKeys("karaf");
        browser.driver.findElement(By.id("login-password")).sendKeys("karaf");
        browser.driver.findElement(By.id("login-submit")).click();
        browser.visible(By.id("role-badge"), 5_000);
        browser.driver.get(BASE + "#/history");
        new Select(browser.visible(By.id("tenant-select"), 5_000)).selectByValue("default");
        WebElement row = browser.visible(historyRow(XSS_NAME), 10_000);
        assertEquals(XSS_NAME, row.findElement(By.className("caller-name")).getText());
        assertEquals(4, browser.driver.findElements(By.cssSelector("#history-table tbody tr")).size());
        assertEquals(0L, browser.js("return document.querySelectorAll('img').length"));

        // the recalled call's steps: the attempt and its outcome on one line
        WebElement slot = browser.driver.findElement(By.id("h-slot"));
        slot.sendKeys("104");
        browser.driver.findElement(By.id("history-apply")).click();
        browser.await(5_000).until(d -> d.findElements(By.cssSelector("#history-table tbody tr")).size() == 1);
        browser.visible(historyRow("Customer"), 3_000).findElement(By.xpath(".//button[text()='Details']")).click();
        WebElement recall = browser.visible(By.id("history-detail"), 5_000);
        assertEquals(List.of("parked by 104", "rang parker 104 — not answered", "rang parker 104 — not answered",
                "nobody answered the recalls"),
                Browser.texts(recall.findElements(By.cssSelector("#history-steps .step-text"))));
        browser.screenshot("history-recall");
        recall.findElement(By.cssSelector("button[aria-label='Close']")).click();
        browser.await(3_000).until(ExpectedConditions.invisibilityOfElementLocated(By.id("history-detail")));
        slot.clear();

        // slot 101 only: the abandoned and the retrieved call, not the Sales group's
        browser.driver.findElement(By.id("h-slot")).sendKeys("101");
        browser.driver.findElement(By.id("history-apply")).click();
        browser.await(5_000).until(d -> d.findElements(By.cssSelector("#history-table tbody tr")).size() == 2);
        assertTrue(browser.driver.findElements(historyRow("Group Caller")).isEmpty());
        String text = browser.driver.findElement(historyRow(XSS_NAME)).getText();
        assertTrue(text.contains("101 Bob") && text.contains("Retrieved") && text.contains("+4930999")
                && text.contains("102"), text);
        browser.await(8_000).until(d -> d.findElements(By.className("toast")).isEmpty());
        browser.screenshot("history");

        // outcome filter: only the abandoned one of the two
        new Select(browser.driver.findElement(By.id("h-resolution"))).selectByValue("ABANDONED");
        browser.await(3_000).until(d -> d.findElements(By.cssSelector("#history-table tbody tr")).size() == 1);
        browser.visible(historyRow("Abandon Test"), 1_000);
        new Select(browser.driver.findElement(By.id("h-resolution"))).selectByValue("");

        // the detail: steps oldest first, the name as the dialog's title text
        browser.visible(historyRow(XSS_NAME), 3_000).findElement(By.xpath(".//button[text()='Details']")).click();
        WebElement dialog = browser.visible(By.id("history-detail"), 5_000);
        assertEquals(XSS_NAME, dialog.findElement(By.id("detail-title")).getText());
        List<String> steps = Browser.texts(dialog.findElements(By.cssSelector("#history-steps .step-text")));
        assertEquals("parked by 101", steps.get(0), steps.toString());
        assertEquals("retrieved by 102", steps.get(steps.size() - 1), steps.toString());
        assertEquals(0L, browser.js("return document.querySelectorAll('img').length"));
        browser.screenshot("history-detail");
        dialog.findElement(By.cssSelector("button[aria-label='Close']")).click();
        browser.await(3_000).until(ExpectedConditions.invisibilityOfElementLocated(By.id("history-detail")));

        // CSV of the current filter (slot 101): a header and two rows, the hostile name one literal cell
        browser.driver.findElement(By.id("history-export")).click();
        Path csv = awaitDownload();
        List<List<String>> rows = parseCsv(Files.readString(csv, StandardCharsets.UTF_8));
        System.out.println("[systests] history CSV " + csv.getFileName() + ": " + rows);
        assertEquals("callId", rows.get(0).get(0));
        int name = rows.get(0).indexOf("callerName");
        int number = rows.get(0).indexOf("callerNumber");
        assertEquals(3, rows.size(), rows.toString());
        List<String> hostile = rows.stream().filter(r -> r.get(number).equals("'+4930999")).findFirst()
                .orElseThrow(() -> new AssertionError("'+4930999 (formula-proofed) not in " + rows));
        assertEquals(XSS_NAME, hostile.get(name));
        assertEquals("ANSWERED", hostile.get(rows.get(0).indexOf("resolution")));
        assertEquals("101 Bob", hostile.get(rows.get(0).indexOf("slotLabel")));
        assertEquals("102", hostile.get(rows.get(0).indexOf("resolvedBy")));
        assertThrows(NoAlertPresentException.class, () -> browser.driver.switchTo().alert());

        // a phone-sized window: each row a card, no table header
        browser.driver.manage().window().setSize(new Dimension(480, 900));
        browser.await(3_000).until(d -> !d.findElement(By.cssSelector("#history-table thead")).isDisplayed());
        browser.screenshot("history-narrow");
        browser.driver.manage().window().setSize(new Dimension(1400, 900));
        browser.driver.manage().logs().get(LogType.BROWSER).getAll()
                .forEach(e -> CONSOLE.add(e.getLevel() + " " + e.getMessage()));
    }

    @Test
    @Order(4)
    void thePageRaisedNoScriptErrorAndNoContentSecurityPolicyViolation() {
        CONSOLE.forEach(l -> System.out.println("[systests] console: " + l));
        assertFalse(CONSOLE.stream().anyMatch(l -> l.contains("Uncaught") || l.contains("TypeError")
                || l.contains("ReferenceError")), "script errors in the console: " + CONSOLE);
        assertFalse(CONSOLE.stream().anyMatch(l -> l.contains("Content Security Policy") || l.contains("Refused to")),
                "the page broke its own Content-Security-Policy: " + CONSOLE);
    }

    private static Path awaitDownload() throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Stream<Path> s = Files.list(browser.downloads)) {
                List<Path> done = s.filter(p -> p.getFileName().toString().endsWith(".csv")).toList();
                if (!done.isEmpty()) {
                    return done.get(0);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no CSV in " + browser.downloads);
    }

    /** RFC 4180: quoted cells may hold commas, CRLF and doubled quotes; records end with CRLF. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                row.add(cell.toString());
                cell.setLength(0);
            } else if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                row.add(cell.toString());
                cell.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                cell.append(ch);
            }
        }
        assertTrue(row.isEmpty() && cell.length() == 0, "the file ends with CRLF");
        return rows;
    }
}
