package org.callpark.internal.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

import org.callpark.spi.SlotStore.Queued;

/**
 * This node's view of every slot's queue, so that a retrieve from a slot of hundreds of calls reads its head instead
 * of asking the members to extract the queue attributes from every record of the slot (what a one-slot churn spent its
 * CPU on: issue 17).
 * <p>
 * Fed by the store's one entry listener (every change on any node, in order per call) and by this node's own writes
 * (at once, before their events come back). A slot's queue is only trusted once it was read from the records after the
 * listener started ({@link #filled}): before that the queue may lack calls parked earlier. Every entry carries the
 * record's version, and an older version never replaces a newer one, so a listener event and a read of the records
 * may arrive in any order.
 * <p>
 * The view can lag behind another node by an event's delivery time, and may hold an entry whose removal event was
 * lost. It is only ever a list of candidates: the record, changed by compare-and-set, decides who gets a call; a
 * candidate found taken or gone is dropped here ({@link #gone}), and a reader that found none of the candidates
 * alive reads the records ({@code SlotStore.queueFromRecords}).
 * <p>
 * Thread-safe: the entry of one call is changed only inside {@link ConcurrentHashMap#compute} of that call.
 */
final class SlotQueues {

    /** One call as the view knows it: its slot, its place in the queue, whether it can still be taken. */
    record Entry(String slot, Queued place, long version, boolean live) {
    }

    private final ConcurrentHashMap<String, Entry> calls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentSkipListSet<Queued>> slots = new ConcurrentHashMap<>();
    private final Set<String> filled = ConcurrentHashMap.newKeySet();

    /** Records what the call is now, unless the view holds a newer version of it. */
    void seen(String id, Entry now) {
        calls.compute(id, (k, old) -> {
            if (old != null && old.version() > now.version()) {
                return old;
            }
            if (old != null && old.live()) {
                queueOf(old.slot()).remove(old.place());
            }
            if (now.live()) {
                queueOf(now.slot()).add(now.place());
            }
            return now;
        });
    }

    /** The call's record is removed from the store (or found missing): it leaves the view. */
    void gone(String id) {
        calls.computeIfPresent(id, (k, old) -> {
            if (old.live()) {
                queueOf(old.slot()).remove(old.place());
            }
            return null;
        });
    }

    /** Whether the slot's queue was read from the records since the view started. */
    boolean isFilled(String slot) {
        return filled.contains(slot);
    }

    /** The slot's queue was read from the records: {@code rows} are its calls then, live or ended. */
    void fill(String slot, List<Entry> rows) {
        for (Entry row : rows) {
            seen(row.place().id(), row);
        }
        filled.add(slot);
    }

    /** The slot's live calls, first parked first. */
    List<Queued> queue(String slot) {
        ConcurrentSkipListSet<Queued> q = slots.get(slot);
        return q == null ? List.of() : new ArrayList<>(q);
    }

    /** Forgets everything (the member restarted: events may have been missed). */
    void clear() {
        filled.clear();
        calls.clear();
        slots.clear();
    }

    /** How many calls the view holds (live or ended but not yet removed). */
    int size() {
        return calls.size();
    }

    private ConcurrentSkipListSet<Queued> queueOf(String slot) {
        return slots.computeIfAbsent(slot, s -> new ConcurrentSkipListSet<>(Queued.FIFO));
    }
}
