package org.callpark.spi.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue 14 R3: the shipped fail2ban filter ({@code docs/fail2ban/callpark.conf}) finds the source address in the line
 * {@link FailureLimiter} really logs (for SIP digest, the REST/web login and the metrics endpoint alike) (captured from the logger, laid out as Karaf's pax-logging pattern writes it to
 * {@code karaf.log}), and a crafted username cannot make it ban another address. If {@code fail2ban-regex} is on the
 * PATH, it is run on the same lines too.
 */
class Fail2banFilterTest {

    private static final Path FILTER = Path.of("..", "docs", "fail2ban", "callpark.conf");

    @Test
    void theFilterFindsTheSourceOfTheLoggedFailure() throws Exception {
        String line = karafLine(logged("sip", "192.0.2.7", "103", "example.com", "bad-password"));
        assertTrue(line.endsWith("| callpark auth failure: service=sip source=192.0.2.7 user=103 realm=example.com"
                + " reason=bad-password"), line);
        assertEquals("192.0.2.7", host(line));
        assertEquals("2001:db8::7", host(karafLine(logged("sip", "2001:db8::7", "103", "example.com",
                "uri-mismatch"))));
    }

    @Test
    void theAssemblysPatternWithItsMdcColumnMatchesToo() throws Exception {
        String message = logged("rest", "192.0.2.7", "karaf", "karaf", "bad-password");
        String empty = String.format("2026-12-07T02:40:01,123 | %-5s | %-16s | %-32s | %s | | %s", "INFO", "qtp1-17",
                "FailureLimiter", "58 - org.callpark.api - 0.1.0", message);
        assertEquals("192.0.2.7", host(empty), empty);
        String withCall = String.format("2026-12-07T02:40:01,123 | %-5s | %-16s | %-32s | %s | %s | %s", "INFO",
                "EventScannerThread", "FailureLimiter", "58 - org.callpark.api - 0.1.0",
                "call-id=a84b4c76e66710@pc33 tenant=default", logged("sip", "2001:db8::7", "103", "example.com",
                        "bad-password"));
        assertEquals("2001:db8::7", host(withCall), withCall);
    }

    @Test
    void aCraftedUsernameCannotNameAnotherSource() throws Exception {
        String line = karafLine(logged("sip", "192.0.2.7", "x source=198.51.100.1 user=y", "example.com|z",
                "unknown-user"));
        assertEquals("192.0.2.7", host(line), line);
        assertFalse(line.contains("198.51.100.1 "), line);
    }

    @Test
    void otherLinesDoNotMatch() throws Exception {
        String message = logged("sip", "192.0.2.7", "103", "example.com", "bad-password");
        String other = karafLine(message).replace("| FailureLimiter    ", "| SipDispatcher     ");
        assertEquals(null, host(other), "another logger quoting the text");
    }

    @Test
    void fail2banRegexAgreesWhenInstalled() throws Exception {
        Path tool = Stream.of(System.getenv("PATH").split(":")).map(p -> Path.of(p, "fail2ban-regex"))
                .filter(Files::isExecutable).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(tool != null, "fail2ban-regex not installed");
        Path log = Files.createTempFile("callpark-f2b", ".log");
        Files.write(log, List.of(karafLine(logged("sip", "192.0.2.7", "103", "example.com", "bad-password"))));
        Process p = new ProcessBuilder(tool.toString(), log.toString(), FILTER.toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("1 matched"), out);
    }

    /** What {@link FailureLimiter#failed} logs (the message, as slf4j hands it to the appender). */
    private static String logged(String service, String source, String user, String realm, String reason) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            new FailureLimiter(service, Clock.systemUTC()).failed(source, user, realm, reason,
                    new FailureLimiter.Limits(10, Duration.ofMinutes(1), 5, Duration.ofMinutes(5)));
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8).strip();
        int at = text.indexOf("callpark auth failure:");
        assertTrue(at >= 0, "logged: " + text);
        return text.substring(at);
    }

    /** {@code message} as Karaf's {@code log4j2.pattern} writes it to karaf.log. */
    private static String karafLine(String message) {
        return String.format("2026-12-07T02:40:01,123 | %-5s | %-16s | %-32s | %s | %s", "INFO",
                "EventScannerThread", "FailureLimiter", "58 - org.callpark.api - 0.1.0.202612070240", message);
    }

    /** The host fail2ban's failregex takes from {@code line} (date stripped as fail2ban does), or null. */
    private static String host(String line) throws Exception {
        String failregex = Files.readAllLines(FILTER).stream().filter(l -> l.startsWith("failregex"))
                .findFirst().orElseThrow().replaceFirst("failregex\\s*=\\s*", "");
        Pattern p = Pattern.compile(failregex.replace("<HOST>", "(?<host>[0-9A-Fa-f.:]+)"));
        Matcher m = p.matcher(line.replaceFirst("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,\\d{3}", ""));
        return m.find() ? m.group("host") : null;
    }
}
