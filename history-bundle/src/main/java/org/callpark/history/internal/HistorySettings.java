package org.callpark.history.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.callpark.spi.Overrides;

/**
 * The checked settings of the history: {@link HistoryConfig} with its overrides applied. A configuration with any bad
 * field is rejected as a whole, and the exception names every bad field, so that an administrator fixes them in one go.
 *
 * @param url            the JDBC URL (the embedded H2 URL filled in when none was configured)
 * @param driverClass    the JDBC driver class whose {@code DataSourceFactory} serves {@code url}
 * @param embedded       whether {@code url} is the default embedded database (per node)
 * @param user           the database user, may be empty
 * @param password       the password, may be empty (never logged)
 * @param retentionDays  days to keep records, 0 = forever
 * @param batchSize      records per insert transaction
 * @param queueCapacity  records waiting for the database at most
 * @param maxLiveCalls   live calls followed at most
 */
public record HistorySettings(String url, String driverClass, boolean embedded, String user, String password,
        int retentionDays, int batchSize, int queueCapacity, int maxLiveCalls) {

    public static final String PID = "org.callpark.history";
    static final String H2_DRIVER = "org.h2.Driver";
    static final String POSTGRES_DRIVER = "org.postgresql.Driver";

    /** The URL without credentials that may be written into it, for logs. */
    @Override
    public String toString() {
        return "history database " + url.replaceAll("(?i)(password=)[^;&]*", "$1***") + " (retention "
                + (retentionDays == 0 ? "forever" : retentionDays + " days") + ")";
    }

    /**
     * @param dataDir Karaf's data directory ({@code karaf.data}), where the embedded database lives
     * @throws IllegalArgumentException naming every bad field
     */
    public static HistorySettings from(HistoryConfig config, Overrides overrides, Path dataDir) {
        List<String> invalid = new ArrayList<>();
        String url = overrides.string("url", config.url()).strip();
        boolean embedded = url.isEmpty();
        if (embedded) {
            url = "jdbc:h2:file:" + dataDir.resolve("history").resolve("history").toAbsolutePath()
                    .toString().replace('\\', '/') + ";DB_CLOSE_ON_EXIT=FALSE";
        }
        String driver = null;
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            driver = H2_DRIVER;
        } else if (lower.startsWith("jdbc:postgresql:")) {
            driver = POSTGRES_DRIVER;
        } else {
            invalid.add("url: only jdbc:h2: and jdbc:postgresql: URLs are supported, was '" + url + "'");
        }
        String user = overrides.string("user", config.user());
        String password = overrides.string("password", config.password());
        int retention = overrides.integer("retentionDays", config.retentionDays(), invalid);
        int batch = overrides.integer("batchSize", config.batchSize(), invalid);
        int capacity = overrides.integer("queueCapacity", config.queueCapacity(), invalid);
        int live = overrides.integer("maxLiveCalls", config.maxLiveCalls(), invalid);
        range(invalid, "retentionDays", retention, 0, 36_500);
        range(invalid, "batchSize", batch, 1, 10_000);
        range(invalid, "queueCapacity", capacity, 1, 10_000_000);
        range(invalid, "maxLiveCalls", live, 1, 10_000_000);
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration " + PID + ": " + String.join("; ", invalid));
        }
        return new HistorySettings(url, driver, embedded, user, password, retention, batch, capacity, live);
    }

    private static void range(List<String> invalid, String field, int value, int min, int max) {
        if (value < min || value > max) {
            invalid.add(field + ": must be between " + min + " and " + max + ", was " + value);
        }
    }
}
