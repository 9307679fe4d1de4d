import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;

/**
 * Inserts/s of the park history's two tables (calls + 2 steps per call) into an embedded file database, H2 or Derby,
 * in transactions of 100 calls, as the history writer does. Used to pick the embedded default (docs/BENCHMARKS.md).
 *
 * java -cp h2.jar:derby.jar:derbyshared.jar bench/HistoryInsertBench.java h2|derby DIR CALLS
 */
public class HistoryInsertBench {

    public static void main(String[] args) throws Exception {
        String db = args[0];
        Path dir = Path.of(args[1]);
        int calls = Integer.parseInt(args[2]);
        Files.createDirectories(dir);
        String url = db.equals("h2") ? "jdbc:h2:file:" + dir.toAbsolutePath() + "/history"
                : "jdbc:derby:" + dir.toAbsolutePath() + "/history;create=true";
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE calls (call_id VARCHAR(64) NOT NULL PRIMARY KEY, tenant VARCHAR(64) NOT NULL,"
                        + " slot_kind VARCHAR(8) NOT NULL, slot_name VARCHAR(128) NOT NULL, caller_number VARCHAR(128)"
                        + " NOT NULL, caller_name VARCHAR(255) NOT NULL, parked_by VARCHAR(128) NOT NULL, park_group"
                        + " VARCHAR(128) NOT NULL, parked_at TIMESTAMP NOT NULL, ended_at TIMESTAMP NOT NULL,"
                        + " resolution VARCHAR(16) NOT NULL, resolved_by VARCHAR(128) NOT NULL, recall_attempts"
                        + " INTEGER NOT NULL, node VARCHAR(64) NOT NULL)");
                s.execute("CREATE INDEX calls_tenant_ended ON calls (tenant, ended_at, call_id)");
                s.execute("CREATE INDEX calls_tenant_slot ON calls (tenant, slot_name, ended_at)");
                s.execute("CREATE TABLE steps (call_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL, step_at TIMESTAMP NOT"
                        + " NULL, type VARCHAR(32) NOT NULL, detail VARCHAR(255) NOT NULL, node VARCHAR(64) NOT NULL,"
                        + " PRIMARY KEY (call_id, seq))");
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            long now = System.currentTimeMillis();
            try (PreparedStatement call = c.prepareStatement("INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    + " ?, ?, ?, ?)"); PreparedStatement step = c.prepareStatement(
                            "INSERT INTO steps VALUES (?, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < calls; i++) {
                    String id = java.util.UUID.randomUUID().toString();
                    Timestamp ended = new Timestamp(now + i);
                    call.setString(1, id);
                    call.setString(2, "tenant" + (i % 5));
                    call.setString(3, "ext");
                    call.setString(4, String.valueOf(100 + i % 50));
                    call.setString(5, "+4930" + i);
                    call.setString(6, "Customer " + i);
                    call.setString(7, "101");
                    call.setString(8, "");
                    call.setTimestamp(9, new Timestamp(now + i - 12_000));
                    call.setTimestamp(10, ended);
                    call.setString(11, "ANSWERED");
                    call.setString(12, "103");
                    call.setInt(13, 0);
                    call.setString(14, "node-a");
                    call.addBatch();
                    for (int k = 0; k < 2; k++) {
                        step.setString(1, id);
                        step.setInt(2, k);
                        step.setTimestamp(3, ended);
                        step.setString(4, k == 0 ? "PARKED" : "RETRIEVED");
                        step.setString(5, "by 101");
                        step.setString(6, "node-a");
                        step.addBatch();
                    }
                    if (i % 100 == 99) {
                        call.executeBatch();
                        step.executeBatch();
                        c.commit();
                    }
                }
                call.executeBatch();
                step.executeBatch();
                c.commit();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: %d calls (+%d steps) in %.2f s = %.0f calls/s%n", db, calls, 2 * calls, s,
                    calls / s);
        }
        if (db.equals("derby")) {
            try {
                DriverManager.getConnection("jdbc:derby:;shutdown=true");
            } catch (java.sql.SQLException expected) {
                // Derby reports a clean shutdown as an exception
            }
        }
    }
}
