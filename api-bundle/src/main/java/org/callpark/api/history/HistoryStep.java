package org.callpark.api.history;

import java.time.Instant;
import java.util.Objects;

import org.callpark.api.ParkEvent;

/**
 * One thing that happened to a parked call, in order: parked, each recall attempt and its outcome, the end.
 *
 * @param at     when it happened
 * @param type   what happened
 * @param detail for people: whom a recall rang ({@code "parker 101"}, {@code "ring group sales"}), who retrieved,
 *               or empty
 * @param node   the cluster member that observed it
 */
public record HistoryStep(Instant at, ParkEvent.Type type, String detail, String node) {

    public HistoryStep {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        detail = detail == null ? "" : detail;
        node = node == null ? "" : node;
    }
}
