package org.callpark.ops.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import javax.management.ObjectName;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry as the other bundles see it: a binder's meters appear in the Prometheus text and as MBeans, and when the
 * binder's service goes exactly its meters go — those it created in {@code bindTo} and those it created later — while
 * the JVM's and other binders' stay; a binder that keeps counting after it was unbound adds nothing back.
 */
class OpsRegistryTest {

    private final OpsRegistry ops = new OpsRegistry("org.callpark.test");

    @AfterEach
    void close() {
        ops.deactivate();
    }

    private String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ops.scrape(out, OpsRegistry.TEXT_004);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A bundle's binder: one counter in bindTo, one more per tenant when it first sees it. */
    static final class TenantBinder implements MeterBinder {
        final AtomicReference<MeterRegistry> registry = new AtomicReference<>();

        @Override
        public void bindTo(MeterRegistry r) {
            registry.set(r);
            Counter.builder("callpark.test.parks").tag("tenant", "default").register(r).increment(3);
        }

        void later(String tenant) {
            Counter.builder("callpark.test.parks").tag("tenant", tenant).register(registry.get()).increment();
        }
    }

    @Test
    void jvmMetricsAreThere() throws IOException {
        String text = scrape();
        assertTrue(text.contains("jvm_memory_used_bytes"), text);
        assertTrue(text.contains("jvm_threads_live_threads"));
        assertTrue(text.contains("process_uptime_seconds"));
        assertTrue(text.contains("jvm_classes_loaded_classes"));
    }

    @Test
    void unbindRemovesExactlyTheBindersMetersIncludingLaterOnes() throws Exception {
        TenantBinder a = new TenantBinder();
        MeterBinder b = r -> Counter.builder("callpark.test.other").register(r).increment();
        ops.addBinder(a);
        ops.addBinder(b);
        a.later("acme");
        String text = scrape();
        assertTrue(text.contains("callpark_test_parks_total{tenant=\"default\"} 3.0"), text);
        assertTrue(text.contains("callpark_test_parks_total{tenant=\"acme\"} 1.0"), text);
        assertTrue(text.contains("callpark_test_other_total 1.0"), text);
        assertFalse(ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("org.callpark.test:name=callparkTestParks*,*"), null).isEmpty(),
                "the counters are MBeans too");

        ops.removeBinder(a);
        a.later("globex"); // an unbound binder that still counts
        text = scrape();
        assertFalse(text.contains("callpark_test_parks"), text);
        assertTrue(text.contains("callpark_test_other_total 1.0"), text);
        assertTrue(text.contains("jvm_memory_used_bytes"));
        assertTrue(ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("org.callpark.test:name=callparkTestParks*,*"), null).isEmpty(),
                "its MBeans are gone");
        assertEquals(1, ops.binders().size());

        TenantBinder again = new TenantBinder(); // the bundle updated: fresh meters
        ops.addBinder(again);
        assertTrue(scrape().contains("callpark_test_parks_total{tenant=\"default\"} 3.0"));
    }

    @Test
    void aFailingBinderLeavesNothingBehind() throws IOException {
        ops.addBinder(r -> {
            Counter.builder("callpark.test.half").register(r);
            throw new IllegalStateException("boom");
        });
        assertFalse(scrape().contains("callpark_test_half"));
        assertEquals(0, ops.binders().size());
    }

    @Test
    void openMetricsWhenAskedFor() throws IOException {
        assertEquals(OpsRegistry.OPENMETRICS, OpsRegistry.contentType(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));
        assertEquals(OpsRegistry.TEXT_004, OpsRegistry.contentType("text/plain"));
        assertEquals(OpsRegistry.TEXT_004, OpsRegistry.contentType(null));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ops.scrape(out, OpsRegistry.OPENMETRICS);
        assertTrue(out.toString(StandardCharsets.UTF_8).endsWith("# EOF\n"));
    }
}
