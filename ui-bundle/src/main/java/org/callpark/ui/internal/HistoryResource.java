package org.callpark.ui.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.TenantId;
import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryUnavailableException;
import org.callpark.api.history.ParkHistory;

/**
 * Park history, read only: {@code GET /history} (one page, newest first, filtered and tenant-scoped) and
 * {@code GET /history/{id}} (one call with its steps). The history bundle may be absent or its database down: both
 * are a 503 that says so, never an empty list that would look like "nothing happened".
 *
 * <p>Scoping is done twice: the caller's tenants go into the query (so a page is full of visible records), and every
 * record that comes back is checked again, so a history implementation that ignored the filter still shows nobody
 * another tenant's calls. A record of another tenant is answered like one that does not exist (404).
 */
final class HistoryResource {

    /** The query parameters {@code GET /history} takes; any other is a 400 (a typo must not widen the result). */
    static final Set<String> PARAMETERS = Set.of("tenant", "slot", "since", "until", "limit", "cursor");
    static final int MAX_SLOT = 64;
    static final int MAX_CURSOR = 512;
    /** {@code 30m}, {@code 2h}, {@code 7d}: that long before now. */
    private static final Pattern RELATIVE = Pattern.compile("(\\d{1,6})([smhd])");
    /** The furthest back a relative {@code since} may reach (a database need not handle the year -700). */
    static final Duration MAX_BACK = Duration.ofDays(36_500);

    private final DirectoryService directories;
    private final Supplier<ParkHistory> history;
    private final Clock clock;

    /** @param history the history service now, or {@code null} while none is installed */
    HistoryResource(DirectoryService directories, Supplier<ParkHistory> history, Clock clock) {
        this.directories = directories;
        this.history = history;
        this.clock = clock;
    }

    void register(Router router) {
        router.add("GET", "/history", this::find);
        router.add("GET", "/history/{id}", this::one);
    }

    ApiResponse find(ApiRequest r) throws ApiException {
        ParkHistory h = service();
        Directory d = directories.current();
        HistoryQuery query = query(r, d);
        if (query == null) {
            return ApiResponse.ok(new Dtos.HistoryPageDto(List.of(), null));
        }
        HistoryPage page;
        try {
            page = h.find(query);
        } catch (HistoryUnavailableException e) {
            throw unavailable(e);
        } catch (IllegalArgumentException e) {
            // the query is valid by now, so what the history refuses is the opaque cursor
            throw ApiException.invalid("cursor", "cursor: not a cursor of this history (" + e.getMessage() + ")");
        }
        List<Dtos.HistoryDto> records = page.records().stream().filter(x -> r.caller().sees(x.slot().tenant()))
                .map(x -> Views.history(d, x, false)).toList();
        return ApiResponse.ok(new Dtos.HistoryPageDto(records,
                page.nextCursor().isEmpty() ? null : page.nextCursor()));
    }

    ApiResponse one(ApiRequest r) throws ApiException {
        ParkHistory h = service();
        String id = r.path("id");
        Optional<HistoryRecord> found;
        try {
            found = h.get(id);
        } catch (HistoryUnavailableException e) {
            throw unavailable(e);
        }
        HistoryRecord record = found.filter(x -> r.caller().sees(x.slot().tenant()))
                .orElseThrow(() -> ApiException.notFound("the history has no call '" + id + "'"));
        return ApiResponse.ok(Views.history(directories.current(), record, true));
    }

    private ParkHistory service() throws ApiException {
        ParkHistory h = history.get();
        if (h == null) {
            throw new ApiException(503, "HISTORY_NOT_INSTALLED", "history is not installed");
        }
        return h;
    }

    private static ApiException unavailable(HistoryUnavailableException e) {
        return new ApiException(503, "HISTORY_UNAVAILABLE", e.getMessage(), List.of(), e);
    }

    /**
     * The validated query, or {@code null} when the caller can see no tenant at all (then nothing matches; an empty
     * tenant set would mean "every tenant").
     */
    HistoryQuery query(ApiRequest r, Directory d) throws ApiException {
        Map<String, String> q = r.query();
        for (String name : new TreeSet<>(q.keySet())) {
            if (!PARAMETERS.contains(name)) {
                throw ApiException.invalid(name, "unknown parameter '" + name + "'; known: "
                        + String.join(", ", new TreeSet<>(PARAMETERS)));
            }
        }
        Set<TenantId> tenants;
        String tenant = q.getOrDefault("tenant", "");
        if (!tenant.isEmpty()) {
            tenants = Set.of(Scope.tenant(new ApiRequest(r.caller(), r.method(), Map.of("t", tenant), Map.of(), null),
                    d).id());
        } else {
            tenants = visible(r.caller());
            if (tenants == null) {
                return null;
            }
        }
        String slot = q.getOrDefault("slot", "").strip();
        if (slot.length() > MAX_SLOT) {
            throw ApiException.invalid("slot", "slot: at most " + MAX_SLOT + " characters");
        }
        Instant now = clock.instant();
        Instant since = instant("since", q.get("since"), now, true);
        Instant until = instant("until", q.get("until"), now, false);
        if (since != null && until != null && !since.isBefore(until)) {
            throw ApiException.invalid("since", "since (" + since + ") must be before until (" + until + ")");
        }
        int limit = limit(q.get("limit"));
        String cursor = q.getOrDefault("cursor", "");
        if (cursor.length() > MAX_CURSOR) {
            throw ApiException.invalid("cursor", "cursor: not a cursor of this history (too long)");
        }
        return new HistoryQuery(tenants, slot, since, until, limit, cursor);
    }

    /** The caller's tenants: empty for every tenant, {@code null} if its scope names no valid tenant id. */
    private static Set<TenantId> visible(Caller caller) {
        Set<String> scope = caller.tenantScope();
        if (scope.isEmpty()) {
            return Set.of();
        }
        Set<TenantId> ids = new TreeSet<>();
        for (String s : scope) {
            try {
                ids.add(TenantId.of(s));
            } catch (IllegalArgumentException e) {
                // a role naming an impossible tenant id grants nothing
            }
        }
        return ids.isEmpty() ? null : ids;
    }

    private static Instant instant(String field, String value, Instant now, boolean relative) throws ApiException {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        Matcher m = RELATIVE.matcher(v);
        if (relative && m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration back = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (back.compareTo(MAX_BACK) > 0) {
                throw ApiException.invalid(field, field + ": '" + v + "' reaches back more than "
                        + MAX_BACK.toDays() + " days");
            }
            return now.minus(back);
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field, field + ": '" + v + "' is not an ISO-8601 instant such as "
                    + "2026-12-07T09:30:00Z" + (relative ? " nor a time back from now such as 30m, 2h or 7d" : ""));
        }
    }

    private static int limit(String value) throws ApiException {
        if (value == null || value.isBlank()) {
            return HistoryQuery.DEFAULT_LIMIT;
        }
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > HistoryQuery.MAX_LIMIT) {
            throw ApiException.invalid("limit", "limit: '" + value + "' is not a whole number from 1 to "
                    + HistoryQuery.MAX_LIMIT);
        }
        return n;
    }
}
