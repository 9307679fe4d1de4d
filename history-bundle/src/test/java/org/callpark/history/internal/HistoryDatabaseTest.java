package org.callpark.history.internal;

import static org.callpark.history.internal.Fixtures.T0;
import static org.callpark.history.internal.Fixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.callpark.api.ParkEvent;
import org.callpark.api.Resolution;
import org.callpark.api.TenantId;
import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.junit.jupiter.api.Test;

class HistoryDatabaseTest {

    private final DataSource ds = Fixtures.h2();
    private final HistoryStore store = Fixtures.store(ds);

    private void insert(List<HistoryRecord> records) throws SQLException {
        try (Connection c = store.open()) {
            HistoryDatabase.insert(c, records);
        }
    }

    @Test
    void theSchemaIsCreatedOnceAndRecordedInSchemaVersion() throws Exception {
        try (Connection c = store.open()) {
            assertEquals(1, Schema.migrate(c), "the first open migrated to 1, a second migrate finds 1");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void aRecordIsReadBackWithItsStepsAndADuplicateIsSkipped() throws Exception {
        HistoryRecord r = record("c1", "acme", "101", T0, Resolution.ANSWERED);
        insert(List.of(r));
        insert(List.of(r, record("c2", "acme", "101", T0.plusSeconds(1), Resolution.ABANDONED)));

        HistoryRecord back = store.get("c1").orElseThrow();
        assertEquals(r, back);
        assertEquals(List.of(ParkEvent.Type.PARKED, ParkEvent.Type.RETRIEVED),
                back.steps().stream().map(s -> s.type()).toList());
        assertEquals(2, store.find(HistoryQuery.latest()).records().size());
        assertTrue(store.get("nope").isEmpty());
    }

    @Test
    void pagesAreNewestFirstAndTheCursorWalksEveryRecordOnceEvenWithTiesOnEndedAt() throws Exception {
        List<HistoryRecord> all = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            // pairs end at the same millisecond: the call id breaks the tie
            all.add(record(String.format("call-%02d", i), "acme", "101", T0.plusSeconds(i / 2), Resolution.ANSWERED));
        }
        insert(all);
        List<String> seen = new ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            HistoryPage page = store.find(new HistoryQuery(Set.of(), "", null, null, 10, cursor));
            page.records().forEach(r -> seen.add(r.callId()));
            cursor = page.nextCursor();
            pages++;
        } while (!cursor.isEmpty());
        assertEquals(3, pages);
        List<String> expected = new ArrayList<>();
        for (int i = 24; i >= 0; i--) {
            expected.add(String.format("call-%02d", i));
        }
        assertEquals(expected, seen);
    }

    @Test
    void filtersByTenantSlotAndTime() throws Exception {
        insert(List.of(record("a", "acme", "101", T0, Resolution.ANSWERED),
                record("b", "acme", "102", T0.plusSeconds(60), Resolution.TIMED_OUT),
                record("c", "other", "101", T0.plusSeconds(120), Resolution.ANSWERED)));
        assertEquals(List.of("b", "a"), ids(new HistoryQuery(Set.of(TenantId.of("acme")), "", null, null, 50, "")));
        assertEquals(List.of("c", "a"), ids(new HistoryQuery(Set.of(), "101", null, null, 50, "")));
        assertEquals(List.of("b"), ids(new HistoryQuery(Set.of(), "", T0.plusSeconds(1), T0.plusSeconds(120), 50,
                "")));
        assertEquals(List.of(), ids(new HistoryQuery(Set.of(TenantId.of("nobody")), "", null, null, 50, "")));
    }

    @Test
    void aForgedCursorIsRefusedAsTheCallersError() {
        assertThrows(IllegalArgumentException.class,
                () -> store.find(new HistoryQuery(Set.of(), "", null, null, 10, "not-a-cursor")));
    }

    @Test
    void retentionDeletesOnlyOlderCallsWithTheirSteps() throws Exception {
        insert(List.of(record("old", "acme", "101", T0, Resolution.ANSWERED),
                record("new", "acme", "101", T0.plusSeconds(3600), Resolution.ANSWERED)));
        try (Connection c = store.open()) {
            assertEquals(1, HistoryDatabase.purge(c, T0.plusSeconds(1)));
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM steps WHERE call_id = 'old'")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
        }
        assertEquals(List.of("new"), ids(HistoryQuery.latest()));
    }

    private List<String> ids(HistoryQuery q) throws Exception {
        return store.find(q).records().stream().map(HistoryRecord::callId).toList();
    }
}
