package org.callpark.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.TenantId;
import org.callpark.internal.store.HazelcastSlotStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.HazelcastInstance;

/**
 * A call moved to another node while a recall step rings: the old node stops ringing, the new carrier rings on for the
 * rest of the step, and an answer there resolves the call once. Two real members, the real core on each.
 */
class RecallMovesWithTheCallTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    }

    private HazelcastInstance ha;
    private HazelcastInstance hb;
    private SipTestCore a;
    private SipTestCore b;

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (hb != null) {
            hb.shutdown();
        }
        if (ha != null) {
            ha.shutdown();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aRingingRecallMovesWithTheCall() throws Exception {
        String cluster = "callpark-recall-move-" + UUID.randomUUID();
        int base = 24101 + java.util.concurrent.ThreadLocalRandom.current().nextInt(200) * 2;
        List<String> members = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
        ha = TestCluster.member(cluster, members, base);
        hb = TestCluster.member(cluster, members, base + 1);
        String nodeA = ha.getCluster().getLocalMember().getUuid().toString();
        String nodeB = hb.getCluster().getLocalMember().getUuid().toString();
        // group Solo (101): recall the parker after 2 s, ring 2 s, one attempt
        org.callpark.api.Directory dir = SipTestCore.recallDirectory(Duration.ofSeconds(2), Duration.ZERO, 1);
        a = SipTestCore.clustered(new HazelcastSlotStore(ha, nodeA), dir);
        b = SipTestCore.clustered(new HazelcastSlotStore(hb, nodeB), dir);
        RecordingDialer dialA = new RecordingDialer();
        RecordingDialer dialB = new RecordingDialer();
        a.setDialer(dialA);
        b.setDialer(dialB);
        List<ParkEvent> eventsB = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        b.addListener(eventsB::add);

        ParkedCall call = a.service().park(new ParkRequest(TenantId.DEFAULT, ParkTarget.ownExtension(), "101",
                CallerId.of("+4930123", "Customer"), "leg-a", "{\"sip\":1}"));
        assertEquals(nodeA, call.node());
        await(() -> !dialA.summary().isEmpty(), "A rings the recall");
        ParkedCall ringing = a.service().find(call.id()).orElseThrow();
        assertEquals(CallState.RECALLING, ringing.state());

        assertTrue(b.service().carry(call.id(), ringing.version(), nodeB, "leg-b", "{\"sip\":1}").isPresent());
        await(() -> dialA.last().cancelled, "A stops ringing once B carries the call");
        await(() -> !dialB.summary().isEmpty(), "B rings on");
        RecordingDialer.Ring atB = dialB.last();
        assertEquals(ringing.recallAttempt(), atB.attempt(), "the same attempt");
        assertEquals(List.of("101"), atB.extensions);
        assertTrue(atB.timeout.toMillis() > 0 && atB.timeout.compareTo(dialA.last().timeout) <= 0,
                "rings for the rest of the step: " + atB.timeout + " of " + dialA.last().timeout);

        assertTrue(atB.outcome.answered("101"), "the answer at B takes the call");
        await(() -> {
            try {
                return a.service().find(call.id()).isEmpty();
            } catch (org.callpark.api.ParkException e) {
                return false;
            }
        }, "resolved");
        assertTrue(!dialA.last().outcome.answered("101"), "a late answer at A is refused");
        await(() -> eventsB.stream().anyMatch(e -> e.type() == ParkEvent.Type.RECALL_ANSWERED
                && e.call().resolution() == Resolution.RECALLED), "RECALL_ANSWERED");
        Thread.sleep(100);
        assertEquals(1, eventsB.stream().filter(e -> e.type().isFinal()).count(), "exactly one resolution");
    }
}
