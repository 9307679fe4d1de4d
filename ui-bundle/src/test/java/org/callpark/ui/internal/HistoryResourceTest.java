package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryStep;
import org.callpark.api.history.HistoryUnavailableException;
import org.callpark.api.history.ParkHistory;
import org.junit.jupiter.api.Test;

/**
 * {@code /history} against a small in-memory {@link ParkHistory} (the history bundle's contract, not the thing under
 * test): paging, filters, tenant scoping, validation, and the 503s without the service or its database.
 */
class HistoryResourceTest {

    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    static final String HOSTILE = "<img src=x onerror=alert(1)>";

    /** Newest first by end; the cursor is the index where the next page starts. Optionally ignores the tenants. */
    static final class MemoryHistory implements ParkHistory {
        final List<HistoryRecord> records = new ArrayList<>();
        final List<HistoryQuery> queries = new ArrayList<>();
        boolean ignoreTenants;
        HistoryUnavailableException down;

        @Override
        public HistoryPage find(HistoryQuery q) throws HistoryUnavailableException {
            queries.add(q);
            if (down != null) {
                throw down;
            }
            List<HistoryRecord> match = records.stream()
                    .filter(r -> ignoreTenants || q.tenants().isEmpty() || q.tenants().contains(r.slot().tenant()))
                    .filter(r -> q.slot().isEmpty() || r.slot().name().equalsIgnoreCase(q.slot()))
                    .filter(r -> q.since() == null || !r.endedAt().isBefore(q.since()))
                    .filter(r -> q.until() == null || r.endedAt().isBefore(q.until()))
                    .sorted(Comparator.comparing(HistoryRecord::endedAt).reversed()).toList();
            int from;
            try {
                from = q.cursor().isEmpty() ? 0 : Integer.parseInt(q.cursor());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad cursor");
            }
            int to = Math.min(match.size(), from + q.limit());
            List<HistoryRecord> page = match.subList(from, to).stream()
                    .map(r -> new HistoryRecord(r.callId(), r.slot(), r.caller(), r.parkedBy(), r.parkGroup(),
                            r.parkedAt(), r.endedAt(), r.resolution(), r.resolvedBy(), r.recallAttempts(), r.node(),
                            List.of()))
                    .toList();
            return new HistoryPage(page, to < match.size() ? Integer.toString(to) : "");
        }

        @Override
        public Optional<HistoryRecord> get(String callId) throws HistoryUnavailableException {
            if (down != null) {
                throw down;
            }
            return records.stream().filter(r -> r.callId().equals(callId)).findFirst();
        }
    }

    private final Fixtures.Directories directories = new Fixtures.Directories();
    private final MemoryHistory history = new MemoryHistory();
    private ParkHistory installed = history;
    private final HistoryResource resource = new HistoryResource(directories, () -> installed,
            Clock.fixed(NOW, ZoneOffset.UTC));

    HistoryResourceTest() {
        // default: 101 (Bob's slot) and Sales; acme: 201. Ended 1, 2, 3, ... minutes ago.
        add("d1", SlotId.extension(Fixtures.DEFAULT, "101"), HOSTILE, 1, Resolution.ANSWERED, "103");
        add("d2", SlotId.group(Fixtures.DEFAULT, "sales"), "Customer", 2, Resolution.TIMED_OUT, "");
        add("a1", SlotId.extension(Fixtures.ACME, "201"), "Acme caller", 3, Resolution.ABANDONED, "");
        add("d3", SlotId.extension(Fixtures.DEFAULT, "101"), "Third", 60 * 5, Resolution.RECALLED, "101");
        add("d4", SlotId.extension(Fixtures.DEFAULT, "102"), "Old", 60 * 24 * 3, Resolution.FORCED, "karaf");
    }

    private void add(String id, SlotId slot, String name, int minutesAgo, Resolution how, String by) {
        Instant end = NOW.minus(Duration.ofMinutes(minutesAgo));
        Instant start = end.minusSeconds(75);
        history.records.add(new HistoryRecord(id, slot, CallerId.of("+4930" + id, name), "101", "Sales", start, end,
                how, by, 1, "node-1", List.of(
                        new HistoryStep(start, ParkEvent.Type.PARKED, "", "node-1"),
                        new HistoryStep(start.plusSeconds(45), ParkEvent.Type.RECALLING, "parker 101", "node-1"),
                        new HistoryStep(start.plusSeconds(75), ParkEvent.Type.RECALL_FAILED, "parker 101", "node-1"),
                        new HistoryStep(end, ParkEvent.Type.RETRIEVED, by, "node-1"))));
    }

    private static ApiRequest get(Caller caller, Map<String, String> query) {
        return new ApiRequest(caller, "GET", Map.of(), query, null);
    }

    private Dtos.HistoryPageDto find(Caller caller, Map<String, String> query) throws ApiException {
        return (Dtos.HistoryPageDto) resource.find(get(caller, query)).body();
    }

    private static List<String> ids(Dtos.HistoryPageDto page) {
        return page.records().stream().map(Dtos.HistoryDto::callId).toList();
    }

