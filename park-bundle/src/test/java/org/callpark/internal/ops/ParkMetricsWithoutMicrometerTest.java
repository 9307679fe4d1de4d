package org.callpark.internal.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.callpark.api.CallParkService;
import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.SlotStore;
import org.callpark.spi.metrics.MeterBinders;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;

/**
 * The park bundle without Micrometer (the ops feature not installed): its {@link ParkMetrics} component loads,
 * registers the binder service by name and takes park events, all with no {@code io.micrometer} class reachable; only
 * the binder itself, which the ops bundle asks for, needs Micrometer. The bundle's classes are loaded here through a
 * class loader that refuses every {@code io.micrometer} class, as an OSGi bundle with an unwired optional import would.
 */
class ParkMetricsWithoutMicrometerTest {

    /** Loads this bundle's own classes itself; io.micrometer.* does not exist; the api and OSGi from the test path. */
    private static final class NoMicrometer extends URLClassLoader {
        NoMicrometer() throws Exception {
            super(new URL[] { Path.of("target/classes").toUri().toURL() }, ParkMetricsWithoutMicrometerTest.class
                    .getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.micrometer.")) {
                throw new ClassNotFoundException(name + " (no Micrometer here)");
            }
            if (name.startsWith("org.callpark.internal.")) {
                synchronized (getClassLoadingLock(name)) {
                    Class<?> c = findLoadedClass(name);
                    return c != null ? c : findClass(name);
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void runsAndRegistersTheBinderByNameWithoutMicrometer() throws Exception {
        List<String> registered = new ArrayList<>();
        List<Object> services = new ArrayList<>();
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { BundleContext.class }, (p, m, a) -> {
                    if (m.getName().equals("registerService") && a[0] instanceof String name) {
                        registered.add(name);
                        services.add(a[1]);
                        return Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] { ServiceRegistration.class }, (p2, m2, a2) -> null);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        CallParkService park = (CallParkService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { CallParkService.class }, (p, m, a) -> List.of());
        SlotStore store = (SlotStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { SlotStore.class }, (p, m, a) -> "A");

        try (NoMicrometer loader = new NoMicrometer()) {
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("io.micrometer.core.instrument.Counter"));
            Class<?> type = loader.loadClass("org.callpark.internal.ops.ParkMetrics");
            Constructor<?> ctor = type.getConstructor(CallParkService.class, SlotStore.class, BundleContext.class);
            ParkEventListener metrics = (ParkEventListener) ctor.newInstance(park, store, context);
            assertEquals(List.of(MeterBinders.MICROMETER_BINDER), registered);
            RecallPolicy policy = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(20),
                    Duration.ZERO, 2);
            metrics.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, new ParkedCall("c1",
                    SlotId.extension(TenantId.DEFAULT, "101"), CallerId.of("1", "C"), "101", "", Instant.EPOCH, 1,
                    CallState.PARKED, null, 0, policy, "A", "leg", null, 1), Instant.EPOCH));

            // Only the ops bundle's request for the binder needs Micrometer (and it only asks when it is there).
            ServiceFactory<Object> factory = (ServiceFactory<Object>) services.get(0);
            Throwable t = assertThrows(Throwable.class, () -> factory.getService(null, null));
            while (t instanceof InvocationTargetException && t.getCause() != null) {
                t = t.getCause();
            }
            assertTrue(t instanceof NoClassDefFoundError && t.getMessage().contains("io/micrometer"), t.toString());
        }
    }
}
