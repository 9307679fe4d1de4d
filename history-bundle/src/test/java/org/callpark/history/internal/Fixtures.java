package org.callpark.history.internal;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import javax.sql.DataSource;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryStep;
import org.h2.util.OsgiDataSourceFactory;
import org.osgi.service.jdbc.DataSourceFactory;

/** Calls, records and real H2 databases (through H2's own DataSourceFactory, as the bundle gets it in Karaf). */
final class Fixtures {

    static final String LOCAL = "node-a";
    static final String OTHER = "node-b";
    static final Instant T0 = Instant.parse("2026-12-07T10:42:00Z");

    private Fixtures() {
    }

    static ParkedCall parked(String id, SlotId slot, String node) {
        RecallPolicy policy = new RecallPolicy(RecallMode.USER_THEN_RING_GROUP, "sales", List.of("201", "202"),
                Duration.ofSeconds(20), Duration.ZERO, 2);
        return new ParkedCall(id, slot, CallerId.of("+4930123", "Customer"), "101", "", T0, 1, CallState.PARKED,
                null, 0, policy, node, "leg", T0.plusSeconds(60), 1);
    }

    static ParkEvent event(ParkEvent.Type type, ParkedCall call, Instant at) {
        return new ParkEvent(type, call, at);
    }

    static HistoryRecord record(String id, String tenant, String slot, Instant endedAt, Resolution how) {
        SlotId s = SlotId.extension(TenantId.of(tenant), slot);
        return new HistoryRecord(id, s, CallerId.of("+4930123", "Customer"), "101", "", endedAt.minusSeconds(12),
                endedAt, how, how == Resolution.ANSWERED ? "103" : "", 0, LOCAL,
                List.of(new HistoryStep(endedAt.minusSeconds(12), ParkEvent.Type.PARKED, "by 101", LOCAL),
                        new HistoryStep(endedAt, ParkEvent.Type.of(how), "", LOCAL)));
    }

    /** A fresh in-memory H2 database, kept open as long as the JVM runs. */
    static DataSource h2() {
        return h2("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    static DataSource h2(String url) {
        Properties p = new Properties();
        p.setProperty(DataSourceFactory.JDBC_URL, url);
        try {
            return new OsgiDataSourceFactory(new org.h2.Driver()).createDataSource(p);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static HistoryStore store(DataSource ds) {
        return new HistoryStore(() -> Optional.of(ds), "test database");
    }

    static HistorySettings settings(int batchSize, int capacity, int retentionDays) {
        return new HistorySettings("jdbc:h2:mem:x", HistorySettings.H2_DRIVER, false, "", "", retentionDays,
                batchSize, capacity, 1000);
    }
}
