package org.callpark.internal.sip;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The SIP bundle's meters, read from {@link SipStats} (docs/operations.md "Metrics"):
 * <ul>
 * <li>{@code callpark.sip.requests} {method}: requests received</li>
 * <li>{@code callpark.sip.responses} {class: 1xx..6xx}: responses our handlers created and sent</li>
 * <li>{@code callpark.sip.park.latency}, {@code callpark.sip.retrieve.latency} {tenant}: the park INVITE (the
 * retrieve INVITE that passed authentication) handled → our 200 OK sent, as a Prometheus histogram</li>
 * <li>{@code callpark.sip.crossed.acks}: ACKs that crossed our 200 OK, which the stack had not counted
 * ({@link CrossedAcks})</li>
 * <li>{@code callpark.sip.registrations}: registered contacts now (cluster-wide); {@code callpark.blf.subscriptions}:
 * BLF dialog subscriptions now</li>
 * </ul>
 * Only this class names Micrometer types; it is loaded when the ops bundle binds it.
 */
final class SipMeters implements MeterBinder, AutoCloseable {

    private final SipStats stats;

    SipMeters(SipStats stats) {
        this.stats = stats;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        for (String method : SipStats.METHODS) {
            requests(r, method);
        }
        requests(r, SipStats.OTHER);
        for (int c = 1; c <= 6; c++) {
            int statusClass = c;
            FunctionCounter.builder("callpark.sip.responses", stats, s -> s.responses(statusClass))
                    .description("SIP responses sent, by class").tag("class", c + "xx").register(r);
        }
        FunctionCounter.builder("callpark.sip.crossed.acks", stats, SipStats::crossedAcks)
                .description("ACKs that crossed our 200 OK, counted for their dialog by us (no 200 OK re-sent)")
                .register(r);
        Gauge.builder("callpark.sip.registrations", stats, s -> positiveOrNaN(s.registrations()))
                .description("Registered contacts now (cluster-wide)").register(r);
        Gauge.builder("callpark.blf.subscriptions", stats, s -> positiveOrNaN(s.subscriptions()))
                .description("BLF dialog subscriptions now").register(r);
        stats.sinks((tenant, nanos) -> timer(r, "callpark.sip.park.latency", "Park INVITE to 200 OK", tenant)
                .record(nanos, TimeUnit.NANOSECONDS),
                (tenant, nanos) -> timer(r, "callpark.sip.retrieve.latency", "Retrieve INVITE to 200 OK", tenant)
                        .record(nanos, TimeUnit.NANOSECONDS));
    }

    private void requests(MeterRegistry r, String method) {
        FunctionCounter.builder("callpark.sip.requests", stats, s -> s.requests(method))
                .description("SIP requests received, by method").tag("method", method).register(r);
    }

    private static Timer timer(MeterRegistry r, String name, String description, String tenant) {
        return Timer.builder(name).description(description).tag("tenant", tenant).publishPercentileHistogram()
                .register(r);
    }

    private static double positiveOrNaN(int n) {
        return n < 0 ? Double.NaN : n;
    }

    @Override
    public void close() {
        stats.sinks(null, null);
    }
}
