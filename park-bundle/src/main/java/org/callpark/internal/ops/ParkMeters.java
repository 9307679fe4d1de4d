package org.callpark.internal.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.spi.ParkEventListener;

/**
 * The park core's meters (docs/operations.md "Metrics"). Counters are counted once per cluster: every node hears every
 * event, but only the node that holds the call ({@code call.node()}, the node that parked it or resolved it) counts
 * it, so summing the nodes' counters is right. The parked-now gauge reads the core's live calls (cluster-wide; every
 * node shows the same figure), at most once a second whatever the number of series.
 * <ul>
 * <li>{@code callpark.parked} gauge {tenant, group}</li>
 * <li>{@code callpark.parks} {tenant, group}; {@code callpark.retrieves} {tenant, group}</li>
 * <li>{@code callpark.calls.ended} {tenant, group, resolution}: every end, by resolution</li>
 * <li>{@code callpark.recall.attempts} {tenant, group}; {@code callpark.recalls} {tenant, group, outcome}
 * (answered, unanswered)</li>
 * </ul>
 */
final class ParkMeters implements MeterBinder, ParkEventListener, AutoCloseable {

    /** Tag value of a call parked in no park group (the tenant defaults). */
    static final String NO_GROUP = "none";
    private static final Duration SNAPSHOT_AGE = Duration.ofSeconds(1);

    /** The live calls, by tenant and group (or a ParkException). */
    interface LiveCalls {
        List<ParkedCall> list() throws ParkException;
    }

    private final LiveCalls live;
    private final Supplier<String> localNode;
    private final Clock clock;
    private final Set<List<String>> gauged = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;
    private Map<List<String>, Integer> snapshot = Map.of(); // guarded by this
    private Instant snapshotAt = Instant.MIN; // guarded by this
    private boolean snapshotFailed; // guarded by this

    ParkMeters(LiveCalls live, Supplier<String> localNode, Clock clock) {
        this.live = live;
        this.localNode = localNode;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        this.registry = r;
        refresh(true).keySet().forEach(this::gauge);
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        ParkedCall call = event.call();
        String tenant = call.tenant().value();
        String group = call.parkGroup().isEmpty() ? NO_GROUP : call.parkGroup();
        gauge(List.of(tenant, group));
        if (!call.node().equals(localNode.get())) {
            return; // the holding node counts it
        }
        switch (event.type()) {
            case PARKED -> count(r, "callpark.parks", "Calls parked", tenant, group);
            case RECALLING -> count(r, "callpark.recall.attempts", "Recall attempts started", tenant, group);
            case RECALL_FAILED -> count(r, "callpark.recalls", "Recall attempts by outcome", tenant, group,
                    "outcome", "unanswered");
            case RECALL_ANSWERED -> count(r, "callpark.recalls", "Recall attempts by outcome", tenant, group,
                    "outcome", "answered");
            case RETRIEVED -> count(r, "callpark.retrieves", "Calls retrieved", tenant, group);
            default -> {
                // MOVED and the other ends: counted below only
            }
        }
        if (event.type().isFinal() && call.resolution() != null) {
            count(r, "callpark.calls.ended", "Parked calls ended, by resolution", tenant, group, "resolution",
                    call.resolution().name().toLowerCase(Locale.ROOT));
        }
    }

    private static void count(MeterRegistry r, String name, String description, String tenant, String group,
            String... more) {
        counter(r, name, description, tenant, group, more).increment();
    }

    private static Counter counter(MeterRegistry r, String name, String description, String tenant, String group,
            String... more) {
        return Counter.builder(name).description(description).tag("tenant", tenant).tag("group", group).tags(more)
                .register(r);
    }

    /**
     * The first time a tenant and group is seen: its parked-now gauge, and its counters at 0 (so that {@code rate()}
     * and {@code increase()} see the first event, and a dashboard finds every series before anything happened).
     */
    private void gauge(List<String> key) {
        MeterRegistry r = registry;
        if (r != null && gauged.add(key)) {
            String tenant = key.get(0);
            String group = key.get(1);
            Gauge.builder("callpark.parked", this, m -> m.parked(key)).description("Calls parked now (cluster-wide)")
                    .tag("tenant", tenant).tag("group", group).register(r);
            counter(r, "callpark.parks", "Calls parked", tenant, group);
            counter(r, "callpark.retrieves", "Calls retrieved", tenant, group);
            counter(r, "callpark.recall.attempts", "Recall attempts started", tenant, group);
            counter(r, "callpark.recalls", "Recall attempts by outcome", tenant, group, "outcome", "answered");
            counter(r, "callpark.recalls", "Recall attempts by outcome", tenant, group, "outcome", "unanswered");
            for (Resolution how : Resolution.values()) {
                counter(r, "callpark.calls.ended", "Parked calls ended, by resolution", tenant, group, "resolution",
                        how.name().toLowerCase(Locale.ROOT));
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
        registry = null;
    }
}
