package org.callpark.internal.xmpp;

import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The XMPP bundle's meter: {@code callpark.xmpp.connected}, 1 while the external component is connected and
 * authenticated to the XMPP server, else 0 (also when the component is disabled). Only this class names Micrometer
 * types; it is loaded when the ops bundle binds it.
 */
final class XmppMeters implements MeterBinder, AutoCloseable {

    private final BooleanSupplier connected;

    XmppMeters(BooleanSupplier connected) {
        this.connected = connected;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        Gauge.builder("callpark.xmpp.connected", connected, c -> c.getAsBoolean() ? 1 : 0)
                .description("1 while the XMPP component is connected to its server").register(r);
    }

    @Override
    public void close() {
        // nothing to detach: the gauge reads on demand
    }
}
