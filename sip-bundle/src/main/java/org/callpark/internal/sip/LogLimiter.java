package org.callpark.internal.sip;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for something a peer can make happen on every packet (a malformed request, a
 * request the stack cannot answer): the first occurrence is logged, further ones within the interval are only
 * counted, and the next line that is let through carries that count. Without it, 2,000 bad UDP packets wrote 1,144
 * WARN lines (429 KB) in 3.6 s: a cheap way to fill an operator's disk and drown real problems.
 */
final class LogLimiter {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    LogLimiter(java.time.Duration interval) {
        this(interval, System::nanoTime);
    }

    LogLimiter(java.time.Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.nextAllowed = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Whether this occurrence may be logged.
     *
     * @return -1 if not (it is counted), else the number of occurrences suppressed since the last logged one
     */
    long admit() {
        long now = nanoClock.getAsLong();
        long next = nextAllowed.get();
        if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
