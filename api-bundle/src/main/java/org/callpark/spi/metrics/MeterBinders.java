package org.callpark.spi.metrics;

import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers a Micrometer {@code MeterBinder} service without this bundle needing Micrometer: the service is registered
 * by class name through a {@link ServiceFactory}, and the binder's class (the only one that names Micrometer types)
 * is loaded when the ops bundle gets the service — which it can only do when Micrometer is installed. When the ops
 * bundle lets go of it, the binder is closed (it stops its listeners). Micrometer is an optional import of this bundle.
 */
public final class MeterBinders {

    /** The service interface, by name. */
    public static final String MICROMETER_BINDER = "io.micrometer.core.instrument.binder.MeterBinder";

    private MeterBinders() {
    }

    /** @param binder makes the binder (an {@link AutoCloseable} {@code MeterBinder}) when the ops bundle asks */
    public static ServiceRegistration<?> register(BundleContext context, Supplier<? extends AutoCloseable> binder) {
        return context.registerService(MICROMETER_BINDER, new ServiceFactory<Object>() {
            @Override
            public Object getService(Bundle bundle, ServiceRegistration<Object> registration) {
                return binder.get();
            }

            @Override
            public void ungetService(Bundle bundle, ServiceRegistration<Object> registration, Object service) {
                try {
                    ((AutoCloseable) service).close();
                } catch (Exception e) {
                    // the binder's own business: its meters are removed by the ops bundle anyway
                }
            }
        }, null);
    }

    /** Unregisters, quietly if the registration went with the bundle already. */
    public static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone
            }
        }
    }
}
