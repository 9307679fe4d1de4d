package org.callpark.systests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver by Selenium: never a downloaded browser or driver
 * (Selenium Manager is kept offline and is given both paths). A fresh profile per instance, deleted on close.
 * Screenshots go to {@code target/webui/} (copy good ones to {@code docs/img/} by hand; tests never write sources).
 */
final class Browser implements AutoCloseable {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final Path SHOTS = Path.of("target", "webui");

    final ChromeDriver driver;
    /** Where the profile saves downloads (e.g. the History page's CSV export). */
    final Path downloads;
    private final ChromeDriverService service;
    private final Path profile;

    Browser(int width, int height) throws IOException {
        Peers.require(CHROMIUM, "chromium");
        Peers.require(CHROMEDRIVER, "chromium-driver");
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        profile = Files.createTempDirectory("webui-chromium-");
        downloads = Files.createDirectories(profile.resolve("Downloads"));
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
                .withLogFile(SHOTS.resolve("chromedriver.log").toFile()).build();
        Files.createDirectories(SHOTS);
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--lang=en-US");
        // an alert() would stay open (and be detected), not be dismissed silently
        o.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        o.setExperimentalOption("prefs", java.util.Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        driver = new ChromeDriver(service, o);
        driver.executeCdpCommand("Browser.setDownloadBehavior", java.util.Map.of("behavior", "allow",
                "downloadPath", downloads.toString()));
    }

    /**
     * A wait that polls every 25 ms and retries a condition whose element the page re-rendered meanwhile (a saved form
     * is drawn again from the server's answer: an element found a moment earlier is then stale, which says nothing
     * about what the user sees).
     */
    WebDriverWait await(long millis) {
        return (WebDriverWait) new WebDriverWait(driver, Duration.ofMillis(millis)).pollingEvery(Duration.ofMillis(25))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    WebElement visible(By by, long millis) {
        return await(millis).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void screenshot(String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> s = Files.walk(profile)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // a leftover temp profile is harmless
            }
        }
    }

    static List<String> texts(List<WebElement> els) {
        return els.stream().map(WebElement::getText).toList();
    }
}
