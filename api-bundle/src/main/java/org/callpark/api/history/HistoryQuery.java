package org.callpark.api.history;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.callpark.api.TenantId;

/**
 * What to read from the history.
 *
 * @param tenants only these tenants; empty means every tenant (a reader limited to some tenants passes them here)
 * @param slot    only this slot name within its tenant (an extension number or a group name, case-insensitive), or
 *                empty for every slot
 * @param since   only calls that ended at or after this instant, or {@code null}
 * @param until   only calls that ended before this instant, or {@code null}
 * @param limit   at most this many records, 1 to {@value #MAX_LIMIT}
 * @param cursor  where the previous page ended ({@link HistoryPage#nextCursor()}), or empty for the first page
 */
public record HistoryQuery(Set<TenantId> tenants, String slot, Instant since, Instant until, int limit, String cursor) {

    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_LIMIT = 50;

    public HistoryQuery {
        tenants = Set.copyOf(new TreeSet<>(Objects.requireNonNull(tenants, "tenants")));
        slot = slot == null ? "" : slot.strip();
        cursor = cursor == null ? "" : cursor;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("since must be before until");
        }
    }

    /** The newest {@value #DEFAULT_LIMIT} records of every tenant. */
    public static HistoryQuery latest() {
        return new HistoryQuery(Set.of(), "", null, null, DEFAULT_LIMIT, "");
    }
}
