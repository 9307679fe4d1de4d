package org.callpark.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.callpark.spi.SlotStore.Queued;
import org.junit.jupiter.api.Test;

/** The node's view of the slot queues: order, versions, and what a read of the records adds. */
class SlotQueuesTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private final SlotQueues view = new SlotQueues();

    private static SlotQueues.Entry entry(String id, String slot, long at, long seq, String node, long version,
            boolean live) {
        return new SlotQueues.Entry(slot, new Queued(id, T0.plusMillis(at), seq, node), version, live);
    }

    private List<String> ids(String slot) {
        return view.queue(slot).stream().map(Queued::id).toList();
    }

    @Test
    void aSlotIsFirstParkedFirstWhateverTheOrderOfTheEvents() {
        view.seen("c", entry("c", "s", 2_000, 1, "a", 1, true));
        view.seen("a", entry("a", "s", 1_000, 5, "a", 1, true));
        view.seen("b", entry("b", "s", 1_000, 6, "b", 1, true));
        view.seen("x", entry("x", "other", 0, 0, "a", 1, true));
        assertEquals(List.of("a", "b", "c"), ids("s"));
        assertEquals(List.of("x"), ids("other"));
    }

    @Test
    void anOlderVersionNeverUndoesANewerOne() {
        view.seen("a", entry("a", "s", 1_000, 1, "a", 1, true));
        view.seen("a", entry("a", "s", 1_000, 1, "a", 3, false)); // taken (this node's own write, before its event)
        view.seen("a", entry("a", "s", 1_000, 1, "b", 2, true)); // the event of the move before it, late
        assertEquals(List.of(), ids("s"));
        view.fill("s", List.of(entry("a", "s", 1_000, 1, "b", 2, true))); // a read that started before the take
        assertEquals(List.of(), ids("s"));
    }

    @Test
    void aCallMovedToAnotherNodeKeepsItsPlaceWithItsNewNode() {
        view.seen("a", entry("a", "s", 1_000, 1, "node-a", 1, true));
        view.seen("b", entry("b", "s", 2_000, 1, "node-a", 1, true));
        view.seen("a", entry("a", "s", 1_000, 1, "node-b", 2, true));
        assertEquals(List.of("a", "b"), ids("s"));
        assertEquals("node-b", view.queue("s").get(0).node());
    }

    @Test
    void aRemovedCallLeavesTheQueueAndTheView() {
        view.seen("a", entry("a", "s", 1_000, 1, "a", 1, true));
        view.seen("b", entry("b", "s", 2_000, 1, "a", 1, true));
        view.gone("a");
        view.gone("never-seen");
        assertEquals(List.of("b"), ids("s"));
        assertEquals(1, view.size());
    }

    @Test
    void aSlotIsTrustedOnlyAfterItsRecordsWereRead() {
        view.seen("new", entry("new", "s", 5_000, 1, "a", 1, true)); // an event: older calls may be missing
        assertFalse(view.isFilled("s"));
        view.fill("s", List.of(entry("old", "s", 1_000, 1, "a", 4, true), entry("new", "s", 5_000, 1, "a", 1, true),
                entry("ended", "s", 0, 1, "a", 2, false)));
        assertTrue(view.isFilled("s"));
        assertEquals(List.of("old", "new"), ids("s"));
        view.clear();
        assertFalse(view.isFilled("s"));
        assertEquals(List.of(), ids("s"));
    }
}