    private ApiException refused(Caller caller, Map<String, String> query) {
        return assertThrows(ApiException.class, () -> resource.find(get(caller, query)));
    }

    @Test
    void pagesNewestFirstWithACursorUntilTheLastPage() throws Exception {
        Dtos.HistoryPageDto first = find(Fixtures.VIEWER, Map.of("limit", "2"));
        assertEquals(List.of("d1", "d2"), ids(first));
        assertEquals("2", first.nextCursor());
        Dtos.HistoryPageDto second = find(Fixtures.VIEWER, Map.of("limit", "2", "cursor", first.nextCursor()));
        assertEquals(List.of("a1", "d3"), ids(second));
        Dtos.HistoryPageDto last = find(Fixtures.VIEWER, Map.of("limit", "2", "cursor", second.nextCursor()));
        assertEquals(List.of("d4"), ids(last));
        assertNull(last.nextCursor(), "no cursor after the last page");
        find(Fixtures.VIEWER, Map.of());
        assertEquals(HistoryQuery.DEFAULT_LIMIT, history.queries.get(3).limit(), "default limit");
    }

    @Test
    void aRecordCarriesTheSlotLabelCallerAndOutcomeAndTheDetailItsSteps() throws Exception {
        Dtos.HistoryDto d1 = find(Fixtures.ADMIN, Map.of("limit", "1")).records().get(0);
        assertEquals(new Dtos.SlotDto("EXTENSION", "101", "101 Bob"), d1.slot(), "labelled as /calls does");
        assertEquals(new Dtos.CallerDto(HOSTILE, "+4930d1"), d1.caller(), "the name as data, unchanged");
        assertEquals("default", d1.tenant());
        assertEquals("ANSWERED", d1.resolution());
        assertEquals("103", d1.resolvedBy());
        assertEquals(75, d1.waitedSeconds());
        assertEquals("2026-12-07T11:59:00Z", d1.endedAt());
        assertEquals("node-1", d1.node());
        assertNull(d1.steps(), "a list carries no steps");
        String json = Json.writeString(d1);
        assertTrue(!json.contains("\"steps\""), json);

        Dtos.HistoryDto group = find(Fixtures.ADMIN, Map.of("slot", "SALES")).records().get(0);
        assertEquals(new Dtos.SlotDto("GROUP", "Sales", "Sales"), group.slot(), "the directory's spelling");
        assertNull(group.resolvedBy(), "nobody took a timed-out call");

        Dtos.HistoryDto detail = (Dtos.HistoryDto) resource.one(new ApiRequest(Fixtures.VIEWER, "GET",
                Map.of("id", "d1"), Map.of(), null)).body();
        assertEquals(List.of("PARKED", "RECALLING", "RECALL_FAILED", "RETRIEVED"),
                detail.steps().stream().map(Dtos.HistoryStepDto::type).toList());
        assertEquals("parker 101", detail.steps().get(1).detail());
        assertNull(detail.steps().get(0).detail());
    }

    @Test
    void filtersBySlotAndTimeAbsoluteOrRelative() throws Exception {
        assertEquals(List.of("d1", "d3"), ids(find(Fixtures.ADMIN, Map.of("slot", " 101 "))));
        assertEquals(List.of("d1", "d2", "a1"), ids(find(Fixtures.ADMIN, Map.of("since", "1h"))));
        assertEquals(List.of("d1", "d2", "a1", "d3"), ids(find(Fixtures.ADMIN, Map.of("since", "2d"))));
        assertEquals(List.of("d1"), ids(find(Fixtures.ADMIN, Map.of("since", "90s"))));
        assertEquals(List.of("a1", "d3"), ids(find(Fixtures.ADMIN, Map.of("since", "2026-12-07T06:00:00Z",
                "until", "2026-12-07T11:58:00Z"))));
        assertEquals(NOW.minus(Duration.ofMinutes(30)), lastQuery(Map.of("since", "30m")).since());
        assertEquals(NOW.minus(Duration.ofDays(7)), lastQuery(Map.of("since", "7d")).since());
        assertEquals(List.of("d4"), ids(find(Fixtures.ADMIN, Map.of("until", "2026-12-05T00:00:00+01:00"))));
    }

    private HistoryQuery lastQuery(Map<String, String> query) throws ApiException {
        find(Fixtures.ADMIN, query);
        return history.queries.get(history.queries.size() - 1);
    }

