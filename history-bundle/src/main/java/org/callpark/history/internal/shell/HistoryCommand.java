package org.callpark.history.internal.shell;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.callpark.api.TenantId;
import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryStep;
import org.callpark.api.history.HistoryUnavailableException;
import org.callpark.api.history.ParkHistory;

/**
 * {@code park:history}: the calls that ended, newest first, from this node's history database (every node's when the
 * nodes share one PostgreSQL); with a call id, that call and its steps.
 */
@Service
@Command(scope = "park", name = "history", description = "Lists parked calls that ended, newest first, or shows one "
        + "call's steps.")
public class HistoryCommand implements Action {

    static final String EMPTY = "No calls in the history.";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Argument(index = 0, name = "call", required = false, description = "A call id: show that call and its steps")
    String callId;

    @Option(name = "-t", aliases = "--tenant", description = "Only this tenant's calls")
    String tenant;

    @Option(name = "-s", aliases = "--slot", description = "Only this slot: an extension number or a park group name")
    String slot;

    @Option(name = "--since", description = "Only calls that ended since: an age (30m, 2h, 7d) or an ISO instant")
    String since;

    @Option(name = "-n", aliases = "--limit", description = "At most this many calls (1-1000, default 50)")
    int limit = HistoryQuery.DEFAULT_LIMIT;

    @Reference
    ParkHistory history;

    /** The clock and zone times are shown in; a field so that tests can fix it. */
    Clock clock = Clock.systemDefaultZone();

    /** Where the output goes; a field so that tests can read it. */
    PrintStream out = System.out;

    @Override
    public Object execute() throws HistoryUnavailableException {
        if (callId != null && !callId.isBlank()) {
            Optional<HistoryRecord> r = history.get(callId.strip());
            if (r.isEmpty()) {
                out.println("No call " + callId.strip() + " in the history.");
            } else {
                printCall(r.get());
            }
            return null;
        }
        Set<TenantId> tenants = tenant == null || tenant.isBlank() ? Set.of() : Set.of(TenantId.of(tenant.strip()));
        Instant from = since == null ? null : Since.parse(since, clock.instant());
        HistoryPage page = history.find(new HistoryQuery(tenants, slot, from, null, limit, ""));
        printPage(page);
        return null;
    }

    private void printPage(HistoryPage page) {
        if (page.records().isEmpty()) {
            out.println(EMPTY);
            return;
        }
        ShellTable table = new ShellTable();
        table.column("Ended");
        table.column("Call");
        table.column("Tenant");
        table.column("Slot");
        table.column("Caller");
        table.column("Parked by");
        table.column("Waited").alignRight();
        table.column("Resolution");
        table.column("By");
        table.column("Recalls").alignRight();
        for (HistoryRecord r : page.records()) {
            table.addRow().addContent(time(r.endedAt()), r.callId(), r.slot().tenant().value(),
                    r.slot().kind().token() + "/" + r.slot().name(), printable(r.caller().describe()),
                    printable(r.parkedBy()), waited(r.waited()), r.resolution().name(), printable(r.resolvedBy()),
                    r.recallAttempts());
        }
        table.print(out);
        if (!page.nextCursor().isEmpty()) {
            out.println("(more: narrow with --since/--tenant/--slot or raise --limit)");
        }
    }

    private void printCall(HistoryRecord r) {
        out.println("Call       " + r.callId());
        out.println("Slot       " + r.slot().key());
        out.println("Caller     " + printable(r.caller().describe()));
        out.println("Parked by  " + printable(r.parkedBy()) + (r.parkGroup().isEmpty() ? "" : " (park group "
                + printable(r.parkGroup()) + ")"));
        out.println("Parked at  " + time(r.parkedAt()));
        out.println("Ended at   " + time(r.endedAt()) + " after " + waited(r.waited()));
        out.println("Resolution " + r.resolution() + (r.resolvedBy().isEmpty() ? "" : " by "
                + printable(r.resolvedBy())));
        out.println("Recalls    " + r.recallAttempts());
        out.println("Node       " + r.node());
        ShellTable table = new ShellTable();
        table.column("At");
        table.column("Step");
        table.column("Detail");
        table.column("Node");
        for (HistoryStep s : r.steps()) {
            table.addRow().addContent(time(s.at()), s.type().name(), printable(s.detail()), s.node());
        }
        table.print(out);
    }

    private String time(Instant at) {
        ZoneId zone = clock.getZone();
        return TIME.format(at.atZone(zone));
    }

    /** Seconds with one decimal, e.g. {@code 12.3s}. */
    static String waited(Duration d) {
        long tenths = Math.max(0, d.toMillis()) / 100;
        return tenths / 10 + "." + tenths % 10 + "s";
    }

    /** Control characters of a hostile caller name shown as '?', so that it cannot move the terminal's cursor. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return sb.toString();
    }
}
