package org.callpark.internal.shell;

import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.TenantId;
import org.callpark.internal.shell.completers.ParkGroupCompleter;
import org.callpark.internal.shell.completers.TenantCompleter;

/** {@code park:group}: one park group in detail, then the calls parked in it. */
@Service
@Command(scope = "park", name = "group", description = "Shows one park group in detail and the calls parked in it.")
public class GroupCommand implements Action {

    @Argument(index = 0, name = "group", required = true,
            description = "The park group's name (case-insensitive) or number")
    @Completion(ParkGroupCompleter.class)
    String group;

    @Option(name = "-t", aliases = "--tenant", description = "The group's tenant (default: the default tenant)")
    @Completion(TenantCompleter.class)
    String tenant;

    @Option(name = "-l", aliases = "--long", description = "Show full call ids")
    boolean longIds;

    @Reference
    CallParkService park;

    @Reference
    DirectoryService directories;

    /** The time "Since" and "Waiting" are shown against; a field so that tests can fix it. */
    Clock clock = Clock.systemDefaultZone();

    @Override
    public Object execute() {
        Directory directory = directories.current();
        TenantId given = ShellText.tenant(directory, tenant);
        TenantId t = given != null ? given : directory.defaultTenant();
        ParkGroup g = directory.parkGroup(t, group.trim()).orElseThrow(() -> new IllegalArgumentException(
                "no park group '" + group + "' in tenant " + t + known(directory, t)));
        List<ParkedCall> calls;
        try {
            calls = park.list(g.slot());
        } catch (ParkException e) {
            throw ShellErrors.translate(e);
        }

        ShellTable details = new ShellTable().noHeaders();
        details.column("Property");
        details.column("Value");
        details.addRow().addContent("Name", g.name());
        details.addRow().addContent("Tenant", t.value());
        details.addRow().addContent("Number", ShellText.orNone(g.number()));
        details.addRow().addContent("Members", ShellText.members(directory, t, g.members()));
        details.addRow().addContent("Recall to", ShellText.recallTo(g.recallTo()));
        details.addRow().addContent("Ring group", ringGroup(directory, g));
        details.addRow().addContent("Ring duration", ShellText.seconds(g.ringDuration()) + " s");
        details.addRow().addContent("Wait before ring group", g.recallTo() == RecallMode.USER_THEN_RING_GROUP
                ? ShellText.seconds(g.waitBeforeRingGroup()) + " s" : ShellText.NONE);
        details.addRow().addContent("Retries", g.retries());
        details.addRow().addContent("Status", ShellText.groupStatus(g, Integer.toString(calls.size())));
        details.print(System.out);

        System.out.println();
        System.out.println("Parked calls:");
        CallsTable.print(System.out, directory, calls, clock, longIds);
        return null;
    }

    private static String known(Directory directory, TenantId tenant) {
        List<ParkGroup> groups = directory.parkGroups(tenant);
        return groups.isEmpty() ? " (it has no park groups)"
                : " (groups: " + groups.stream().map(ParkGroup::name).collect(Collectors.joining(", ")) + ")";
    }

    /** {@code Reception: 100 Desk, 105 Eve}, or the bare name if the ring group is not configured (any more). */
    private static String ringGroup(Directory directory, ParkGroup g) {
        if (g.ringGroup().isEmpty()) {
            return ShellText.NONE;
        }
        return directory.ringGroup(g.tenant(), g.ringGroup())
                .map(r -> r.name() + ": " + ShellText.members(directory, r.tenant(), r.members()))
                .orElse(g.ringGroup() + " (not configured)");
    }
}