    @Test
    void aTenantScopedCallerNeverSeesAnotherTenantsRecords() throws Exception {
        assertEquals(List.of("a1"), ids(find(Fixtures.ACME_ADMIN, Map.of())));
        assertEquals(Set.of(Fixtures.ACME), history.queries.get(0).tenants(), "the scope goes into the query");
        assertEquals(List.of("a1"), ids(find(Fixtures.ACME_ADMIN, Map.of("tenant", "acme"))));
        // default is not acme's: answered as if it did not exist, like every resource
        assertEquals(404, refused(Fixtures.ACME_ADMIN, Map.of("tenant", "default")).status());
        assertEquals(404, refused(Fixtures.ADMIN, Map.of("tenant", "nosuch")).status());
        assertEquals(404, assertThrows(ApiException.class, () -> resource.one(new ApiRequest(Fixtures.ACME_ADMIN,
                "GET", Map.of("id", "d1"), Map.of(), null))).status());
        assertEquals(List.of("a1"), ids(find(Fixtures.ADMIN, Map.of("tenant", "acme"))));
        assertEquals(List.of("d1", "d2", "d3", "d4"), ids(find(Fixtures.ADMIN, Map.of("tenant", "default"))));

        // a history that ignored the filter still shows acme nothing of default
        history.ignoreTenants = true;
        assertEquals(List.of("a1"), ids(find(Fixtures.ACME_ADMIN, Map.of())));
        // a scope of only impossible tenant ids grants nothing (an empty set would mean "every tenant")
        Caller odd = new Caller("odd", Set.of("viewer", "callpark-tenant-NOT VALID!"));
        int asked = history.queries.size();
        assertEquals(List.of(), ids(find(odd, Map.of())));
        assertEquals(asked, history.queries.size(), "not even asked");
    }

    @Test
    void badParametersAre400NamingTheField() {
        Map<Map<String, String>, String> bad = new HashMap<>();
        bad.put(Map.of("since", "yesterday"), "since");
        bad.put(Map.of("since", "2h ago"), "since");
        bad.put(Map.of("since", "36501d"), "since");
        bad.put(Map.of("since", "-2h"), "since");
        bad.put(Map.of("until", "2h"), "until"); // relative only for since
        bad.put(Map.of("until", "2026-13-01T00:00:00Z"), "until");
        bad.put(Map.of("since", "1h", "until", "2h"), "until");
        bad.put(Map.of("since", "2026-12-07T11:00:00Z", "until", "2026-12-07T10:00:00Z"), "since");
        bad.put(Map.of("limit", "0"), "limit");
        bad.put(Map.of("limit", "1001"), "limit");
        bad.put(Map.of("limit", "ten"), "limit");
        bad.put(Map.of("limit", "2.5"), "limit");
        bad.put(Map.of("tenants", "acme"), "tenants");
        bad.put(Map.of("resolution", "ANSWERED"), "resolution");
        bad.put(Map.of("slot", "x".repeat(65)), "slot");
        bad.put(Map.of("cursor", "x".repeat(600)), "cursor");
        bad.put(Map.of("cursor", "not-ours"), "cursor");
        bad.forEach((query, field) -> {
            ApiException e = refused(Fixtures.ADMIN, query);
            assertEquals(400, e.status(), query + ": " + e.getMessage());
            assertEquals(field, e.violations().get(0).field(), query + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(field), e.getMessage());
        });
        assertEquals(1000, assertDoesNotThrow(Map.of("limit", "1000")));
        assertEquals(1, assertDoesNotThrow(Map.of("limit", "1")));
    }

    private int assertDoesNotThrow(Map<String, String> query) {
        try {
            find(Fixtures.ADMIN, query);
        } catch (ApiException e) {
            throw new AssertionError(query + ": " + e.getMessage(), e);
        }
        return history.queries.get(history.queries.size() - 1).limit();
    }

    @Test
    void withoutTheHistoryServiceOrItsDatabaseIts503SayingWhy() {
        installed = null;
        ApiException absent = refused(Fixtures.ADMIN, Map.of());
        assertEquals(503, absent.status());
        assertEquals("history is not installed", absent.getMessage());
        assertEquals(503, assertThrows(ApiException.class, () -> resource.one(new ApiRequest(Fixtures.ADMIN, "GET",
                Map.of("id", "d1"), Map.of(), null))).status());

        installed = history;
        history.down = new HistoryUnavailableException("the history database at jdbc:postgresql://db/x is unreachable",
                null);
        ApiException down = refused(Fixtures.ADMIN, Map.of());
        assertEquals(503, down.status());
        assertEquals("HISTORY_UNAVAILABLE", down.error());
        assertTrue(down.getMessage().contains("unreachable"), down.getMessage());
        assertEquals(503, assertThrows(ApiException.class, () -> resource.one(new ApiRequest(Fixtures.ADMIN, "GET",
                Map.of("id", "d1"), Map.of(), null))).status());
    }

    @Test
    void anUnknownCallIs404() {
        assertEquals(404, assertThrows(ApiException.class, () -> resource.one(new ApiRequest(Fixtures.ADMIN, "GET",
                Map.of("id", "nope"), Map.of(), null))).status());
    }

    @Test
    void theRoutesAreReadOnly() throws Exception {
        Router router = new Router();
        resource.register(router);
        assertTrue(!router.match("GET", "/history").isChange());
        assertEquals("/history/{id}", router.match("GET", "/history/abc").pattern());
        assertEquals(405, assertThrows(ApiException.class, () -> router.match("DELETE", "/history/abc")).status());
    }
}
