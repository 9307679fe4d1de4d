package org.callpark.history.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lives of the calls parked right now, as this node hears their events, turned into one {@link HistoryRecord} when
 * a call ends on this node. Every node hears every event, but only the node that resolved a call (the final
 * snapshot's {@link ParkedCall#node()}) gets its record, so a cluster writes each call once.
 * <p>
 * Bounded: a call is forgotten when it ends (wherever it ends); beyond {@code maxLiveCalls} the call followed longest is
 * forgotten too (its record is still written, from the final snapshot, without its early steps) and counted in a
 * warning. A call whose {@code PARKED} this node never heard (it joined later, or took the call over) also gets a record
 * from the final snapshot. Not thread-safe on its own: the park service delivers events one at a time.
 */
final class CallLives {

    private static final Logger LOG = LoggerFactory.getLogger(CallLives.class);

    private final int maxLiveCalls;
    private final Map<String, List<HistoryStep>> live = new LinkedHashMap<>();
    private long evicted;

    CallLives(int maxLiveCalls) {
        this.maxLiveCalls = maxLiveCalls;
    }

    /**
     * Takes one event in; the call's record when the event ended it on {@code localNode}.
     *
     * @param localNode this node's member id ({@code ClusterNode#nodeId()})
     */
    synchronized Optional<HistoryRecord> accept(ParkEvent event, String localNode) {
        ParkedCall call = event.call();
        Instant at = event.at().truncatedTo(ChronoUnit.MILLIS);
        if (!event.type().isFinal()) {
            List<HistoryStep> steps = live.get(call.id());
            if (steps == null) {
                steps = new ArrayList<>();
                if (event.type() != ParkEvent.Type.PARKED) {
                    steps.add(parkedStep(call, ""));
                }
                put(call.id(), steps);
            }
            steps.add(new HistoryStep(at, event.type(), detail(event), localNode));
            return Optional.empty();
        }
        List<HistoryStep> steps = live.remove(call.id());
        if (localNode == null || !localNode.equals(call.node())) {
            return Optional.empty();
        }
        if (steps == null) {
            steps = new ArrayList<>();
            steps.add(parkedStep(call, ""));
        }
        steps.add(new HistoryStep(at, event.type(), call.resolvedBy(), localNode));
        return Optional.of(new HistoryRecord(call.id(), call.slot(), call.caller(), call.parkedBy(), call.parkGroup(),
                call.parkedAt(), at, call.resolution(), call.resolvedBy(), call.recallAttempt(), call.node(),
                steps));
    }

    /** How many calls are followed now. */
    synchronized int size() {
        return live.size();
    }

    private void put(String id, List<HistoryStep> steps) {
        if (live.size() >= maxLiveCalls) {
            Iterator<String> oldest = live.keySet().iterator();
            oldest.next();
            oldest.remove();
            evicted++;
            if (evicted == 1 || evicted % 1000 == 0) {
                LOG.warn("history: more than {} parked calls followed; {} calls forgotten so far (their records are"
                        + " written without their early steps)", maxLiveCalls, evicted);
            }
        }
        live.put(id, steps);
    }

    /** The PARKED step of a call this node did not see parked (node unknown). */
    private static HistoryStep parkedStep(ParkedCall call, String node) {
        return new HistoryStep(call.parkedAt(), ParkEvent.Type.PARKED,
                call.parkedBy().isEmpty() ? "" : "by " + call.parkedBy(), node);
    }

    private static String detail(ParkEvent event) {
        ParkedCall call = event.call();
        return switch (event.type()) {
            case PARKED -> call.parkedBy().isEmpty() ? "" : "by " + call.parkedBy();
            case RECALLING -> "attempt " + call.recallAttempt() + ": " + switch (call.recallTarget()) {
                case RING_GROUP -> "ring group " + call.recall().ringGroup();
                case FINAL_DESTINATION -> "final destination " + call.recall().finalDestination();
                default -> "parker " + call.parkedBy();
            };
            case RECALL_FAILED -> "attempt " + call.recallAttempt() + " not answered";
            case MOVED -> "now carried by " + call.node();
            default -> "";
        };
    }
}
