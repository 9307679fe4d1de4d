package org.callpark.internal.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;

/** Parked calls for store tests, with millisecond instants (what the store keeps). */
final class TestCalls {

    static final Instant T0 = Instant.parse("2026-11-25T10:15:30.123Z");

    private TestCalls() {
    }

    static String newId() {
        return "call-" + UUID.randomUUID();
    }

    static RecallPolicy policy() {
        return new RecallPolicy(RecallMode.USER_THEN_RING_GROUP, "reception", List.of("100", "101"),
                Duration.ofSeconds(45), Duration.ofSeconds(15), 3);
    }

    static ParkedCall parked(String id, SlotId slot) {
        return new ParkedCall(id, slot, CallerId.of("+4930123456", "Customer"), "201", "sales", T0, 7,
                CallState.PARKED, null, 0, policy(), "node-a", "leg-" + id, T0.plusSeconds(45), 0);
    }

    /** A fresh tenant per test, so tests sharing a cluster do not see each other's calls. */
    static TenantId newTenant() {
        return TenantId.of("t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }
}
