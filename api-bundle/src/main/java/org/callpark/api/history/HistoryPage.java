package org.callpark.api.history;

import java.util.List;
import java.util.Objects;

/**
 * One page of history records.
 *
 * @param records    newest first
 * @param nextCursor pass it as {@link HistoryQuery#cursor()} for the next (older) page; empty when there is none
 */
public record HistoryPage(List<HistoryRecord> records, String nextCursor) {

    public HistoryPage {
        records = List.copyOf(Objects.requireNonNull(records, "records"));
        nextCursor = nextCursor == null ? "" : nextCursor;
    }
}
