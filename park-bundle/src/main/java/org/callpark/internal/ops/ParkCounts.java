package org.callpark.internal.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.spi.ParkEventListener;

/**
 * The park core's counts since this bundle started, kept whether or not a meter registry reads them (the ops bundle
 * may start, stop or be updated after the first calls; its counters must still count every one of them). Counted once
 * per cluster: every node hears every event, but only the node that holds the call ({@code call.node()}) counts it.
 * Names no Micrometer type: {@link ParkMeters} reads these as function counters.
 */
final class ParkCounts implements ParkEventListener {

    /** Tag value of a call parked in no park group (the tenant defaults). */
    static final String NO_GROUP = "none";

    /** One counter: its meter name and tags (tenant, group, and at most one more). */
    record Key(String name, String description, String tenant, String group, String tag, String value) {
    }

    private final Supplier<String> localNode;
    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<List<String>, List<Key>> series = new ConcurrentHashMap<>();
    private volatile Consumer<List<Key>> newSeries = keys -> {
    };

    ParkCounts(Supplier<String> localNode) {
        this.localNode = localNode;
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        ParkedCall call = event.call();
        String tenant = call.tenant().value();
        String group = call.parkGroup().isEmpty() ? NO_GROUP : call.parkGroup();
        seen(tenant, group);
        if (!call.node().equals(localNode.get())) {
            return; // the holding node counts it
        }
        switch (event.type()) {
            case PARKED -> add(parks(tenant, group));
            case RECALLING -> add(recallAttempts(tenant, group));
            case RECALL_FAILED -> add(recalls(tenant, group, "unanswered"));
            case RECALL_ANSWERED -> add(recalls(tenant, group, "answered"));
            case RETRIEVED -> add(retrieves(tenant, group));
            default -> {
                // MOVED and the other ends: counted below only
            }
        }
        if (event.type().isFinal() && call.resolution() != null) {
            add(ended(tenant, group, call.resolution()));
        }
    }

    /**
     * The first time a tenant and group is seen: all its counters at 0 (so that {@code rate()} and {@code increase()}
     * see the first event, and a dashboard finds every series before anything happened), announced to the reader.
     */
    void seen(String tenant, String group) {
        List<String> id = List.of(tenant, group);
        if (series.containsKey(id)) {
            return;
        }
        List<Key> keys = new ArrayList<>();
        keys.add(parks(tenant, group));
        keys.add(retrieves(tenant, group));
        keys.add(recallAttempts(tenant, group));
        keys.add(recalls(tenant, group, "answered"));
        keys.add(recalls(tenant, group, "unanswered"));
        for (Resolution how : Resolution.values()) {
            keys.add(ended(tenant, group, how));
        }
        keys.forEach(k -> counts.computeIfAbsent(k, x -> new LongAdder()));
        if (series.putIfAbsent(id, List.copyOf(keys)) == null) {
            newSeries.accept(keys);
        }
    }

    /** The counters of every tenant and group seen so far, by tenant and group. */
    Map<List<String>, List<Key>> series() {
        return Map.copyOf(series);
    }

    /** Who hears of a tenant and group seen for the first time (null: nobody); set before reading {@link #series()}. */
    void onNewSeries(Consumer<List<Key>> reader) {
        this.newSeries = reader == null ? keys -> {
        } : reader;
    }

    long count(Key key) {
        LongAdder n = counts.get(key);
        return n == null ? 0 : n.sum();
    }

    Set<Key> keys() {
        return Set.copyOf(counts.keySet());
    }

    private void add(Key key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static Key parks(String tenant, String group) {
        return new Key("callpark.parks", "Calls parked", tenant, group, null, null);
    }

    private static Key retrieves(String tenant, String group) {
        return new Key("callpark.retrieves", "Calls retrieved", tenant, group, null, null);
    }

    private static Key recallAttempts(String tenant, String group) {
        return new Key("callpark.recall.attempts", "Recall attempts started", tenant, group, null, null);
    }

    private static Key recalls(String tenant, String group, String outcome) {
        return new Key("callpark.recalls", "Recall attempts by outcome", tenant, group, "outcome", outcome);
    }

    private static Key ended(String tenant, String group, Resolution how) {
        return new Key("callpark.calls.ended", "Parked calls ended, by resolution", tenant, group, "resolution",
                how.name().toLowerCase(Locale.ROOT));
    }
}
