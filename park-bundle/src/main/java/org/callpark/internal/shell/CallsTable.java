package org.callpark.internal.shell;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.karaf.shell.support.table.ShellTable;
import org.callpark.api.Directory;
import org.callpark.api.ParkedCall;

/** The parked-calls table shared by {@code park:list} and {@code park:group}. */
final class CallsTable {

    static final String EMPTY = "No parked calls.";

    private CallsTable() {
    }

    /** Prints the calls oldest first, or {@value #EMPTY}. */
    static void print(PrintStream out, Directory directory, List<ParkedCall> calls, Clock clock, boolean longIds) {
        print(out, directory, calls, clock, longIds, null);
    }

    /**
     * With {@code nodes} (member id → its address), also the node that carries each call ({@code gone} for a node
     * that left the cluster: a survivor is taking its calls over).
     */
    static void print(PrintStream out, Directory directory, List<ParkedCall> calls, Clock clock, boolean longIds,
            java.util.Map<String, String> nodes) {
        if (calls.isEmpty()) {
            out.println(EMPTY);
            return;
        }
        List<ParkedCall> sorted = new ArrayList<>(calls);
        sorted.sort(Comparator.comparing(ParkedCall::parkedAt).thenComparingLong(ParkedCall::sequence));

        ShellTable table = new ShellTable();
        table.column("Call");
        table.column("Tenant");
        table.column("Slot");
        table.column("Caller");
        table.column("Parked by");
        table.column("Since");
        table.column("Waiting").alignRight();
        table.column("State");
        if (nodes != null) {
            table.column("Node");
        }
        for (ParkedCall call : sorted) {
            org.apache.karaf.shell.support.table.Row row = table.addRow();
            row.addContent(
                    longIds ? call.id() : ShellText.shortId(call.id()),
                    call.tenant().value(),
                    ShellText.slot(directory, call.slot()),
                    ShellText.caller(call.caller()),
                    parker(directory, call),
                    ShellText.since(call.parkedAt(), clock.getZone()),
                    ShellText.waiting(Duration.between(call.parkedAt(), clock.instant())),
                    ShellText.state(call));
            if (nodes != null) {
                row.addContent(nodes.getOrDefault(call.node(), call.node().isEmpty() ? "" : "gone"));
            }
        }
        table.print(out);
    }

    /** {@code 101 Bob}, or {@code 101 Bob (unverified)} for a parker nobody vouched for (the recall never rings it). */
    static String parker(Directory directory, ParkedCall call) {
        String who = ShellText.user(directory, call.tenant(), call.parkedBy());
        return call.parkerVerified() ? who : who + " (unverified)";
    }
}
