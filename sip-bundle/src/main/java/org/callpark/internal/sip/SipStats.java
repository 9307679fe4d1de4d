package org.callpark.internal.sip;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The SIP figures the metrics read ({@link SipMeters}), kept with plain JDK types so that the stack counts whether or
 * not the ops bundle (and Micrometer) is installed: requests received by method, responses created by class, and the
 * park and retrieve latencies (INVITE handled → 200 OK sent) handed to a sink the meters set while they are bound.
 */
final class SipStats {

    /** Methods counted by name; anything else is {@code other} (a flood of invented methods makes no new series). */
    static final Set<String> METHODS = Set.of("INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "SUBSCRIBE",
            "NOTIFY", "UPDATE", "INFO", "PRACK", "REFER", "MESSAGE", "PUBLISH");
    static final String OTHER = "other";

    /** Where a latency goes: the tenant and the nanoseconds from the INVITE to our 200 OK. */
    @FunctionalInterface
    interface LatencySink {
        void record(String tenant, long nanos);
    }

    private static final LatencySink NONE = (tenant, nanos) -> {
    };

    private final Map<String, LongAdder> requests;
    private final LongAdder[] responses = new LongAdder[6];
    private final LongAdder crossedAcks = new LongAdder();
    private volatile LatencySink parks = NONE;
    private volatile LatencySink retrieves = NONE;
    private volatile IntSupplier registrations = () -> -1;
    private volatile IntSupplier subscriptions = () -> -1;

    SipStats() {
        Map<String, LongAdder> m = new java.util.HashMap<>();
        METHODS.forEach(method -> m.put(method, new LongAdder()));
        m.put(OTHER, new LongAdder());
        this.requests = Map.copyOf(m);
        for (int i = 0; i < responses.length; i++) {
            responses[i] = new LongAdder();
        }
    }

    void request(String method) {
        LongAdder a = method == null ? null : requests.get(method.toUpperCase(Locale.ROOT));
        (a == null ? requests.get(OTHER) : a).increment();
    }

    void response(int status) {
        int c = status / 100;
        if (c >= 1 && c <= 6) {
            responses[c - 1].increment();
        }
    }

    /** An ACK that crossed our 200 OK, which the stack had not counted ({@link CrossedAcks}). */
    void crossedAck() {
        crossedAcks.increment();
    }

    long crossedAcks() {
        return crossedAcks.sum();
    }

    long requests(String method) {
        return requests.get(method).sum();
    }

    /** @param statusClass 1..6 */
    long responses(int statusClass) {
        return responses[statusClass - 1].sum();
    }

    void parked(String tenant, long receivedNanos) {
        parks.record(tenant, System.nanoTime() - receivedNanos);
    }

    void retrieved(String tenant, long receivedNanos) {
        retrieves.record(tenant, System.nanoTime() - receivedNanos);
    }

    /** The meters' sinks while bound; {@code null}s detach them. */
    void sinks(LatencySink parks, LatencySink retrieves) {
        this.parks = parks == null ? NONE : parks;
        this.retrieves = retrieves == null ? NONE : retrieves;
    }

    /** The bindings and BLF subscriptions now (−1 when not known). */
    void counts(IntSupplier registrations, IntSupplier subscriptions) {
        this.registrations = registrations;
        this.subscriptions = subscriptions;
    }

    int registrations() {
        try {
            return registrations.getAsInt();
        } catch (RuntimeException e) {
            return -1; // the cluster member is away
        }
    }

    int subscriptions() {
        try {
            return subscriptions.getAsInt();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
