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
 * The events are counted from this component's start ({@link ParkCounts}), so the calls handled before the ops
 * bundle bound the binder are in its counters. This class names no Micrometer type, so the bundle runs the same
 * without the ops feature (Micrometer is an optional import); the counts are then read by nobody.
 */
@Component(service = ParkEventListener.class, immediate = true)
public final class ParkMetrics implements ParkEventListener {

    private final ParkCounts counts;
    private final ServiceRegistration<?> registration;

    @Activate
    public ParkMetrics(@Reference CallParkService park, @Reference SlotStore store, BundleContext context) {
        this.counts = new ParkCounts(store::localNode);
        this.registration = MeterBinders.register(context, () -> new ParkMeters(counts, park::list,
                Clock.systemUTC()));
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        counts.onParkEvent(event);
    }

    @Deactivate
    void deactivate() {
        MeterBinders.unregister(registration);
    }
}
