package org.callpark.internal.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;

/**
 * The park core's meters (docs/operations.md "Metrics"). The counters read {@link ParkCounts}, which counts from this
 * bundle's start, once per cluster, whether or not a registry was bound yet. The parked-now gauge reads the core's
 * live calls (cluster-wide; every node shows the same figure), at most once a second whatever the number of series.
 * <ul>
 * <li>{@code callpark.parked} gauge {tenant, group}</li>
 * <li>{@code callpark.parks} {tenant, group}; {@code callpark.retrieves} {tenant, group}</li>
 * <li>{@code callpark.calls.ended} {tenant, group, resolution}: every end, by resolution</li>
 * <li>{@code callpark.recall.attempts} {tenant, group}; {@code callpark.recalls} {tenant, group, outcome}
 * (answered, unanswered)</li>
 * </ul>
 */
final class ParkMeters implements MeterBinder, AutoCloseable {

    /** Tag value of a call parked in no park group (the tenant defaults). */
    static final String NO_GROUP = ParkCounts.NO_GROUP;
    private static final Duration SNAPSHOT_AGE = Duration.ofSeconds(1);

    /** The live calls, by tenant and group (or a ParkException). */
    interface LiveCalls {
        List<ParkedCall> list() throws ParkException;
    }

    private final ParkCounts counts;
    private final LiveCalls live;
    private final Clock clock;
    private final Set<List<String>> gauged = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;
    private Map<List<String>, Integer> snapshot = Map.of(); // guarded by this
    private Instant snapshotAt = Instant.MIN; // guarded by this
    private boolean snapshotFailed; // guarded by this

    ParkMeters(ParkCounts counts, LiveCalls live, Clock clock) {
        this.counts = counts;
        this.live = live;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        this.registry = r;
        counts.onNewSeries(this::register); // before reading the series: a series seen meanwhile is not missed
        counts.series().values().forEach(this::register);
        refresh(true).keySet().forEach(key -> counts.seen(key.get(0), key.get(1)));
    }

    /** A tenant and group's counters and parked-now gauge (registering twice returns the meter already there). */
    private void register(List<ParkCounts.Key> keys) {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        for (ParkCounts.Key k : keys) {
            FunctionCounter.Builder<ParkCounts> b = FunctionCounter.builder(k.name(), counts, c -> c.count(k))
                    .description(k.description()).tag("tenant", k.tenant()).tag("group", k.group());
            if (k.tag() != null) {
                b.tag(k.tag(), k.value());
            }
            b.register(r);
            List<String> id = List.of(k.tenant(), k.group());
            if (gauged.add(id)) {
                Gauge.builder("callpark.parked", this, m -> m.parked(id)).description("Calls parked now (cluster-wide)")
                        .tag("tenant", k.tenant()).tag("group", k.group()).register(r);
            }
        }
    }

    /** The number of live calls of a tenant and group, from a snapshot at most a second old; NaN if unknown. */
    double parked(List<String> key) {
        Map<List<String>, Integer> counts;
        synchronized (this) {
            counts = refresh(false);
            if (snapshotFailed) {
                return Double.NaN;
            }
        }
        return counts.getOrDefault(key, 0);
    }

    private synchronized Map<List<String>, Integer> refresh(boolean force) {
        Instant now = clock.instant();
        if (force || now.isAfter(snapshotAt.plus(SNAPSHOT_AGE)) || now.isBefore(snapshotAt)) {
            Map<List<String>, Integer> counts = new HashMap<>();
            try {
                for (ParkedCall c : live.list()) {
                    counts.merge(List.of(c.tenant().value(), c.parkGroup().isEmpty() ? NO_GROUP : c.parkGroup()), 1,
                            Integer::sum);
                }
                snapshotFailed = false;
            } catch (ParkException | RuntimeException e) {
                snapshotFailed = true;
            }
            snapshot = Map.copyOf(counts);
            snapshotAt = now;
        }
        return snapshot;
    }

    @Override
    public void close() {
        counts.onNewSeries(null);
        registry = null;
    }
}
