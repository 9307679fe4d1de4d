package org.callpark.api.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.callpark.api.CallerId;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;

/**
 * The life of one parked call after it ended.
 *
 * @param callId         the cluster-unique call id
 * @param slot           where it waited
 * @param caller         the parked party (already cleaned where it entered; still escape it where you show it)
 * @param parkedBy       the extension that parked it, or empty
 * @param parkGroup      the park group whose rules applied, or empty
 * @param parkedAt       when it was parked
 * @param endedAt        when it ended
 * @param resolution     how it ended
 * @param resolvedBy     who took it, for people: the retrieving extension or chat user, whom the answered recall rang,
 *                       the administrator who hung it up; empty when nobody did (abandoned, timed out, failed)
 * @param recallAttempts how many recall attempts rang
 * @param node           the cluster member that resolved it (and wrote this record)
 * @param steps          what happened, oldest first; may be empty when a record is read as a summary
 */
public record HistoryRecord(String callId, SlotId slot, CallerId caller, String parkedBy, String parkGroup,
        Instant parkedAt, Instant endedAt, Resolution resolution, String resolvedBy, int recallAttempts, String node,
        List<HistoryStep> steps) {

    public HistoryRecord {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(parkedAt, "parkedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(resolution, "resolution");
        parkedBy = parkedBy == null ? "" : parkedBy;
        parkGroup = parkGroup == null ? "" : parkGroup;
        resolvedBy = resolvedBy == null ? "" : resolvedBy;
        node = node == null ? "" : node;
        steps = List.copyOf(steps == null ? List.of() : steps);
    }

    /** How long the caller waited, from park to the end. */
    public Duration waited() {
        return Duration.between(parkedAt, endedAt);
    }
}
