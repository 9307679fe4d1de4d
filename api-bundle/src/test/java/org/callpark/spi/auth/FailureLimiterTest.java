package org.callpark.spi.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** The lock rules every password-checking service shares (SIP digest, REST/web login, metrics). */
class FailureLimiterTest {

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

    private static final FailureLimiter.Limits LIMITS = new FailureLimiter.Limits(10, Duration.ofMinutes(1), 5,
            Duration.ofMinutes(5));

    private final TestClock clock = new TestClock();
    private final FailureLimiter limiter = new FailureLimiter("sip", clock);

    @Test
    void oneAddressIsLockedAfterItsMaximumButDoesNotLockTheUser() {
        for (int i = 0; i < 9; i++) {
            limiter.failed("192.0.2.7", "103", "example.com", "bad-password", LIMITS);
        }
        assertEquals(0, limiter.sourceLocked("192.0.2.7", LIMITS), "nine of ten");
        clock.now = clock.now.plusSeconds(20);
        limiter.failed("192.0.2.7", "103", "example.com", "bad-password", LIMITS);
        assertEquals(40, limiter.sourceLocked("192.0.2.7", LIMITS), "until the first failure leaves the window");
        assertEquals(0, limiter.userLocked("example.com", "103", LIMITS), "one address cannot lock a user out");
        assertEquals(0, limiter.sourceLocked("192.0.2.8", LIMITS));
        clock.now = clock.now.plusSeconds(41);
        assertEquals(0, limiter.sourceLocked("192.0.2.7", LIMITS));
    }

    @Test
    void failuresFromTwoAddressesLockTheUserInThatRealmOnly() {
        for (int i = 0; i < 5; i++) {
            limiter.failed("192.0.2." + (20 + i % 2), "103", "example.com", "bad-password", LIMITS);
        }
        assertEquals(300, limiter.userLocked("example.com", "103", LIMITS));
        assertEquals(300, limiter.locked("192.0.2.99", "example.com", "103", LIMITS), "from anywhere");
        assertEquals(0, limiter.userLocked("acme.test", "103", LIMITS), "another tenant's 103");
        clock.now = clock.now.plus(Duration.ofSeconds(301));
        assertEquals(0, limiter.userLocked("example.com", "103", LIMITS));
    }

    @Test
    void zeroTurnsACountOffAndLogOnlyLocksNobody() {
        FailureLimiter.Limits off = new FailureLimiter.Limits(0, Duration.ofMinutes(1), 0, Duration.ofMinutes(1));
        for (int i = 0; i < 50; i++) {
            limiter.failed("192.0.2." + (i % 3), "103", "example.com", "bad-password", off);
            limiter.failed("192.0.2.9", "104", "example.com", "replay", FailureLimiter.Limits.LOG_ONLY);
        }
        assertEquals(0, limiter.locked("192.0.2.1", "example.com", "103", LIMITS));
        assertEquals(0, limiter.locked("192.0.2.9", "example.com", "104", LIMITS));
    }

    @Test
    void invalidLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FailureLimiter.Limits(-1, Duration.ofMinutes(1), 5,
                Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new FailureLimiter.Limits(1, Duration.ofMillis(10), 5,
                Duration.ofMinutes(1)));
    }

    @Test
    void safeKeepsOnlyCharactersThatCannotForgeALogLine() {
        assertEquals("bob?source?203.0.113.1??", FailureLimiter.safe("bob source=203.0.113.1\n|"));
        assertEquals("-", FailureLimiter.safe(""));
        assertEquals(64, FailureLimiter.safe("x".repeat(200)).length());
    }
}
