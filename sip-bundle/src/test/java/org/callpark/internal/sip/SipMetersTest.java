package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;

/**
 * The SIP figures as meters: requests by method (an invented method is {@code other}, so a flood of odd methods makes
 * no new series), responses by class, the park/retrieve latency per tenant while bound and nothing after the meters
 * were closed; registrations and subscriptions NaN when unknown. Over real SIP with sipp: systests {@code MetricsST}.
 */
class SipMetersTest {

    @Test
    void countsRequestsResponsesAndLatencies() {
        SipStats stats = new SipStats();
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        SipMeters meters = new SipMeters(stats);
        meters.bindTo(r);
        stats.request("INVITE");
        stats.request("invite");
        stats.request("FOOBAR");
        stats.request("X" + "Y".repeat(100));
        stats.response(100);
        stats.response(200);
        stats.response(401);
        stats.response(699);
        stats.response(42); // not a status: ignored
        assertEquals(2, r.get("callpark.sip.requests").tag("method", "INVITE").functionCounter().count());
        assertEquals(2, r.get("callpark.sip.requests").tag("method", "other").functionCounter().count());
        assertEquals(SipStats.METHODS.size() + 1, r.find("callpark.sip.requests").functionCounters().size());
        assertEquals(1, r.get("callpark.sip.responses").tag("class", "4xx").functionCounter().count());
        assertEquals(1, r.get("callpark.sip.responses").tag("class", "6xx").functionCounter().count());
        assertTrue(Double.isNaN(r.get("callpark.sip.registrations").gauge().value()));
        stats.counts(() -> 3, () -> 7);
        assertEquals(3, r.get("callpark.sip.registrations").gauge().value());
        assertEquals(7, r.get("callpark.blf.subscriptions").gauge().value());

        stats.parked("acme", System.nanoTime() - 5_000_000);
        stats.retrieved("acme", System.nanoTime());
        Timer park = r.get("callpark.sip.park.latency").tag("tenant", "acme").timer();
        assertEquals(1, park.count());
        assertTrue(park.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) >= 5);
        assertEquals(1, r.get("callpark.sip.retrieve.latency").tag("tenant", "acme").timer().count());

        meters.close(); // the ops bundle let go
        stats.parked("acme", System.nanoTime());
        assertEquals(1, park.count());
    }
}
