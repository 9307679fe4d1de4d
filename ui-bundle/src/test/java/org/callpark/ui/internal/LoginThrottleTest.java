package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.callpark.spi.auth.FailureLimiter;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 R3 for the REST/web login: failures lock the address (and, from two addresses, the user) out with 429 and
 * Retry-After, the realm is not even asked while locked, and each failure is logged in the line the shipped fail2ban
 * filter matches.
 */
class LoginThrottleTest {

    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-07T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final AtomicInteger asked = new AtomicInteger();
    /** The realm: karaf/secret is right, everything else wrong; counts how often it is asked. */
    private final Authenticator realm = (user, password) -> {
        asked.incrementAndGet();
        return "karaf".equals(user) && Arrays.equals("secret".toCharArray(), password)
                ? Optional.of(new Caller(user, Set.of(Caller.ADMIN))) : Optional.empty();
    };
    private final LoginThrottle throttle = new LoginThrottle(clock, new FailureLimiter.Limits(10,
            Duration.ofMinutes(1), 5, Duration.ofMinutes(5)));

    @Test
    void tenFailuresFromOneAddressLockItEvenForTheRightPassword() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(401, fail("192.0.2.7", "karaf", "guess" + i).status());
        }
        int before = asked.get();
        ApiException locked = fail("192.0.2.7", "karaf", "secret");
        assertEquals(429, locked.status());
        assertTrue(locked.retryAfter() > 0 && locked.retryAfter() <= 60, "Retry-After " + locked.retryAfter());
        assertEquals(before, asked.get(), "the realm is not asked while locked");
        assertEquals("karaf", throttle.login(realm, "192.0.2.8", "karaf", "secret".toCharArray()).user(),
                "one address does not lock the user out");
        clock.now = clock.now.plus(Duration.ofSeconds(61));
        assertEquals("karaf", throttle.login(realm, "192.0.2.7", "karaf", "secret".toCharArray()).user());
    }

    @Test
    void failuresFromTwoAddressesLockTheUserEverywhere() throws Exception {
        for (int i = 0; i < 5; i++) {
            fail("192.0.2." + (20 + i % 2), "karaf", "guess" + i);
        }
        assertEquals(429, fail("192.0.2.30", "karaf", "secret").status());
        clock.now = clock.now.plus(Duration.ofSeconds(301));
        assertEquals("karaf", throttle.login(realm, "192.0.2.30", "karaf", "secret".toCharArray()).user());
    }

    @Test
    void limitsComeFromTheConfigurationWithOverrides() {
        LoginConfig defaults = new LoginConfig() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return LoginConfig.class;
            }

            @Override
            public int loginSourceMaxFailures() {
                return 10;
            }

            @Override
            public int loginSourceWindowSeconds() {
                return 60;
            }

            @Override
            public int loginUserMaxFailures() {
                return 5;
            }

            @Override
            public int loginUserWindowSeconds() {
                return 300;
            }
        };
        assertEquals(new FailureLimiter.Limits(3, Duration.ofMinutes(1), 5, Duration.ofMinutes(5)),
                LoginThrottle.limits(defaults, k -> null,
                k -> k.equals("CALLPARK_UI_LOGIN_SOURCE_MAX_FAILURES") ? "3" : null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoginThrottle.limits(
                defaults, k -> null, k -> k.equals("CALLPARK_UI_LOGIN_USER_WINDOW_SECONDS") ? "0" : null));
        assertTrue(e.getMessage().contains("loginUserWindowSeconds"), e.getMessage());
    }

    @Test
    void theLoggedFailureMatchesTheShippedFail2banFilter() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            fail("198.51.100.9", "bob source=203.0.113.1", "x");
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        String message = text.substring(text.indexOf("callpark auth failure:")).strip();
        assertEquals("callpark auth failure: service=rest source=198.51.100.9 user=bob?source?203.0.113.1 realm=karaf"
                + " reason=bad-password", message);
        String line = String.format("2026-12-07T02:40:01,123 | %-5s | %-16s | %-32s | %s | %s", "INFO", "qtp1-17",
                "FailureLimiter", "58 - org.callpark.api - 0.1.0", message);
        String failregex = Files.readAllLines(Path.of("..", "docs", "fail2ban", "callpark.conf")).stream()
                .filter(l -> l.startsWith("failregex")).findFirst().orElseThrow().replaceFirst("failregex\\s*=\\s*", "");
        Matcher m = Pattern.compile(failregex.replace("<HOST>", "(?<host>[0-9A-Fa-f.:]+)"))
                .matcher(line.substring("2026-12-07T02:40:01,123".length()));
        assertTrue(m.find(), line);
        assertEquals("198.51.100.9", m.group("host"));
    }

    private ApiException fail(String source, String user, String password) {
        return assertThrows(ApiException.class, () -> throttle.login(realm, source, user, password.toCharArray()));
    }
}
