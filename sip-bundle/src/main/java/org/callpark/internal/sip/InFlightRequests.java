package org.callpark.internal.sip;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Requests we sent that wait for their final response, at most one per dialog (by Call-ID), each with a deadline: the
 * re-INVITEs of a {@link Handover}. Exactly one of the response, the deadline and a stop takes an entry out (the
 * first to remove it), and whoever does handles it; its deadline is cancelled with it.
 *
 * @param <P> what the sender keeps about one request
 */
final class InFlightRequests<P> {

    private final ScheduledExecutorService timer;
    private final Map<String, Slot<P>> slots = new ConcurrentHashMap<>();

    /** One request in flight and its deadline (set just after it was put in). */
    private static final class Slot<P> {
        final P request;
        volatile ScheduledFuture<?> deadline;

        Slot(P request) {
            this.request = request;
        }

        void cancel() {
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
        }
    }

    InFlightRequests(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /**
     * Waits for the response to {@code request} in dialog {@code callId}, replacing (and forgetting) one still waiting
     * there; if none has come after {@code timeoutMs}, {@code expired} runs on the timer thread.
     */
    void put(String callId, P request, long timeoutMs, Runnable expired) {
        Slot<P> slot = new Slot<>(request);
        Slot<P> before = slots.put(callId, slot);
        if (before != null) {
            before.cancel();
        }
        slot.deadline = timer.schedule(() -> {
            if (slots.remove(callId, slot)) {
                expired.run();
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** The request waiting in dialog {@code callId}, or {@code null}. */
    P get(String callId) {
        Slot<P> slot = slots.get(callId);
        return slot == null ? null : slot.request;
    }

    /** Takes {@code request} out: {@code true} if it was still waiting (the caller handles it), else another did. */
    boolean remove(String callId, P request) {
        Slot<P> slot = slots.get(callId);
        if (slot == null || slot.request != request || !slots.remove(callId, slot)) {
            return false;
        }
        slot.cancel();
        return true;
    }

    /** Takes every request out, handing each one taken out here to {@code stopped}. */
    void removeAll(Consumer<P> stopped) {
        for (Map.Entry<String, Slot<P>> e : List.copyOf(slots.entrySet())) {
            if (slots.remove(e.getKey(), e.getValue())) {
                e.getValue().cancel();
                stopped.accept(e.getValue().request);
            }
        }
    }
}
