package org.callpark.systests.historystub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;
import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryStep;
import org.callpark.api.history.ParkHistory;
import org.callpark.spi.ParkEventListener;

/**
 * TEST ONLY, never shipped: a park history in memory, fed by the real park events of the running assembly, for
 * {@code WebHistoryST} while the history bundle is not in the assembly. {@link HistoryStubBundle} packs this package
 * into a bundle (a DS component providing {@link ParkHistory} and {@link ParkEventListener}) and installs it.
 * It knows no {@code resolvedBy} (the api's {@code ParkedCall} has none yet) and keeps everything until Karaf stops.
 */
public final class MemoryParkHistory implements ParkHistory, ParkEventListener {

    private final Map<String, List<HistoryStep>> open = new ConcurrentHashMap<>();
    private final Map<String, String> rang = new ConcurrentHashMap<>();
    private final List<HistoryRecord> done = new CopyOnWriteArrayList<>();

    @Override
    public void onParkEvent(ParkEvent e) {
        ParkedCall c = e.call();
        String node = c.node();
        switch (e.type()) {
            case PARKED -> open.computeIfAbsent(c.id(), k -> new CopyOnWriteArrayList<>())
                    .add(new HistoryStep(e.at(), e.type(), "", node));
            case RECALLING -> {
                String whom = c.recallTarget() == RecallTarget.RING_GROUP ? "ring group " + c.recall().ringGroup()
                        : "parker " + c.parkedBy();
                rang.put(c.id(), whom);
                steps(c).add(new HistoryStep(e.at(), e.type(), whom, node));
            }
            case RECALL_FAILED -> steps(c).add(new HistoryStep(e.at(), e.type(), rang.getOrDefault(c.id(), ""), node));
            case MOVED -> {
                // still parked
            }
            default -> {
                List<HistoryStep> steps = new ArrayList<>(steps(c));
                open.remove(c.id());
                rang.remove(c.id());
                steps.add(new HistoryStep(e.at(), e.type(), "", node));
                Resolution how = c.resolution() != null ? c.resolution() : switch (e.type()) {
                    case RETRIEVED -> Resolution.ANSWERED;
                    case RECALL_ANSWERED -> Resolution.RECALLED;
                    case ABANDONED -> Resolution.ABANDONED;
                    case TIMED_OUT -> Resolution.TIMED_OUT;
                    case FORCED -> Resolution.FORCED;
                    default -> Resolution.FAILED;
                };
                done.add(new HistoryRecord(c.id(), c.slot(), c.caller(), c.parkedBy(), c.parkGroup(), c.parkedAt(),
                        e.at(), how, "", c.recallAttempt(), node, steps));
            }
        }
    }

    private List<HistoryStep> steps(ParkedCall c) {
        return open.computeIfAbsent(c.id(), k -> new CopyOnWriteArrayList<>());
    }

    @Override
    public HistoryPage find(HistoryQuery q) {
        List<HistoryRecord> match = done.stream()
                .filter(r -> q.tenants().isEmpty() || q.tenants().contains(r.slot().tenant()))
                .filter(r -> q.slot().isEmpty() || r.slot().name().equalsIgnoreCase(q.slot()))
                .filter(r -> q.since() == null || !r.endedAt().isBefore(q.since()))
                .filter(r -> q.until() == null || r.endedAt().isBefore(q.until()))
                .sorted(Comparator.comparing(HistoryRecord::endedAt).reversed()).toList();
        int from;
        try {
            from = q.cursor().isEmpty() ? 0 : Integer.parseInt(q.cursor());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor: " + q.cursor());
        }
        from = Math.min(Math.max(0, from), match.size());
        int to = Math.min(match.size(), from + q.limit());
        return new HistoryPage(match.subList(from, to), to < match.size() ? Integer.toString(to) : "");
    }

    @Override
    public Optional<HistoryRecord> get(String callId) {
        return done.stream().filter(r -> r.callId().equals(callId)).findFirst();
    }
}
