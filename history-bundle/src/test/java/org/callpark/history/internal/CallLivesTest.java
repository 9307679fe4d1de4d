package org.callpark.history.internal;

import static org.callpark.history.internal.Fixtures.LOCAL;
import static org.callpark.history.internal.Fixtures.OTHER;
import static org.callpark.history.internal.Fixtures.T0;
import static org.callpark.history.internal.Fixtures.event;
import static org.callpark.history.internal.Fixtures.parked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.callpark.api.ParkEvent.Type;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryStep;
import org.junit.jupiter.api.Test;

class CallLivesTest {

    private final SlotId slot = SlotId.extension(TenantId.DEFAULT, "101");

    @Test
    void aRecalledCallIsRecordedWithEveryRecallStepByTheNodeThatResolvedIt() {
        CallLives lives = new CallLives(100);
        ParkedCall c = parked("c1", slot, LOCAL);
        assertTrue(lives.accept(event(Type.PARKED, c, T0), LOCAL).isEmpty());
        ParkedCall r1 = c.recalling(1, RecallTarget.PARKER, T0.plusSeconds(80));
        assertTrue(lives.accept(event(Type.RECALLING, r1, T0.plusSeconds(60)), LOCAL).isEmpty());
        ParkedCall r1g = r1.recalling(1, RecallTarget.RING_GROUP, T0.plusSeconds(100));
        assertTrue(lives.accept(event(Type.RECALLING, r1g, T0.plusSeconds(80)), LOCAL).isEmpty());
        ParkedCall w = r1g.waiting(T0.plusSeconds(160));
        assertTrue(lives.accept(event(Type.RECALL_FAILED, w, T0.plusSeconds(100)), LOCAL).isEmpty());
        ParkedCall r2 = w.recalling(2, RecallTarget.PARKER, T0.plusSeconds(180));
        lives.accept(event(Type.RECALLING, r2, T0.plusSeconds(160)), LOCAL);
        ParkedCall done = r2.ended(Resolution.RECALLED, "101");

        Optional<HistoryRecord> rec = lives.accept(event(Type.RECALL_ANSWERED, done, T0.plusMillis(165_432)), LOCAL);

        assertTrue(rec.isPresent());
        HistoryRecord r = rec.get();
        assertEquals("c1", r.callId());
        assertEquals(Resolution.RECALLED, r.resolution());
        assertEquals("101", r.resolvedBy());
        assertEquals(2, r.recallAttempts());
        assertEquals(LOCAL, r.node());
        assertEquals(165_432, r.waited().toMillis());
        List<String> steps = r.steps().stream().map(s -> s.type() + " " + s.detail()).toList();
        assertEquals(List.of("PARKED by 101", "RECALLING attempt 1: parker 101", "RECALLING attempt 1: ring group sales",
                "RECALL_FAILED attempt 1 not answered", "RECALLING attempt 2: parker 101", "RECALL_ANSWERED 101"),
                steps);
        assertEquals(0, lives.size(), "an ended call is forgotten");
    }

    @Test
    void aCallAnsweredByItsFinalDestinationSaysSoInItsStepsAndResolvedBy() {
        CallLives lives = new CallLives(100);
        ParkedCall p = parked("c5", slot, LOCAL);
        ParkedCall c = new ParkedCall(p.id(), p.slot(), p.caller(), p.parkedBy(), p.parkGroup(), p.parkedAt(),
                p.sequence(), p.state(), null, 0, p.recall().withFinalDestination("sip:op@pbx.example.net",
                        List.of("sip:op@pbx.example.net")), p.node(), p.leg(), p.nextActionAt(), 1, null);
        lives.accept(event(Type.PARKED, c, T0), LOCAL);
        ParkedCall r1 = c.recalling(1, RecallTarget.PARKER, T0.plusSeconds(80));
        lives.accept(event(Type.RECALLING, r1, T0.plusSeconds(60)), LOCAL);
        ParkedCall fin = r1.recalling(1, RecallTarget.FINAL_DESTINATION, T0.plusSeconds(100));
        lives.accept(event(Type.RECALLING, fin, T0.plusSeconds(80)), LOCAL);
        HistoryRecord r = lives.accept(event(Type.RECALL_ANSWERED, fin.ended(Resolution.RECALLED,
                "final sip:op@pbx.example.net"), T0.plusSeconds(85)), LOCAL).orElseThrow();

        assertEquals("final sip:op@pbx.example.net", r.resolvedBy());
        assertEquals("RECALLING attempt 1: final destination sip:op@pbx.example.net", r.steps().get(2).type() + " "
                + r.steps().get(2).detail());
    }

    @Test
    void aCallResolvedByAnotherNodeIsNotRecordedHereButForgotten() {
        CallLives lives = new CallLives(100);
        ParkedCall c = parked("c2", slot, OTHER);
        lives.accept(event(Type.PARKED, c, T0), LOCAL);
        assertEquals(1, lives.size());
        assertTrue(lives.accept(event(Type.RETRIEVED, c.ended(Resolution.ANSWERED, "103"), T0.plusSeconds(5)), LOCAL)
                .isEmpty());
        assertEquals(0, lives.size());
    }

    @Test
    void aCallThisNodeNeverSawParkedGetsItsRecordFromTheFinalSnapshot() {
        CallLives lives = new CallLives(100);
        ParkedCall c = parked("c3", slot, LOCAL).ended(Resolution.ANSWERED, "103");
        HistoryRecord r = lives.accept(event(Type.RETRIEVED, c, T0.plusSeconds(7)), LOCAL).orElseThrow();
        assertEquals(T0, r.parkedAt());
        assertEquals("103", r.resolvedBy());
        assertEquals(List.of(Type.PARKED, Type.RETRIEVED), r.steps().stream().map(HistoryStep::type).toList());
        assertEquals("", r.steps().get(0).node(), "nobody here observed the park");
    }

    @Test
    void beyondTheCapTheOldestFollowedCallIsForgottenAndStillRecordedWhenItEnds() {
        CallLives lives = new CallLives(2);
        for (String id : List.of("a", "b", "c")) {
            lives.accept(event(Type.PARKED, parked(id, slot, LOCAL), T0), LOCAL);
        }
        assertEquals(2, lives.size());
        HistoryRecord a = lives.accept(event(Type.ABANDONED, parked("a", slot, LOCAL).ended(Resolution.ABANDONED),
                T0.plusSeconds(3)), LOCAL).orElseThrow();
        assertEquals(Resolution.ABANDONED, a.resolution());
        assertEquals("", a.resolvedBy());
        assertEquals(2, a.steps().size());
    }
}
