package org.callpark.history.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryUnavailableException;
import org.callpark.api.history.ParkHistory;

/**
 * The {@link ParkHistory} read side and the connections of the writer: a data source (from the driver's
 * {@code DataSourceFactory}, or none yet), with the schema migrated on the first connection that works. One connection
 * per read; the writer keeps its own.
 */
final class HistoryStore implements ParkHistory {

    /** The current data source; empty while the driver's DataSourceFactory is not there. */
    interface Source {
        Optional<DataSource> dataSource();
    }

    private final Source source;
    private final String description;
    private volatile boolean migrated;

    /**
     * @param description for messages to people: which database (no password)
     */
    HistoryStore(Source source, String description) {
        this.source = source;
        this.description = description;
    }

    /** Whether the JDBC driver's data source is there (the database itself may still be unreachable). */
    boolean hasDataSource() {
        return source.dataSource().isPresent();
    }

    /** A new connection to a migrated database. */
    Connection open() throws SQLException {
        DataSource ds = source.dataSource().orElseThrow(
                () -> new SQLException("the JDBC driver of the " + description + " is not installed"));
        Connection c = ds.getConnection();
        try {
            if (!migrated) {
                synchronized (this) {
                    if (!migrated) {
                        Schema.migrate(c);
                        migrated = true;
                    }
                }
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public HistoryPage find(HistoryQuery query) throws HistoryUnavailableException {
        // a bad cursor is the caller's error, not the database's: thrown before connecting
        if (!query.cursor().isEmpty()) {
            HistoryCursor.decode(query.cursor());
        }
        try (Connection c = open()) {
            return HistoryDatabase.find(c, query);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<HistoryRecord> get(String callId) throws HistoryUnavailableException {
        try (Connection c = open()) {
            return HistoryDatabase.get(c, callId);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private HistoryUnavailableException unavailable(SQLException e) {
        return new HistoryUnavailableException("the " + description + " cannot be read: " + e.getMessage(), e);
    }
}
