package org.callpark.internal.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Predicate;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;

/**
 * Counts of live calls for the configuration listings. Those listings stay useful while the cluster store is down, so a
 * failed count shows as {@code ?} with a note instead of failing the whole command.
 */
final class ParkedCounts {

    private final List<ParkedCall> calls;
    private final String failure;

    private ParkedCounts(List<ParkedCall> calls, String failure) {
        this.calls = calls;
        this.failure = failure;
    }

    /** The live calls of {@code tenant}, or of every tenant for {@code null}. */
    static ParkedCounts of(CallParkService park, TenantId tenant) {
        try {
            return new ParkedCounts(tenant == null ? park.list() : park.list(tenant), null);
        } catch (ParkException e) {
            return new ParkedCounts(List.of(), ShellErrors.translate(e).getMessage());
        }
    }

    String in(SlotId slot) {
        return count(c -> c.slot().equals(slot));
    }

    String of(TenantId tenant) {
        return count(c -> c.tenant().equals(tenant));
    }

    private String count(Predicate<ParkedCall> which) {
        return failure != null ? "?" : Long.toString(calls.stream().filter(which).count());
    }

    /** Explains a {@code ?}, if there is one. */
    void printNote(PrintStream out) {
        if (failure != null) {
            out.println("Parked counts unavailable (?): " + failure);
        }
    }
}
