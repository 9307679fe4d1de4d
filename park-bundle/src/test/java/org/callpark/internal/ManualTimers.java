package org.callpark.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Timers on a clock that only moves when a test says so. */
final class ManualTimers implements Timers {

    private final class Task implements Timer {
        final Instant at;
        final long order;
        final Runnable runnable;
        boolean cancelled;

        Task(Instant at, long order, Runnable runnable) {
            this.at = at;
            this.order = order;
            this.runnable = runnable;
        }

        @Override
        public void cancel() {
            synchronized (ManualTimers.this) {
                cancelled = true;
                tasks.remove(this);
            }
        }
    }

    private final List<Task> tasks = new ArrayList<>();
    private volatile Instant now;
    private long counter;

    ManualTimers(Instant start) {
        this.now = start;
    }

    @Override
    public Clock clock() {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    @Override
    public synchronized Timer schedule(Instant at, Runnable runnable) {
        Task task = new Task(at, counter++, runnable);
        tasks.add(task);
        return task;
    }

    /** Moves the clock forward, running every task that comes due on the way, in time order. */
    void advance(Duration by) {
        Instant end = now.plus(by);
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.at.isAfter(end))
                        .min(Comparator.comparing((Task t) -> t.at).thenComparingLong(t -> t.order)).orElse(null);
                if (next == null) {
                    now = end;
                    return;
                }
                tasks.remove(next);
                if (next.at.isAfter(now)) {
                    now = next.at;
                }
            }
            next.runnable.run();
        }
    }

    synchronized int pending() {
        return tasks.size();
    }

    @Override
    public void close() {
    }
}
