package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** One line per interval, the rest counted and reported with the next line (a fake clock). */
class LogLimiterTest {

    @Test
    void firstOccurrenceLogs_repeatsWithinTheIntervalAreCounted_theNextLineCarriesTheCount() {
        AtomicLong now = new AtomicLong(1_000);
        LogLimiter limiter = new LogLimiter(Duration.ofSeconds(10), now::get);
        assertEquals(0, limiter.admit(), "the first one is logged");
        for (int i = 0; i < 1_999; i++) {
            assertEquals(-1, limiter.admit(), "within the interval: counted only");
        }
        now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        assertEquals(-1, limiter.admit(), "one nanosecond early");
        now.addAndGet(1);
        assertEquals(2_000, limiter.admit(), "the next line reports what was suppressed");
        assertEquals(-1, limiter.admit());
    }
}
