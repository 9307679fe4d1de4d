package org.callpark.media.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.callpark.media.internal.rtp.RtpLoop;

/**
 * The media bundle's meters (docs/operations.md "Metrics"):
 * <ul>
 * <li>{@code callpark.rtp.legs}: RTP legs open now (parked callers, retrievers, recall and prompt legs)</li>
 * <li>{@code callpark.media.loop.lateness}: per 20 ms tick of the one RTP loop, the time from the tick's deadline to
 * its last packet sent; p50/p99 over the last minutes, count, sum and max</li>
 * <li>{@code callpark.media.loop.late.ticks}: ticks that ran more than a period after their deadline</li>
 * </ul>
 * Only this class names Micrometer types; it is loaded when the ops bundle binds it.
 */
final class MediaMeters implements MeterBinder, AutoCloseable {

    private final RtpLoop loop;
    private final IntSupplier legs;

    MediaMeters(RtpLoop loop, IntSupplier legs) {
        this.loop = loop;
        this.legs = legs;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        Gauge.builder("callpark.rtp.legs", legs, IntSupplier::getAsInt).description("RTP legs open now").register(r);
        FunctionCounter.builder("callpark.media.loop.late.ticks", loop, RtpLoop::lateTicks)
                .description("RTP loop ticks run more than 20 ms after their deadline").register(r);
        Timer lateness = Timer.builder("callpark.media.loop.lateness")
                .description("RTP loop: tick deadline to its last packet sent").publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1)).register(r);
        loop.lateness(nanos -> lateness.record(nanos, TimeUnit.NANOSECONDS));
    }

    @Override
    public void close() {
        loop.lateness(null);
    }
}
