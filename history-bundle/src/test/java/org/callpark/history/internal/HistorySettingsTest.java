package org.callpark.history.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.Map;

import org.callpark.spi.Overrides;
import org.junit.jupiter.api.Test;

class HistorySettingsTest {

    private static HistoryConfig config(String url, int retention, int batch, int capacity) {
        return new HistoryConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HistoryConfig.class;
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public String user() {
                return "callpark";
            }

            @Override
            public String password() {
                return "s3cret";
            }

            @Override
            public int retentionDays() {
                return retention;
            }

            @Override
            public int batchSize() {
                return batch;
            }

            @Override
            public int queueCapacity() {
                return capacity;
            }

            @Override
            public int maxLiveCalls() {
                return 1000;
            }
        };
    }

    private static Overrides overrides(Map<String, String> env) {
        return new Overrides(HistorySettings.PID, k -> null, env::get);
    }

    @Test
    void noUrlMeansTheEmbeddedH2FileUnderKarafData() {
        HistorySettings s = HistorySettings.from(config("", 90, 100, 10000), overrides(Map.of()), Path.of("/opt/k/data"));
        assertTrue(s.embedded());
        assertEquals(HistorySettings.H2_DRIVER, s.driverClass());
        assertTrue(s.url().startsWith("jdbc:h2:file:/opt/k/data/history/history"), s.url());
    }

    @Test
    void postgresqlByUrlAndTheEnvironmentOverridesTheFile() {
        HistorySettings s = HistorySettings.from(config("jdbc:h2:mem:x", 90, 100, 10000),
                overrides(Map.of("CALLPARK_HISTORY_URL", "jdbc:postgresql://127.0.0.1:45432/callpark",
                        "CALLPARK_HISTORY_RETENTION_DAYS", "7")), Path.of("data"));
        assertEquals(HistorySettings.POSTGRES_DRIVER, s.driverClass());
        assertEquals(7, s.retentionDays());
        assertTrue(!s.toString().contains("s3cret"));
    }

    @Test
    void anInvalidConfigurationIsRejectedWholeNamingEveryBadField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HistorySettings.from(config("jdbc:mysql://x/y", -1, 0, 10000),
                        overrides(Map.of("CALLPARK_HISTORY_QUEUE_CAPACITY", "lots")), Path.of("data")));
        String m = e.getMessage();
        assertTrue(m.contains("url: only jdbc:h2: and jdbc:postgresql:"), m);
        assertTrue(m.contains("retentionDays: must be between 0 and 36500, was -1"), m);
        assertTrue(m.contains("batchSize: must be between 1 and 10000, was 0"), m);
        assertTrue(m.contains("queueCapacity: not a number: 'lots'"), m);
    }
}
