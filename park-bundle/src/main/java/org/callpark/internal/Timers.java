package org.callpark.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The clock and timers of the park service, behind an interface so that tests drive time by hand.
 */
interface Timers extends AutoCloseable {

    /** A timer that can be cancelled. */
    interface Timer {
        void cancel();
    }

    Clock clock();

    default Instant now() {
        return clock().instant();
    }

    /** Runs {@code task} at {@code at} (at once if that has passed). */
    Timer schedule(Instant at, Runnable task);

    @Override
    void close();

    /** Real time on one scheduler thread shared by every timer of the service. */
    static Timers system(String threadName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return new SystemTimers(Clock.systemUTC(), executor);
    }

    /** Timers on a real clock and executor. */
    final class SystemTimers implements Timers {
        private final Clock clock;
        private final ScheduledExecutorService executor;

        SystemTimers(Clock clock, ScheduledExecutorService executor) {
            this.clock = clock;
            this.executor = executor;
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public Timer schedule(Instant at, Runnable task) {
            long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
            ScheduledFuture<?> future = executor.schedule(task, delay, TimeUnit.MILLISECONDS);
            return () -> future.cancel(false);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
