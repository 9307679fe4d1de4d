package org.callpark.history.internal;

import static org.callpark.history.internal.Fixtures.T0;
import static org.callpark.history.internal.Fixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.callpark.api.Resolution;
import org.callpark.api.history.HistoryQuery;
import org.junit.jupiter.api.Test;

class HistoryWriterTest {

    private final DataSource h2 = Fixtures.h2();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger commits = new AtomicInteger();

    /** The real H2 database, unreachable while {@link #down} is set; counts committed transactions. */
    private final HistoryStore store = new HistoryStore(() -> Optional.of(switchable()), "test database");

    private DataSource switchable() {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (p, m, args) -> {
                    if (m.getName().equals("getConnection")) {
                        if (down.get()) {
                            throw new SQLException("Connection refused (test outage)");
                        }
                        return counting(h2.getConnection());
                    }
                    return m.invoke(h2, args);
                });
    }

    private Connection counting(Connection c) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (p, m, args) -> {
                    if (down.get() && !m.getName().equals("close")) {
                        throw new SQLException("Connection reset (test outage)");
                    }
                    if (m.getName().equals("commit")) {
                        commits.incrementAndGet();
                    }
                    try {
                        return m.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void queuedRecordsAreWrittenInBatchesOfBatchSize() throws Exception {
        try (Connection c = store.open()) {
            // migrated: the schema's own commit is not counted below
        }
        commits.set(0);
        HistoryWriter writer = new HistoryWriter(store, Fixtures.settings(100, 1000, 0), Clock.systemUTC(),
                Duration.ofMillis(10), Duration.ofMillis(50));
        for (int i = 0; i < 250; i++) {
            writer.offer(record("c" + i, "acme", "101", T0.plusMillis(i), Resolution.ANSWERED));
        }
        writer.start();
        await(() -> writer.written() == 250);
        writer.stop(Duration.ofSeconds(2));
        assertEquals(3, commits.get(), "100 + 100 + 50");
        assertEquals(250, store.find(new HistoryQuery(java.util.Set.of(), "", null, null, 1000, "")).records().size());
    }

    @Test
    void anOutageKeepsRecordsUpToTheCapacityDropsTheOldestAndWritesTheRestWhenTheDatabaseReturns() throws Exception {
        HistoryWriter writer = new HistoryWriter(store, Fixtures.settings(10, 5, 0), Clock.systemUTC(),
                Duration.ofMillis(10), Duration.ofMillis(50));
        writer.start();
        writer.offer(record("before", "acme", "101", T0, Resolution.ANSWERED));
        await(() -> writer.written() == 1);

        down.set(true);
        writer.offer(record("first", "acme", "101", T0.plusSeconds(1), Resolution.ANSWERED));
        await(writer::unreachable);
        for (int i = 0; i < 7; i++) {
            long before = System.nanoTime();
            writer.offer(record("during-" + i, "acme", "101", T0.plusSeconds(2 + i), Resolution.ABANDONED));
            assertTrue(System.nanoTime() - before < 50_000_000, "offer never waits for the database");
        }
        assertEquals(5, writer.queued());
        assertEquals(3, writer.dropped(), "'first', during-0 and during-1 were the oldest");

        down.set(false);
        await(() -> writer.written() == 6);
        writer.stop(Duration.ofSeconds(2));
        List<String> ids = store.find(HistoryQuery.latest()).records().stream().map(r -> r.callId()).toList();
        assertEquals(List.of("during-6", "during-5", "during-4", "during-3", "during-2", "before"), ids);
        assertTrue(!writer.unreachable());
    }

    @Test
    void theWriterPurgesExpiredRecordsOnItsOwnThread() throws Exception {
        Instant now = T0.plus(Duration.ofDays(91));
        HistoryWriter writer = new HistoryWriter(store, Fixtures.settings(10, 100, 90),
                Clock.fixed(now, ZoneOffset.UTC), Duration.ofMillis(10), Duration.ofMillis(50), Duration.ZERO);
        writer.offer(record("expired", "acme", "101", T0, Resolution.ANSWERED));
        writer.offer(record("kept", "acme", "101", now.minus(Duration.ofDays(89)), Resolution.ANSWERED));
        writer.start();
        await(() -> writer.written() == 2);
        // the purge ran in the same round as the first batch, after it
        writer.stop(Duration.ofSeconds(2));
        assertEquals(List.of("kept"), store.find(HistoryQuery.latest()).records().stream().map(r -> r.callId())
                .toList());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
