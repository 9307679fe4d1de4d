package org.callpark.history.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and migrates the history's tables: versioned SQL scripts of ours ({@code V<n>__*.sql} next to this class),
 * each applied once in its own transaction and recorded in {@code schema_version}. Flyway was not used: one script
 * today, and its class-path scanning is a known pain inside OSGi.
 */
final class Schema {

    private static final Logger LOG = LoggerFactory.getLogger(Schema.class);

    /** The scripts in order; the index + 1 is the version. */
    static final List<String> SCRIPTS = List.of("V1__history.sql");

    private Schema() {
    }

    /** The newest version. */
    static int latest() {
        return SCRIPTS.size();
    }

    /**
     * Brings the database to the {@link #latest()} schema.
     *
     * @return the version it had before (0 for a new database)
     * @throws SQLException when the database refuses (nothing half-applied stays: each script is one transaction on
     *                      databases with transactional DDL, PostgreSQL; H2 re-runs its IF NOT EXISTS statements)
     */
    static int migrate(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                    + " applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
        int current;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            current = rs.getInt(1);
        }
        if (current > latest()) {
            throw new SQLException("history schema version " + current + " is newer than this bundle's " + latest()
                    + ": a newer node migrated the database");
        }
        c.setAutoCommit(false);
        try {
            for (int v = current + 1; v <= latest(); v++) {
                try (Statement s = c.createStatement()) {
                    for (String sql : statements(SCRIPTS.get(v - 1))) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
                    p.setInt(1, v);
                    p.setObject(2, OffsetDateTime.now(ZoneOffset.UTC));
                    p.executeUpdate();
                }
                c.commit();
                LOG.info("history: database schema migrated to version {}", v);
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return current;
    }

    /** The statements of a script: split at ';' ending a line, comment lines dropped. */
    static List<String> statements(String script) {
        String text;
        try (InputStream in = Schema.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IllegalStateException("missing schema script " + script);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read schema script " + script, e);
        }
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("--")) {
                continue;
            }
            sb.append(line).append('\n');
            if (t.endsWith(";")) {
                String sql = sb.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                sb.setLength(0);
            }
        }
        return out;
    }
}
