package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web admin and live board at {@code /callpark/} of the running assembly, in headless Chromium: log in, park
 * groups created/validated/edited/deleted through the page (errors come from the server's validation), calls parked
 * and retrieved by sipp show up on and leave the board live, a hostile caller name stays text, hang-up and
 * send-to-extension from the board, operator, read-only and tenant-scoped users. Screenshots in {@code target/webui/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer();

    static final String XSS_NAME = "<img src=x onerror=alert(1)>";
    static final String BASE = "http://127.0.0.1:" + AssemblyServer.HTTP_PORT + "/callpark/";

    static Browser browser;
    /** Parked by the board test, hung up from the board later: "Customer" in the Sales group slot. */
    static Parked groupCall;

    record Parked(Sipp sipp, RtpPeer rtp) implements AutoCloseable {
        @Override
        public void close() {
            sipp.kill();
            rtp.close();
        }
    }

    @BeforeAll
    static void openBrowser() throws Exception {
        browser = new Browser(1400, 900);
    }

    /** Everything the page logged to the console (JavaScript errors show as "Uncaught ..."). */
    static final List<String> CONSOLE = new java.util.ArrayList<>();

    @AfterEach
    void collectConsole() {
        browser.driver.manage().logs().get(LogType.BROWSER).getAll()
                .forEach(e -> CONSOLE.add(e.getLevel() + " " + e.getMessage()));
    }

    @AfterAll
    static void closeBrowser() throws Exception {
        if (groupCall != null) {
            groupCall.close();
        }
        if (browser != null) {
            browser.close();
        }
    }

    private static By row(String group) {
        return By.cssSelector("#groups-table tr[data-group='" + group + "']");
    }

    /** Signs in on the login form, in the page as it is (after a sign-out no reload happens: state must not leak). */
    private void login(String user, String password) {
        if (browser.driver.findElements(By.cssSelector("#login-view:not([hidden])")).isEmpty()) {
            browser.driver.get(BASE);
        }
        WebElement u = browser.visible(By.id("login-user"), 10_000);
        u.clear();
        u.sendKeys(user);
        browser.driver.findElement(By.id("login-password")).sendKeys(password);
        browser.driver.findElement(By.id("login-submit")).click();
        browser.visible(By.id("role-badge"), 5_000);
    }

    private void logout() {
        browser.driver.findElement(By.id("logout")).click();
        browser.visible(By.id("login-user"), 5_000);
    }

    private void go(String hash) {
        browser.driver.get(BASE + hash);
    }

    @Test
    @Order(1)
    void wrongPasswordIsRefusedOnTheFormThenTheAdminSignsIn() throws Exception {
        browser.driver.get(BASE);
        browser.visible(By.id("login-user"), 15_000).sendKeys("karaf");
        browser.screenshot("login");
        browser.driver.findElement(By.id("login-password")).sendKeys("wrong");
        browser.driver.findElement(By.id("login-submit")).click();
        WebElement err = browser.visible(By.id("login-error"), 5_000);
        assertTrue(err.getText().contains("Wrong user name or password"), err.getText());
        assertTrue(browser.driver.findElement(By.id("app-view")).getAttribute("hidden") != null, "app still hidden");

        browser.driver.findElement(By.id("login-password")).sendKeys("karaf");
        browser.driver.findElement(By.id("login-submit")).click();
        assertEquals("admin", browser.visible(By.id("role-badge"), 5_000).getText().toLowerCase());
        browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
        // the session survives a reload (cookie), no second login
        browser.driver.navigate().refresh();
        browser.visible(By.id("role-badge"), 5_000);
    }

    @Test
    @Order(2)
    void parkGroupIsCreatedValidatedByTheServerEditedAndDeleted() throws Exception {
        go("#/groups");
        new Select(browser.visible(By.id("tenant-select"), 5_000)).selectByValue("default");
        browser.visible(row("Sales"), 5_000);

        // create Lobby: user only, 2 retries, member 106
        browser.driver.findElement(By.id("add-group")).click();
        browser.visible(By.id("f-name"), 3_000).sendKeys("Lobby");
        new Select(browser.driver.findElement(By.id("f-recallTo"))).selectByValue("USER_ONLY");
        assertFalse(browser.driver.findElement(By.id("f-ringGroup")).isEnabled(), "ring group only for ring-group modes");
        new Select(browser.driver.findElement(By.id("f-recallTo"))).selectByValue("RING_GROUP_ONLY");
        assertTrue(browser.driver.findElement(By.id("f-ringGroup")).isEnabled());
        new Select(browser.driver.findElement(By.id("f-recallTo"))).selectByValue("USER_ONLY");
        WebElement retries = browser.driver.findElement(By.id("f-retries"));
        retries.clear();
        retries.sendKeys("2");
        // the picker offers only users in no park group: Sales' 101-103 are not there
        assertTrue(browser.driver.findElements(By.cssSelector("#f-members [data-ext='101']")).isEmpty(),
                "101 is in Sales and must not be offered");
        browser.driver.findElement(By.cssSelector("#f-members [data-ext='106'] input")).click();
        browser.driver.findElement(By.id("group-save")).click();
        WebElement lobby = browser.visible(row("Lobby"), 5_000);
        assertTrue(lobby.getText().contains("106"), lobby.getText());
        assertTrue(lobby.getText().contains("User only"), lobby.getText());
        browser.screenshot("groups");

        // a second "sales" (names are unique, case-insensitive): the server's violation next to the name field
        browser.driver.findElement(By.id("add-group")).click();
        browser.visible(By.id("f-name"), 3_000).sendKeys("sales");
        browser.driver.findElement(By.id("group-save")).click();
        WebElement nameErr = browser.visible(By.id("err-name"), 5_000);
        assertFalse(nameErr.getText().isBlank());
        System.out.println("[systests] duplicate name: " + nameErr.getText());
        assertEquals("true", browser.driver.findElement(By.id("f-name")).getAttribute("aria-invalid"));
        closeDialog();

        // edit Lobby: retries 11 → the server's violation next to retries, nothing saved
        editGroup("Lobby");
        retries = browser.driver.findElement(By.id("f-retries"));
        retries.clear();
        retries.sendKeys("11");
        browser.driver.findElement(By.id("group-save")).click();
        WebElement retriesErr = browser.visible(By.id("err-retries"), 5_000);
        assertFalse(retriesErr.getText().isBlank());
        System.out.println("[systests] retries 11: " + retriesErr.getText());
        assertFalse(browser.driver.findElement(By.id("err-name")).isDisplayed(), "only the retries field is wrong");
        browser.screenshot("group-edit");

        // fix it and change the members: 106 out, 107 in
        retries.clear();
        retries.sendKeys("3");
        browser.driver.findElement(By.cssSelector("#f-members [data-ext='106'] input")).click();
        browser.driver.findElement(By.cssSelector("#f-members [data-ext='107'] input")).click();
        browser.driver.findElement(By.id("group-save")).click();
        browser.await(5_000).until(ExpectedConditions.invisibilityOfElementLocated(By.id("group-form")));
        browser.await(5_000).until(d -> {
            String t = d.findElement(row("Lobby")).getText();
            return t.contains("107") && !t.contains("106");
        });

        // 106 is free again and 107 taken: a new group's picker shows 106, not 107
        browser.driver.findElement(By.id("add-group")).click();
        browser.visible(By.id("f-name"), 3_000);
        assertFalse(browser.driver.findElements(By.cssSelector("#f-members [data-ext='106']")).isEmpty());
        assertTrue(browser.driver.findElements(By.cssSelector("#f-members [data-ext='107']")).isEmpty());
        closeDialog();

        // delete, confirmed in our own dialog
        browser.driver.findElement(row("Lobby")).findElement(By.cssSelector("button[aria-label='Delete Lobby']"))
                .click();
        browser.visible(By.id("confirm-ok"), 3_000).click();
        browser.await(5_000).until(ExpectedConditions.invisibilityOfElementLocated(row("Lobby")));
        go("#/groups");
        browser.visible(row("Sales"), 5_000);
        assertTrue(browser.driver.findElements(row("Lobby")).isEmpty(), "Lobby is gone after a reload too");
    }

    /**
     * The Tenant settings page (issue 16): overlapping codes are refused by the server and the message shows next to
     * the field; a valid change saves, survives a reload, and is undone through the same form.
     */
    @Test
    @Order(2)
    void tenantSettingsFormSavesAndShowsTheServersErrorNextToTheField() throws Exception {
        go("#/settings");
        new Select(browser.visible(By.id("tenant-select"), 5_000)).selectByValue("acme");
        browser.await(5_000).until(d -> "*68".equals(d.findElement(By.id("ts-parkCode")).getAttribute("value")));
        setField("ts-parkCode", "70");
        setField("ts-retrieveCode", "70");
        browser.driver.findElement(By.id("settings-save")).click();
        WebElement err = browser.visible(By.id("tserr-retrieveCode"), 5_000);
        System.out.println("[systests] settings, retrieve code = park code: " + err.getText());
        assertTrue(err.getText().contains("'70'") && err.getText().startsWith("RetrieveCode"), err.getText());
        assertEquals("true", browser.driver.findElement(By.id("ts-retrieveCode")).getAttribute("aria-invalid"));
        assertFalse(browser.driver.findElement(By.id("tserr-parkCode")).isDisplayed(), "only retrieveCode is wrong");
        browser.screenshot("tenant-settings-error");

        setField("ts-retrieveCode", "71");
        setField("ts-language", "de");
        browser.driver.findElement(By.id("settings-save")).click();
        browser.await(5_000).until(d -> d.findElements(By.cssSelector("#tserr-retrieveCode:not([hidden])")).isEmpty()
                && "71".equals(d.findElement(By.id("ts-retrieveCode")).getAttribute("value")));
        browser.driver.navigate().refresh();
        new Select(browser.visible(By.id("tenant-select"), 10_000)).selectByValue("acme");
        browser.await(5_000).until(d -> "70".equals(d.findElement(By.id("ts-parkCode")).getAttribute("value"))
                && "de".equals(d.findElement(By.id("ts-language")).getAttribute("value")));
        browser.screenshot("tenant-settings");

        for (String f : List.of("ts-parkCode", "ts-retrieveCode", "ts-language")) {
            setField(f, "");
        }
        browser.driver.findElement(By.id("settings-save")).click();
        browser.await(5_000).until(d -> "*68".equals(d.findElement(By.id("ts-parkCode")).getAttribute("value")));
    }

    private static void setField(String id, String value) {
        WebElement e = browser.driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    private void editGroup(String name) {
        browser.driver.findElement(row(name)).findElement(By.cssSelector("button[aria-label='Edit " + name + "']"))
                .click();
        browser.visible(By.id("f-retries"), 3_000);
    }

    private void closeDialog() {
        browser.driver.findElement(By.cssSelector("#group-form button[aria-label='Close']")).click();
        browser.await(3_000).until(ExpectedConditions.invisibilityOfElementLocated(By.id("group-form")));
    }

    private static Parked park(String code, String name, String user, int holdMillis) throws Exception {
        return park(code, name, user, "101", holdMillis);
    }

    /** {@code code} dialled by a caller transferred by {@code parker} (sipp's Referred-By: unverified). */
    private static Parked park(String code, String name, String user, String parker, int holdMillis) throws Exception {
        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp sipp = Sipp.scenario("park", SERVER).service(code)
                .name("webui-park" + code.replace("*", "_") + "-by" + parker).from(name, user).referredBy(parker)
                .media(rtp.port(), "PCMU").set("HOLD_MS", holdMillis).timeout(holdMillis / 1000 + 20);
        sipp.start();
        return new Parked(sipp, rtp);
    }

    private static By callRow(String callerName) {
        return By.xpath(callRowXpath(callerName));
    }

    private static String callRowXpath(String callerName) {
        return "//div[contains(@class,'call')][.//span[@class='caller-name' and text()=" + xpathLiteral(callerName)
                + "]]";
    }

    @Test
    @Order(3)
    void boardShowsAParkedCallWithinASecondWithItsNameAsTextAndDropsItOnRetrieve() throws Exception {
        go("#/board");
        new Select(browser.visible(By.id("tenant-select"), 5_000)).selectByValue("");
        browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));

        groupCall = park("*58", "Customer", "+4930123", 120_000);
        browser.visible(callRow("Customer"), 10_000);

        try (Parked hostile = park("*68", XSS_NAME, "+4930999", 30_000)) {
            browser.visible(callRow(XSS_NAME), 10_000);
            // the row is rebuilt once the parker's name is known ("101 Bob"): take the element after that
            browser.await(3_000).until(d -> d.findElement(callRow(XSS_NAME)).getText().contains("101 Bob"));
            WebElement card = browser.driver.findElement(callRow(XSS_NAME));
            // sipp's Referred-By 101 comes from an address 101 never registered from: marked in words, not colour
            assertEquals("unverified", card.findElement(By.cssSelector(".parked-by .unverified")).getText());
            long shownMillis = Long.parseLong(card.getAttribute("data-first-seen"));
            long ackMillis = sentMicros(hostile.sipp(), "ACK") / 1000;
            long latency = shownMillis - ackMillis;
            System.out.printf("[systests] board: call shown %d ms after the park's ACK%n", latency);
            assertTrue(latency <= 1000, "shown " + latency + " ms after the ACK");

            // the name is literal text: no <img> element, no alert
            assertEquals(XSS_NAME, card.findElement(By.className("caller-name")).getText());
            assertEquals(0L, browser.js("return document.querySelectorAll('img').length"));
            assertThrows(NoAlertPresentException.class, () -> browser.driver.switchTo().alert());
            String text = browser.driver.findElement(callRow(XSS_NAME)).getText();
            assertTrue(text.contains("+4930999") && text.contains("Parked"), text);
            assertTrue(browser.driver.findElement(callRow(XSS_NAME)).findElement(By.cssSelector(".slot")).getText()
                    .contains("101"), text);

            // waiting time ticks client-side
            By waiting = By.xpath(callRowXpath(XSS_NAME) + "//*[contains(@class,'waiting')]");
            String w1 = browser.driver.findElement(waiting).getText();
            // the page ticks once a second at its own phase, so the shown second changes within at most 2 s
            browser.await(3_000).until(d -> !d.findElement(waiting).getText().equals(w1));
            String w2 = browser.driver.findElement(waiting).getText();
            assertFalse(w1.equals(w2), "waiting time ticks: " + w1 + " then " + w2);
            assertTrue(w2.matches("\\d+:\\d\\d"), w2);
            browser.await(8_000).until(d -> d.findElements(By.className("toast")).isEmpty()); // a clean picture
            browser.js("document.activeElement && document.activeElement.blur()");
            browser.screenshot("board");

            // a phone-sized window: one card per call, no table header
            browser.driver.manage().window().setSize(new Dimension(480, 900));
            browser.await(3_000).until(d -> !d.findElement(By.className("board-head")).isDisplayed());
            assertEquals("\"Waiting\"", browser.js("return getComputedStyle(document.querySelector("
                    + "'.board-row.call .waiting'), '::before').content"), "each card labels its fields");
            browser.screenshot("board-narrow");
            browser.driver.manage().window().setSize(new Dimension(1400, 900));

            // 102 retrieves *88101: the card leaves the board without a reload
            long t0 = System.nanoTime();
            Sipp r = Sipp.scenario("retrieve", SERVER).service("*88101").name("webui-retrieve").from("Alice", "102")
                    .auth("102", "pass102").set("HOLD_MS", 1500).start();
            browser.await(5_000).until(ExpectedConditions.invisibilityOfElementLocated(callRow(XSS_NAME)));
            System.out.printf("[systests] board: retrieved call gone %d ms after the retrieve INVITE%n",
                    (System.nanoTime() - t0) / 1_000_000);
            r.assertSucceeded();
            hostile.sipp().assertSucceeded();
            assertTrue(browser.driver.findElements(callRow("Customer")).size() == 1, "the other call stays");
        }
        assertThrows(NoAlertPresentException.class, () -> browser.driver.switchTo().alert());
    }

    @Test
    @Order(4)
    void boardCountsInTheTitleCountsDownAnnouncesHasADarkModeSearchAndShortcuts() throws Exception {
        go("#/board");
        browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
        int before = browser.driver.findElements(By.cssSelector(".board-row.call")).size();
        try (Parked p = park("*68", "Board Test", "+4930444", 60_000)) {
            browser.visible(callRow("Board Test"), 10_000);
            // the parked count in the tab title, live
            browser.await(3_000).until(d -> d.getTitle().equals("(" + (before + 1) + ") Call Park"));
            // the screen reader's live region names the park
            WebElement live = browser.driver.findElement(By.id("board-announcer"));
            assertEquals("polite", live.getAttribute("aria-live"));
            String said = (String) browser.js("return document.getElementById('board-announcer').textContent");
            System.out.println("[systests] aria-live: " + said);
            assertTrue(said.startsWith("Board Test parked on 101"), said);
            // the countdown to the next step, from the call's own timers, ticking
            By countdown = By.xpath(callRowXpath("Board Test") + "//*[contains(@class,'countdown')]");
            browser.await(3_000).until(d -> !d.findElement(countdown).getText().isBlank());
            String c1 = browser.driver.findElement(countdown).getText();
            System.out.println("[systests] countdown: " + c1);
            assertTrue(c1.matches("(Recalling .+|Ringing .+|Final prompt) in \\d+:\\d\\d"), c1);
            browser.await(3_000).until(d -> !d.findElement(countdown).getText().equals(c1));

            // dark mode: the system's preference first (no choice stored) ...
            browser.js("localStorage.removeItem('callpark.theme')");
            browser.driver.executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features",
                    List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "dark"))));
            browser.await(3_000).until(d -> "dark".equals(browser.js("return document.documentElement.dataset.theme")));
            assertEquals("rgb(11, 17, 32)", browser.js("return getComputedStyle(document.documentElement).backgroundColor"));
            browser.await(8_000).until(d -> d.findElements(By.className("toast")).isEmpty());
            browser.js("document.activeElement && document.activeElement.blur()");
            browser.screenshot("board-dark");
            // ... then the toggle, remembered over a reload even against the system's preference
            browser.driver.findElement(By.id("theme-toggle")).click();
            assertEquals("light", browser.js("return document.documentElement.dataset.theme"));
            browser.driver.navigate().refresh();
            browser.visible(callRow("Board Test"), 10_000);
            assertEquals("light", browser.js("return document.documentElement.dataset.theme"));
            assertEquals("false", browser.driver.findElement(By.id("theme-toggle")).getAttribute("aria-pressed"));
            browser.driver.executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features", List.of()));
            browser.js("localStorage.removeItem('callpark.theme')");

            // search: "/" focuses it, the filter keeps the title's count, Esc clears it
            browser.js("document.activeElement && document.activeElement.blur()");
            new Actions(browser.driver).sendKeys("/").perform();
            assertEquals("board-search", browser.js("return document.activeElement.id"));
            new Actions(browser.driver).sendKeys("board te").perform();
            browser.await(3_000).until(d -> d.findElements(By.cssSelector(".board-row.call")).size() == 1);
            browser.visible(callRow("Board Test"), 1_000);
            assertEquals(before == 0 ? "1 parked call" : "1 of " + (before + 1) + " parked calls",
                    browser.driver.findElement(By.id("call-count")).getText());
            assertEquals("(" + (before + 1) + ") Call Park", browser.driver.getTitle());
            new Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();
            browser.await(3_000).until(d -> d.findElements(By.cssSelector(".board-row.call")).size() == before + 1);
            // "?" lists the shortcuts
            browser.js("document.activeElement.blur()");
            new Actions(browser.driver).sendKeys("?").perform();
            assertTrue(browser.visible(By.id("shortcuts"), 3_000).getText().contains("Hang up"));
            new Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();
            browser.await(3_000).until(ExpectedConditions.invisibilityOfElementLocated(By.id("shortcuts")));
            // j moves to the newest call (the last row), h hangs it up after the confirm dialog
            for (int i = 0; i <= before; i++) {
                new Actions(browser.driver).sendKeys("j").perform();
            }
            assertEquals("Board Test", browser.js("return document.querySelector('.board-row.is-selected .caller-name')"
                    + ".textContent"));

            // hung up from the board by the keyboard: the count in the title drops
            new Actions(browser.driver).sendKeys("h").perform();
            browser.visible(By.id("confirm-ok"), 3_000).click();
            browser.await(5_000).until(ExpectedConditions.invisibilityOfElementLocated(callRow("Board Test")));
            browser.await(3_000).until(d -> d.getTitle().equals(before == 0 ? "Live board · Call Park"
                    : "(" + before + ") Call Park"));
        } finally {
            closeDialogs();
        }
    }

    @Test
    @Order(5)
    void aParkChimesAndNotifiesOnceTheUserAllowedItInThisBrowser() throws Exception {
        go("#/board");
        browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
        // park notifications: refused by the browser → chime only, said in a toast; allowed → on, remembered
        String origin = "http://127.0.0.1:" + AssemblyServer.HTTP_PORT;
        browser.driver.executeCdpCommand("Browser.setPermission", java.util.Map.of("origin", origin,
                "permission", java.util.Map.of("name", "notifications"), "setting", "denied"));
        Select bell = new Select(browser.driver.findElement(By.id("notify-scope")));
        // karaf is linked to no extension: only "off" and "any call" (no "for me" / "my group")
        assertEquals(List.of("off", "any"), bell.getOptions().stream().map(o -> o.getAttribute("value")).toList());
        assertEquals("off", bell.getFirstSelectedOption().getAttribute("value"));
        bell.selectByValue("any");
        browser.visible(By.xpath("//div[contains(@class,'toast')][contains(.,'blocked')]"), 3_000);
        assertEquals("any", bell.getFirstSelectedOption().getAttribute("value"));
        bell.selectByValue("off");
        browser.driver.executeCdpCommand("Browser.grantPermissions", java.util.Map.of("origin", origin,
                "permissions", List.of("notifications")));
        browser.driver.navigate().refresh();
        WebElement scope = browser.visible(By.id("notify-scope"), 10_000);
        assertEquals("granted", scope.getAttribute("data-permission"));
        new Select(scope).selectByValue("any");
        browser.driver.navigate().refresh();
        browser.await(10_000).until(d -> "any".equals(d.findElement(By.id("notify-scope")).getAttribute("value")));
        browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
        try (Parked p = park("*68", "Notify Test", "+4930333", 20_000)) {
            browser.visible(callRow("Notify Test"), 10_000);
            // desktop notification allowed: the control says so, with the last one it showed
            browser.await(3_000).until(d -> d.findElement(By.id("notify-scope")).getAttribute("title")
                    .contains("last: Notify Test parked on 101"));
            String bellTitle = browser.driver.findElement(By.id("notify-scope")).getAttribute("title");
            System.out.println("[systests] notify: " + bellTitle);
            assertTrue(bellTitle.contains("desktop notification"), bellTitle);
            // off again for the tests after this one
            new Select(browser.driver.findElement(By.id("notify-scope"))).selectByValue("off");
            WebElement card = browser.driver.findElement(callRow("Notify Test"));
            card.findElement(By.xpath(".//button[text()='Hang up']")).click();
            browser.visible(By.id("confirm-ok"), 3_000).click();
            browser.await(5_000).until(ExpectedConditions.invisibilityOfElementLocated(callRow("Notify Test")));
        } finally {
            closeDialogs();
        }
    }

    @Test
    @Order(6)
    void hangUpFromTheBoardEndsTheCall() throws Exception {
        go("#/board");
        try (Parked p = park("*68", "Hangup Test", "+4930555", 20_000)) {
            WebElement card = browser.visible(callRow("Hangup Test"), 10_000);
            card.findElement(By.xpath(".//button[text()='Hang up']")).click();
            browser.visible(By.id("confirm-ok"), 3_000).click();
            browser.await(5_000).until(ExpectedConditions.invisibilityOfElementLocated(callRow("Hangup Test")));
            p.sipp().assertSucceeded();
            assertTrue(p.sipp().logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the server hung up the caller");
        } finally {
            closeDialogs();
        }
    }

    @Test
    @Order(7)
    void sendToAnUnreachableExtensionShowsTheFailureAndTheCallStaysParked() throws Exception {
        go("#/board");
        try {
            sendFromTheBoard("Customer", "109"); // 109 has no phone registered
            WebElement failed = browser.await(15_000).until(ExpectedConditions.visibilityOfElementLocated(
                    By.xpath("//div[contains(@class,'toast-error')][contains(.,'109')]")));
            System.out.println("[systests] send-failed toast: " + failed.getText());
            browser.visible(callRow("Customer"), 3_000);
            assertTrue(groupCall.sipp().isAlive(), "the caller is still parked");
        } finally {
            closeDialogs();
        }
    }

    /** 104's registered Contact port: its REGISTER and the phone's UAS both use it. */
    private static final int PHONE_PORT = Sipp.freeUdpPort();

    @Test
    @Order(8)
    void sendToARegisteredExtensionConnectsTheCallerAndTheCardLeaves() throws Exception {
        go("#/board");
        Sipp.scenario("register", SERVER).name("webui-register-104").localPort(PHONE_PORT).set("USER", "104")
                .set("EXPIRES", 300).auth("104", "pass104").timeout(10)
                .set("CONTACT_REGEX", "&lt;sip:104@127\\.0\\.0\\.1:" + PHONE_PORT
                        + ";transport=[a-zA-Z]+&gt;;expires=[0-9]+").run();
        try (RtpPeer phoneRtp = new RtpPeer("127.0.0.1")) {
            Sipp phone = Sipp.scenario("send_answer", SERVER).name("webui-send-answer-104").localPort(PHONE_PORT)
                    .media(phoneRtp.port(), "PCMU").set("RING_MS", 300).set("TALK_MS", 2000).timeout(30).start();
            try {
                sendFromTheBoard("Customer", "104");
                browser.await(10_000).until(ExpectedConditions.invisibilityOfElementLocated(callRow("Customer")));
                WebElement ok = browser.visible(By.xpath("//div[contains(@class,'toast-success')][contains(.,'104')]"),
                        3_000);
                System.out.println("[systests] send answered: " + ok.getText());
                phone.assertSucceeded();
                groupCall.sipp().assertSucceeded();
                assertTrue(groupCall.sipp().logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                        "the caller was connected to 104 and hung up when 104 did");
                browser.visible(By.id("board-empty"), 3_000);
            } finally {
                phone.kill();
            }
        } finally {
            closeDialogs();
        }
    }

    private void sendFromTheBoard(String caller, String extension) {
        browser.visible(callRow(caller), 5_000).findElement(By.xpath(".//button[text()='Send to…']")).click();
        new Select(browser.visible(By.id("send-extension"), 3_000)).selectByValue(extension);
        browser.driver.findElement(By.id("send-submit")).click();
        browser.await(3_000).until(d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
    }

    /** Closes any dialog a failed step left open (they would cover the page). */
    private static void closeDialogs() {
        browser.js("document.querySelectorAll('dialog[open]').forEach(d => d.close())");
    }

    @Test
    @Order(9)
    void aRestartedUiBundleEndsTheSessionAndTheBoardAsksToSignInAgain() throws Exception {
        go("#/board");
        browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
        long t0 = System.nanoTime();
        String out = SERVER.shell("bundle:restart org.callpark.ui");
        System.out.println("[systests] bundle:restart org.callpark.ui: " + out.strip());
        // sessions live in the bundle: the stream breaks, the reconnect is refused (401), the page says so
        WebElement msg = browser.visible(By.id("login-error"), 20_000);
        System.out.printf("[systests] sign-in form %d ms after the restart began: %s%n",
                (System.nanoTime() - t0) / 1_000_000, msg.getText());
        assertTrue(msg.getText().contains("session has ended"), msg.getText());
        login("karaf", "karaf");
        go("#/board");
        browser.await(10_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
    }

    @Test
    @Order(10)
    void readOnlyAndTenantScopedUsersSeeOnlyWhatTheyMay() throws Exception {
        closeDialogs();
        try (Parked p = park("*68", "Scope Test", "+4930777", 20_000)) {
            logout();
            login("auditor", "auditor");
            assertEquals("read-only", browser.driver.findElement(By.id("role-badge")).getText().toLowerCase());
            go("#/board");
            browser.visible(callRow("Scope Test"), 5_000);
            assertTrue(browser.driver.findElements(By.cssSelector("#board button")).isEmpty(), "no hang-up/send");
            go("#/groups");
            new Select(browser.visible(By.id("tenant-select"), 5_000)).selectByValue("default");
            browser.visible(row("Sales"), 5_000);
            assertTrue(browser.driver.findElements(By.id("add-group")).isEmpty(), "no add button for a viewer");
            assertTrue(browser.driver.findElements(By.cssSelector("#groups-table button")).isEmpty(), "no edit/delete");
            logout();

            // the operator: the board's buttons, but no park group editing
            login("reception", "reception");
            assertEquals("operator", browser.driver.findElement(By.id("role-badge")).getText().toLowerCase());
            go("#/board");
            // signed in on the groups page, the tenant picker took its first tenant (acme) along to the board
            new Select(browser.visible(By.id("tenant-select"), 5_000)).selectByValue("default");
            assertEquals(List.of("Send to me", "Send to…", "Hang up"), browser.visible(callRow("Scope Test"), 5_000)
                    .findElements(By.tagName("button")).stream().map(WebElement::getText).toList(),
                    "reception is linked to 102 of tenant default: send to me, send, hang up");
            go("#/groups");
            new Select(browser.visible(By.id("tenant-select"), 5_000)).selectByValue("default");
            browser.visible(row("Sales"), 5_000);
            assertTrue(browser.driver.findElements(By.id("add-group")).isEmpty(), "no add button for an operator");
            logout();

            // acme's admin: only tenant acme exists for it, default's parked call is not on its board
            login("acme", "acme");
            go("#/board");
            browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
            browser.visible(By.id("board-empty"), 3_000);
            assertTrue(browser.driver.findElements(callRow("Scope Test")).isEmpty(), "default's call is hidden");
            go("#/directory");
            browser.visible(By.id("users-table"), 5_000);
            List<String> tenants = new Select(browser.driver.findElement(By.id("tenant-select"))).getOptions()
                    .stream().map(o -> o.getAttribute("value")).toList();
            assertEquals(List.of("acme"), tenants);
            assertTrue(browser.driver.findElement(By.id("users-table")).getText().contains("Karl"));
            assertTrue(browser.driver.findElements(By.className("toast")).isEmpty(),
                    "no message of the previous user's session is left on screen");
            browser.screenshot("directory");
            logout();
        }
    }

    /** The rows' caller names on the board, in order. */
    private static List<String> boardCallers() {
        return browser.driver.findElements(By.cssSelector(".board-row.call .caller-name")).stream()
                .map(WebElement::getText).toList();
    }

    @Test
    @Order(11)
    void receptionLinkedTo102IsNotifiedOnlyForHerCallsAndFiltersMineAndHerGroup() throws Exception {
        closeDialogs();
        login("reception", "reception");
        go("#/board");
        new Select(browser.visible(By.id("tenant-select"), 5_000)).selectByValue("default");
        browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
        String origin = "http://127.0.0.1:" + AssemblyServer.HTTP_PORT;
        browser.driver.executeCdpCommand("Browser.grantPermissions", java.util.Map.of("origin", origin,
                "permissions", List.of("notifications")));
        Select scope = new Select(browser.driver.findElement(By.id("notify-scope")));
        assertEquals(List.of("off", "me", "group", "any"), scope.getOptions().stream()
                .map(o -> o.getAttribute("value")).toList(), "linked to 102 in park group Sales");
        scope.selectByValue("me");
        By bell = By.id("notify-scope");
        long t0 = System.nanoTime();
        // 104 (in no park group) parks on its own slot; Bob (101, Sales) on his: neither is for 102
        try (Parked other = park("*68", "Not Mine", "+4930601", "104", 25_000);
                Parked group = park("*68", "Group Call", "+4930602", "101", 25_000)) {
            browser.visible(callRow("Not Mine"), 10_000);
            browser.visible(callRow("Group Call"), 10_000);
            assertFalse(browser.driver.findElement(bell).getAttribute("title").contains("last:"),
                    "no notification for calls that are not for 102");
            try (Parked mine = park("*68102", "For Alice", "+4930603", "101", 25_000)) {
                browser.visible(callRow("For Alice"), 10_000);
                browser.await(3_000).until(d -> d.findElement(bell).getAttribute("title")
                        .contains("last: For Alice parked on 102"));
                System.out.println("[systests] notify (for me): "
                        + browser.driver.findElement(bell).getAttribute("title"));

                // the chips: Mine = parked on 102; My group = Sales' calls (parked by 101 or on 101); All
                WebElement chips = browser.driver.findElement(By.id("board-scope"));
                chips.findElement(By.cssSelector("[data-scope='me']")).click();
                browser.await(3_000).until(d -> boardCallers().equals(List.of("For Alice")));
                assertEquals("true", chips.findElement(By.cssSelector("[data-scope='me']"))
                        .getAttribute("aria-pressed"));
                assertTrue(browser.driver.findElement(By.id("call-count")).getText().startsWith("1 of "));
                chips.findElement(By.cssSelector("[data-scope='group']")).click();
                browser.await(3_000).until(d -> boardCallers().containsAll(List.of("Group Call", "For Alice"))
                        && !boardCallers().contains("Not Mine"));
                // remembered in this browser
                browser.driver.navigate().refresh();
                browser.visible(callRow("Group Call"), 10_000);
                assertEquals("true", browser.driver.findElement(By.cssSelector("#board-scope [data-scope='group']"))
                        .getAttribute("aria-pressed"));
                assertFalse(boardCallers().contains("Not Mine"), boardCallers().toString());
                browser.driver.findElement(By.cssSelector("#board-scope [data-scope='any']")).click();
                browser.await(3_000).until(d -> boardCallers().containsAll(List.of("Not Mine", "Group Call",
                        "For Alice")));
                browser.js("document.activeElement && document.activeElement.blur()");
                browser.screenshot("board-linked");
                // "Send to me" only in default, where reception has a link; the shortcut list names it
                new Actions(browser.driver).sendKeys("?").perform();
                assertTrue(browser.visible(By.id("shortcuts"), 3_000).getText()
                        .contains("Send the selected call to me"));
                new Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();
            }
        } finally {
            new Select(browser.driver.findElement(By.id("notify-scope"))).selectByValue("off");
            closeDialogs();
        }
        System.out.printf("[systests] scopes and chips: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /** 102's registered Contact port, for "send to me" (reception is linked to 102). */
    private static final int ALICE_PORT = Sipp.freeUdpPort();

    @Test
    @Order(12)
    void sendToMeRingsTheExtensionReceptionIsLinkedTo() throws Exception {
        long t0 = System.nanoTime();
        go("#/board");
        browser.await(5_000).until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "open"));
        Sipp.scenario("register", SERVER).name("webui-register-102").localPort(ALICE_PORT).set("USER", "102")
                .set("EXPIRES", 60).auth("102", "pass102").timeout(10)
                .set("CONTACT_REGEX", "&lt;sip:102@127\\.0\\.0\\.1:" + ALICE_PORT
                        + ";transport=[a-zA-Z]+&gt;;expires=[0-9]+").run();
        try (RtpPeer phoneRtp = new RtpPeer("127.0.0.1");
                Parked customer = park("*68", "Customer", "+4930123", "104", 30_000)) {
            Sipp phone = Sipp.scenario("send_answer", SERVER).name("webui-send-to-me-102").localPort(ALICE_PORT)
                    .media(phoneRtp.port(), "PCMU").set("RING_MS", 300).set("TALK_MS", 1500).timeout(30).start();
            try {
                // parked on 104 (not reception's): the button still sends it to reception's own phone, 102
                WebElement card = browser.visible(callRow("Customer"), 10_000);
                card.findElement(By.xpath(".//button[text()='Send to me']")).click();
                browser.visible(By.xpath("//div[contains(@class,'toast')][contains(.,'Calling you at 102')]"), 3_000);
                browser.await(10_000).until(ExpectedConditions.invisibilityOfElementLocated(callRow("Customer")));
                WebElement ok = browser.visible(By.xpath("//div[contains(@class,'toast-success')][contains(.,'102')]"),
                        3_000);
                System.out.println("[systests] send to me answered: " + ok.getText());
                phone.assertSucceeded(); // 102 got the INVITE from "Customer" +4930123, answered, hung up
                customer.sipp().assertSucceeded();
                assertTrue(customer.sipp().logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                        "the caller was connected to 102 and hung up when 102 did");
            } finally {
                phone.kill();
            }
        } finally {
            closeDialogs();
            logout();
        }
        System.out.printf("[systests] send to me: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    @Order(13)
    void thePageRaisedNoScriptErrorAndNoContentSecurityPolicyViolation() {
        CONSOLE.forEach(l -> System.out.println("[systests] console: " + l));
        assertTrue(CONSOLE.stream().noneMatch(l -> l.contains("Uncaught") || l.contains("TypeError")
                || l.contains("ReferenceError")), "script errors in the console: " + CONSOLE);
        // Chromium reports each blocked script, style, image or connection as "Refused to ... Content Security Policy"
        assertTrue(CONSOLE.stream().noneMatch(l -> l.contains("Content Security Policy") || l.contains("Refused to")),
                "the page broke its own Content-Security-Policy: " + CONSOLE);
    }

    private static final Pattern SENT = Pattern.compile(
            "-+ (\\d{4}-\\d{2}-\\d{2}\\s+\\d{2}:\\d{2}:\\d{2}\\.\\d+)\\s*\\R\\s*UDP message sent[^\\n]*\\R\\s*\\R?\\s*(\\w+) ");

    /** When (epoch µs) sipp logged sending its first {@code method} request; waits up to 2 s for the trace. */
    private static long sentMicros(Sipp sipp, String method) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 2_000;
        do {
            Matcher m = SENT.matcher(sipp.messages());
            while (m.find()) {
                if (m.group(2).equals(method)) {
                    String[] parts = m.group(1).replaceAll("\\s+", " ").split("\\.");
                    LocalDateTime t = LocalDateTime.parse(parts[0], DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
                    return t.atZone(ZoneId.systemDefault()).toEpochSecond() * 1_000_000L
                            + Long.parseLong((parts[1] + "000000").substring(0, 6));
                }
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("no " + method + " sent in sipp's trace:\n" + sipp.messages());
    }

    private static String xpathLiteral(String s) {
        if (!s.contains("'")) {
            return "'" + s + "'";
        }
        return "concat('" + s.replace("'", "',\"'\",'") + "')";
    }
}
