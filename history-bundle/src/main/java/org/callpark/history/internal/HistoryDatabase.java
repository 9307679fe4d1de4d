package org.callpark.history.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.SlotKind;
import org.callpark.api.TenantId;
import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryStep;

/**
 * The SQL of the history on one JDBC connection (the tables of {@link Schema}): insert a batch, find a page by keyset,
 * get one call with its steps, purge by age. Plain JDBC that H2 and PostgreSQL both run; stateless and thread-safe.
 */
final class HistoryDatabase {

    private static final String COLUMNS = "call_id, tenant, slot_kind, slot_name, caller_number, caller_name,"
            + " parked_by, park_group, parked_at, ended_at, resolution, resolved_by, recall_attempts, node";

    private HistoryDatabase() {
    }

    /**
     * Inserts the records and their steps in one transaction. A record already there (a batch retried after its commit
     * was not acknowledged) is skipped, not an error.
     */
    static void insert(Connection c, List<HistoryRecord> records) throws SQLException {
        c.setAutoCommit(false);
        try {
            insertAll(c, records);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            if (!isConstraint(e) || records.size() == 1) {
                if (isConstraint(e)) {
                    return; // the one record is there already
                }
                throw e;
            }
            for (HistoryRecord r : records) { // find the duplicates one by one
                insert(c, List.of(r));
            }
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static void insertAll(Connection c, List<HistoryRecord> records) throws SQLException {
        try (PreparedStatement call = c.prepareStatement("INSERT INTO calls (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                PreparedStatement step = c.prepareStatement(
                        "INSERT INTO steps (call_id, seq, step_at, type, detail, node) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (HistoryRecord r : records) {
                call.setString(1, cut(r.callId(), 64));
                call.setString(2, cut(r.slot().tenant().value(), 64));
                call.setString(3, r.slot().kind().token());
                call.setString(4, cut(r.slot().name(), 128));
                call.setString(5, cut(r.caller().number(), 128));
                call.setString(6, cut(r.caller().displayName(), 255));
                call.setString(7, cut(r.parkedBy(), 128));
                call.setString(8, cut(r.parkGroup(), 128));
                call.setObject(9, utc(r.parkedAt()));
                call.setObject(10, utc(r.endedAt()));
                call.setString(11, r.resolution().name());
                call.setString(12, cut(r.resolvedBy(), 128));
                call.setInt(13, r.recallAttempts());
                call.setString(14, cut(r.node(), 64));
                call.addBatch();
                int seq = 0;
                for (HistoryStep s : r.steps()) {
                    step.setString(1, cut(r.callId(), 64));
                    step.setInt(2, seq++);
                    step.setObject(3, utc(s.at()));
                    step.setString(4, s.type().name());
                    step.setString(5, cut(s.detail(), 255));
                    step.setString(6, cut(s.node(), 64));
                    step.addBatch();
                }
            }
            call.executeBatch();
            step.executeBatch();
        }
    }

    /** One page, newest {@code ended_at} first (ties by call id), with the cursor of the next page if there is one. */
    static HistoryPage find(Connection c, HistoryQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM calls WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (!q.tenants().isEmpty()) {
            sql.append(" AND tenant IN (").append("?, ".repeat(q.tenants().size() - 1)).append("?)");
            q.tenants().forEach(t -> args.add(t.value()));
        }
        if (!q.slot().isEmpty()) {
            sql.append(" AND slot_name = ?");
            args.add(q.slot().toLowerCase(java.util.Locale.ROOT));
        }
        if (q.since() != null) {
            sql.append(" AND ended_at >= ?");
            args.add(utc(q.since()));
        }
        if (q.until() != null) {
            sql.append(" AND ended_at < ?");
            args.add(utc(q.until()));
        }
        if (!q.cursor().isEmpty()) {
            HistoryCursor cursor = HistoryCursor.decode(q.cursor());
            sql.append(" AND (ended_at < ? OR (ended_at = ? AND call_id < ?))");
            args.add(utc(cursor.endedAt()));
            args.add(utc(cursor.endedAt()));
            args.add(cursor.callId());
        }
        sql.append(" ORDER BY ended_at DESC, call_id DESC LIMIT ?");
        args.add(q.limit() + 1);
        List<HistoryRecord> records = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                p.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    records.add(record(rs, List.of()));
                }
            }
        }
        String next = "";
        if (records.size() > q.limit()) {
            records = records.subList(0, q.limit());
            HistoryRecord last = records.get(records.size() - 1);
            next = new HistoryCursor(last.endedAt(), last.callId()).encode();
        }
        return new HistoryPage(records, next);
    }

    /** One call with its steps. */
    static Optional<HistoryRecord> get(Connection c, String callId) throws SQLException {
        List<HistoryStep> steps = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(
                "SELECT step_at, type, detail, node FROM steps WHERE call_id = ? ORDER BY seq")) {
            p.setString(1, callId);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    steps.add(new HistoryStep(instant(rs, 1), ParkEvent.Type.valueOf(rs.getString(2)),
                            rs.getString(3), rs.getString(4)));
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM calls WHERE call_id = ?")) {
            p.setString(1, callId);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(record(rs, steps)) : Optional.empty();
            }
        }
    }

    /** Deletes the calls that ended before {@code before}, with their steps; how many calls. */
    static int purge(Connection c, Instant before) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement steps = c.prepareStatement(
                "DELETE FROM steps WHERE call_id IN (SELECT call_id FROM calls WHERE ended_at < ?)");
                PreparedStatement calls = c.prepareStatement("DELETE FROM calls WHERE ended_at < ?")) {
            steps.setObject(1, utc(before));
            steps.executeUpdate();
            calls.setObject(1, utc(before));
            int n = calls.executeUpdate();
            c.commit();
            return n;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static HistoryRecord record(ResultSet rs, List<HistoryStep> steps) throws SQLException {
        SlotId slot = new SlotId(TenantId.of(rs.getString(2)), SlotKind.fromToken(rs.getString(3)), rs.getString(4));
        return new HistoryRecord(rs.getString(1), slot, CallerId.of(rs.getString(5), rs.getString(6)),
                rs.getString(7), rs.getString(8), instant(rs, 9), instant(rs, 10),
                Resolution.valueOf(rs.getString(11)), rs.getString(12), rs.getInt(13), rs.getString(14), steps);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), ZoneOffset.UTC);
    }

    private static boolean isConstraint(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
