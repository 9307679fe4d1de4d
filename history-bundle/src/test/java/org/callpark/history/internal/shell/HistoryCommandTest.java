package org.callpark.history.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryStep;
import org.callpark.api.history.ParkHistory;
import org.junit.jupiter.api.Test;

class HistoryCommandTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private final List<HistoryQuery> asked = new ArrayList<>();
    private final HistoryRecord record = new HistoryRecord("c-1", SlotId.extension(TenantId.of("acme"), "101"),
            CallerId.of("+4930123", "Evil\u001b[2J"), "101", "", NOW.minusSeconds(72), NOW.minusMillis(59_900),
            Resolution.ANSWERED, "103", 0, "node-a",
            List.of(new HistoryStep(NOW.minusSeconds(72), ParkEvent.Type.PARKED, "by 101", "node-a"),
                    new HistoryStep(NOW.minusMillis(59_900), ParkEvent.Type.RETRIEVED, "103", "node-a")));

    private final ParkHistory history = new ParkHistory() {
        @Override
        public HistoryPage find(HistoryQuery query) {
            asked.add(query);
            return new HistoryPage(List.of(record), "");
        }

        @Override
        public Optional<HistoryRecord> get(String callId) {
            return callId.equals("c-1") ? Optional.of(record) : Optional.empty();
        }
    };

    private String run(HistoryCommand c) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        c.history = history;
        c.clock = Clock.fixed(NOW, ZoneOffset.UTC);
        c.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        c.execute();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listsWithTheFiltersGivenAndAnAgeForSince() throws Exception {
        HistoryCommand c = new HistoryCommand();
        c.tenant = "acme";
        c.slot = "101";
        c.since = "2h";
        c.limit = 5;
        String out = run(c);
        HistoryQuery q = asked.get(0);
        assertEquals(List.of(TenantId.of("acme")), List.copyOf(q.tenants()));
        assertEquals("101", q.slot());
        assertEquals(NOW.minusSeconds(7200), q.since());
        assertEquals(5, q.limit());
        assertTrue(out.contains("c-1") && out.contains("ANSWERED") && out.contains("12.1s") && out.contains("103"),
                out);
        assertFalse(out.contains("\u001b"), "a hostile caller name cannot drive the terminal");
    }

    @Test
    void aCallIdShowsItsSteps() throws Exception {
        HistoryCommand c = new HistoryCommand();
        c.callId = "c-1";
        String out = run(c);
        assertTrue(out.contains("Resolution ANSWERED by 103"), out);
        assertTrue(out.indexOf("PARKED") < out.indexOf("RETRIEVED"), out);
        c.callId = "nope";
        assertTrue(run(c).contains("No call nope in the history."));
    }

    @Test
    void sinceTakesAnIsoInstantAndRefusesGarbage() {
        assertEquals(Instant.parse("2026-12-07T10:42:00Z"), Since.parse("2026-12-07T10:42:00Z", NOW));
        assertEquals(NOW.minusSeconds(30 * 60), Since.parse("30m", NOW));
        assertEquals(NOW.minusSeconds(7 * 86400), Since.parse("7d", NOW));
        assertThrows(IllegalArgumentException.class, () -> Since.parse("yesterday", NOW));
    }
}
