package org.callpark.history.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.callpark.api.history.HistoryRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes history records: {@link #offer} never waits (the park events' dispatcher thread calls
 * it); the thread takes up to {@code batchSize} records per transaction. While the database is unreachable, records are
 * kept up to {@code capacity} and after that the oldest are dropped; the outage is logged once when it starts and once
 * when it ends, with how many records were lost ({@code history: database unreachable since …, 12 records dropped}).
 * Retries back off from {@code minBackoff} to {@code maxBackoff}. The same thread purges expired records hourly.
 */
final class HistoryWriter {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryWriter.class);
    static final Duration PURGE_EVERY = Duration.ofHours(1);
    /**
     * The first purge runs this long after the start, not at once: the JDBC driver's DataSourceFactory may still be
     * coming up with the bundle, and a purge that found no driver would report an outage at every start.
     */
    static final Duration FIRST_PURGE_AFTER = Duration.ofMinutes(1);
    /** How long the writer waits at start for the JDBC driver's DataSourceFactory before it connects. */
    static final Duration DRIVER_WAIT = Duration.ofSeconds(10);

    private final HistoryStore store;
    private final int batchSize;
    private final int capacity;
    private final int retentionDays;
    private final Clock clock;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Deque<HistoryRecord> queue = new ArrayDeque<>();
    private final Thread thread;

    private Connection connection;
    private Instant outageSince;
    private long dropped;
    private long droppedTotal;
    private long written;
    private Instant nextPurge;
    private volatile boolean stopping;

    HistoryWriter(HistoryStore store, HistorySettings settings, Clock clock, Duration minBackoff,
            Duration maxBackoff) {
        this(store, settings, clock, minBackoff, maxBackoff, FIRST_PURGE_AFTER);
    }

    HistoryWriter(HistoryStore store, HistorySettings settings, Clock clock, Duration minBackoff,
            Duration maxBackoff, Duration firstPurgeAfter) {
        this.store = store;
        this.batchSize = settings.batchSize();
        this.capacity = settings.queueCapacity();
        this.retentionDays = settings.retentionDays();
        this.clock = clock;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.nextPurge = clock.instant().plus(firstPurgeAfter);
        this.thread = new Thread(this::run, "callpark-history-writer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues one record; never blocks. When the queue is full, the oldest record is dropped (and counted). */
    void offer(HistoryRecord record) {
        synchronized (queue) {
            if (queue.size() >= capacity) {
                queue.pollFirst();
                dropped++;
                droppedTotal++;
            }
            queue.addLast(record);
            queue.notifyAll();
        }
    }

    /** Records waiting. */
    int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /** Records written since start. */
    long written() {
        synchronized (queue) {
            return written;
        }
    }

    /** Records dropped since start. */
    long dropped() {
        synchronized (queue) {
            return droppedTotal;
        }
    }

    /** Whether the last attempt to reach the database failed. */
    boolean unreachable() {
        synchronized (queue) {
            return outageSince != null;
        }
    }

    /** Stops the thread after one last attempt (at most {@code wait}) to write what is queued. */
    void stop(Duration wait) {
        stopping = true;
        synchronized (queue) {
            queue.notifyAll();
        }
        try {
            thread.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        synchronized (queue) {
            if (!queue.isEmpty() || dropped > 0 && outageSince != null) {
                LOG.warn("history: stopped with {} records not written{}", queue.size(),
                        outageSince != null ? "; database unreachable since " + outageSince + ", " + dropped
                                + " records dropped" : "");
            }
        }
    }

    private void run() {
        Duration backoff = minBackoff;
        connectEarly();
        while (true) {
            List<HistoryRecord> batch = new ArrayList<>();
            synchronized (queue) {
                while (queue.isEmpty() && !stopping && !purgeDue()) {
                    try {
                        queue.wait(1000);
                    } catch (InterruptedException e) {
                        closeConnection();
                        return;
                    }
                }
                if (queue.isEmpty() && stopping) {
                    break;
                }
                int n = Math.min(batchSize, queue.size());
                var it = queue.iterator();
                for (int i = 0; i < n; i++) {
                    batch.add(it.next());
                }
            }
            try {
                Connection c = connection();
                if (!batch.isEmpty()) {
                    HistoryDatabase.insert(c, batch);
                }
                if (purgeDue()) {
                    purge(c);
                }
                committed(batch);
                backoff = minBackoff;
            } catch (SQLException | RuntimeException e) {
                closeConnection();
                failed(e);
                if (stopping) {
                    break;
                }
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
        closeConnection();
    }

    /**
     * Connects (and so creates or migrates the schema) as soon as the driver is there, at most {@link #DRIVER_WAIT}
     * after the start, so that a wrong URL or password shows in the log at start, not at the first ended call. A
     * driver still missing then is reported with the first record.
     */
    private void connectEarly() {
        long deadline = System.nanoTime() + DRIVER_WAIT.toNanos();
        try {
            while (!store.hasDataSource() && !stopping && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!store.hasDataSource() || stopping) {
            return;
        }
        try {
            connection();
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            failed(e);
        }
    }

    private boolean purgeDue() {
        return retentionDays > 0 && !clock.instant().isBefore(nextPurge);
    }

    private void purge(Connection c) throws SQLException {
        Instant before = clock.instant().minus(Duration.ofDays(retentionDays));
        int n = HistoryDatabase.purge(c, before);
        nextPurge = clock.instant().plus(PURGE_EVERY);
        if (n > 0) {
            LOG.info("history: {} records of calls that ended before {} deleted (retention {} days)", n, before,
                    retentionDays);
        }
    }

    /** The batch is in the database: take it off the queue (only what is still at its head: drops may have won). */
    private void committed(List<HistoryRecord> batch) {
        synchronized (queue) {
            for (HistoryRecord r : batch) {
                if (queue.peekFirst() == r) {
                    queue.pollFirst();
                }
            }
            written += batch.size();
            if (outageSince != null) {
                Duration down = Duration.between(outageSince, clock.instant());
                if (dropped > 0) {
                    LOG.warn("history: database unreachable since {}, {} records dropped; writing again after {} s",
                            outageSince, dropped, down.toSeconds());
                } else {
                    LOG.info("history: database reachable again after {} s, no record lost", down.toSeconds());
                }
                outageSince = null;
                dropped = 0;
            }
        }
    }

    private void failed(Exception e) {
        synchronized (queue) {
            if (outageSince == null) {
                outageSince = clock.instant();
                LOG.warn("history: database unreachable since {} ({}); keeping up to {} records until it returns",
                        outageSince, e.getMessage(), capacity);
                LOG.debug("history: database error", e);
                dropped = 0;
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = store.open();
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("history: closing the connection failed", e);
            }
            connection = null;
        }
    }
}
