package org.callpark.internal.xmpp;

import org.callpark.spi.ParkEventListener;
import org.callpark.spi.metrics.MeterBinders;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Offers the XMPP meters ({@link XmppMeters}) as a Micrometer binder service while the XMPP entry point is active.
 * This class names no Micrometer type, so the bundle runs the same without the ops feature.
 */
@Component(service = {}, immediate = true)
public final class XmppMetrics {

    private final ServiceRegistration<?> registration;

    @Activate
    public XmppMetrics(@Reference(target = "(component.name=org.callpark.internal.xmpp.XmppEntryPoint)")
            ParkEventListener entryPoint, BundleContext context) {
        XmppEntryPoint entry = (XmppEntryPoint) entryPoint;
        this.registration = MeterBinders.register(context, () -> new XmppMeters(entry::connected));
    }

    @Deactivate
    void deactivate() {
        MeterBinders.unregister(registration);
    }
}
