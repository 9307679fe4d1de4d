package org.callpark.internal.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.junit.jupiter.api.Test;

/**
 * The park meters in a two-node cluster: both nodes hear every event, only the node holding the call counts it, so
 * the sum over the nodes is exactly the number of parks, retrieves, recall attempts and ends; parked-now follows the
 * core's live calls per tenant and group.
 */
class ParkMetersTest {

    private static final RecallPolicy POLICY = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(),
            Duration.ofSeconds(20), Duration.ZERO, 2);
    private final List<ParkedCall> live = new ArrayList<>();
    private Instant now = Instant.parse("2026-12-07T06:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    private static ParkedCall call(String id, String tenant, String group, String node) {
        return new ParkedCall(id, SlotId.extension(new TenantId(tenant), "101"), CallerId.of("+4930123", "C"), "101",
                group, Instant.EPOCH, 1, CallState.PARKED, null, 0, POLICY, node, "leg-" + id, null, 1);
    }

    private static double count(SimpleMeterRegistry r, String name, String... tags) {
        return r.find(name).tags(tags).functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }

    @Test
    void eachEventIsCountedOnceInTheCluster() {
        SimpleMeterRegistry a = new SimpleMeterRegistry();
        SimpleMeterRegistry b = new SimpleMeterRegistry();
        ParkCounts ca = new ParkCounts(() -> "A");
        ParkCounts cb = new ParkCounts(() -> "B");
        new ParkMeters(ca, () -> live, clock).bindTo(a);
        new ParkMeters(cb, () -> live, clock).bindTo(b);
        ParkedCall c1 = call("c1", "acme", "Sales", "A");
        ParkedCall c2 = call("c2", "acme", "", "B");
        ParkedCall c3 = call("c3", "default", "", "A");
        for (ParkCounts m : List.of(ca, cb)) {
            m.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, c1, now));
            m.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, c2, now));
            m.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, c3, now));
            // c1 is recalled once, unanswered, then retrieved at B (moved there first)
            m.onParkEvent(new ParkEvent(ParkEvent.Type.RECALLING, c1.recalling(1, RecallTarget.PARKER, now), now));
            m.onParkEvent(new ParkEvent(ParkEvent.Type.RECALL_FAILED, c1.waiting(now), now));
            m.onParkEvent(new ParkEvent(ParkEvent.Type.RETRIEVED,
                    c1.carriedAndEnded("B", "leg-x", "", Resolution.ANSWERED), now));
            m.onParkEvent(new ParkEvent(ParkEvent.Type.ABANDONED, c2.ended(Resolution.ABANDONED), now));
        }
        assertEquals(1, count(a, "callpark.parks", "tenant", "acme", "group", "Sales"));
        assertEquals(0, count(b, "callpark.parks", "tenant", "acme", "group", "Sales"));
        assertEquals(1, count(b, "callpark.parks", "tenant", "acme", "group", ParkMeters.NO_GROUP));
        assertEquals(1, count(a, "callpark.parks", "tenant", "default", "group", ParkMeters.NO_GROUP));
        assertEquals(1, count(a, "callpark.recall.attempts", "tenant", "acme") + count(b, "callpark.recall.attempts",
                "tenant", "acme"));
        assertEquals(1, count(a, "callpark.recalls", "outcome", "unanswered"));
        assertEquals(0, count(a, "callpark.retrieves", "tenant", "acme"), "resolved at B");
        assertEquals(1, count(b, "callpark.retrieves", "tenant", "acme", "group", "Sales"));
        assertEquals(1, count(b, "callpark.calls.ended", "resolution", "answered"));
        assertEquals(1, count(b, "callpark.calls.ended", "resolution", "abandoned"));
        assertEquals(0, count(a, "callpark.calls.ended", "resolution", "abandoned"));
    }

    @Test
    void parkedNowFollowsTheLiveCallsAndDropsToZero() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        ParkCounts counts = new ParkCounts(() -> "A");
        ParkMeters m = new ParkMeters(counts, () -> live, clock);
        live.add(call("c1", "acme", "Sales", "A"));
        m.bindTo(r); // a call parked before the meters were bound is there at once
        Gauge sales = r.find("callpark.parked").tags("tenant", "acme", "group", "Sales").gauge();
        assertEquals(1, sales.value());
        ParkedCall c2 = call("c2", "acme", "Sales", "B");
        live.add(c2);
        counts.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, c2, now));
        assertEquals(1, sales.value(), "a snapshot is at most a second old");
        now = now.plusSeconds(2);
        assertEquals(2, sales.value());
        live.clear();
        now = now.plusSeconds(2);
        assertEquals(0, sales.value());
        assertNull(r.find("callpark.parked").tags("tenant", "globex").gauge());
        assertEquals(0, count(r, "callpark.recall.attempts", "tenant", "acme", "group", "Sales"),
                "a seen tenant's counters exist at 0 before their first event");
        assertEquals(6, r.find("callpark.calls.ended").tags("tenant", "acme", "group", "Sales").functionCounters()
                .size());
    }

    @Test
    void callsHandledBeforeTheRegistryBoundAreInItsCounters() {
        ParkCounts counts = new ParkCounts(() -> "A");
        counts.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, call("c1", "acme", "", "A"), now));
        counts.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, call("c2", "acme", "", "A"), now));
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        new ParkMeters(counts, () -> live, clock).bindTo(r); // the ops bundle started after the first two calls
        counts.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, call("c3", "acme", "", "A"), now));
        counts.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, call("c4", "globex", "Sales", "A"), now));
        assertEquals(3, count(r, "callpark.parks", "tenant", "acme"));
        assertEquals(1, count(r, "callpark.parks", "tenant", "globex", "group", "Sales"), "a series seen after binding");
        assertEquals(1, r.find("callpark.parked").tags("tenant", "globex").gauges().size());
    }

    @Test
    void anOpsBundleUpdateNeitherResetsNorDoublesTheCounters() {
        ParkCounts counts = new ParkCounts(() -> "A");
        SimpleMeterRegistry before = new SimpleMeterRegistry();
        ParkMeters old = new ParkMeters(counts, () -> live, clock);
        old.bindTo(before);
        counts.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, call("c1", "acme", "", "A"), now));
        old.close(); // the ops bundle is updated: its registry goes, a new one binds a new binder
        counts.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, call("c2", "globex", "", "A"), now));
        assertTrue(before.find("callpark.parks").tags("tenant", "globex").functionCounters().isEmpty(),
                "the closed binder registers nothing more");
        SimpleMeterRegistry after = new SimpleMeterRegistry();
        new ParkMeters(counts, () -> live, clock).bindTo(after);
        counts.onParkEvent(new ParkEvent(ParkEvent.Type.PARKED, call("c3", "acme", "", "A"), now));
        assertEquals(2, count(after, "callpark.parks", "tenant", "acme"));
        assertEquals(1, count(after, "callpark.parks", "tenant", "globex"));
        assertEquals(1, after.find("callpark.parks").tags("tenant", "acme").functionCounters().size());
    }
}
