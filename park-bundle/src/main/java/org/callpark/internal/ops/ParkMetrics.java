package org.callpark.internal.ops;

import java.time.Clock;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkEvent;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.SlotStore;
import org.callpark.spi.metrics.MeterBinders;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Offers the park core's meters ({@link ParkMeters}) as a Micrometer binder service and hands them the park events.
 * This class names no Micrometer type, so the bundle runs the same without the ops feature (Micrometer is an optional
 * import); the events then go nowhere.
 */
@Component(service = ParkEventListener.class, immediate = true)
public final class ParkMetrics implements ParkEventListener {

    private volatile ParkEventListener meters;
    private final ServiceRegistration<?> registration;

    @Activate
    public ParkMetrics(@Reference CallParkService park, @Reference SlotStore store, BundleContext context) {
        this.registration = MeterBinders.register(context, () -> {
            ParkMeters m = new ParkMeters(park::list, store::localNode, Clock.systemUTC());
            meters = m;
            return m;
        });
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        ParkEventListener m = meters;
        if (m != null) {
            m.onParkEvent(event);
        }
    }

    @Deactivate
    void deactivate() {
        MeterBinders.unregister(registration);
        meters = null;
    }
}
