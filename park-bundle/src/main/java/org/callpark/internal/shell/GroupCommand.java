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

/**
 * {@code park:group}: one park group in detail, then the calls parked in it. With {@code --final-destination <value>}
 * (before the group's name: Karaf reads options first) it first sets the group's final destination (validated like
 * every directory change, nothing applied if refused); the command ACL lets only administrators run it with that
 * option ({@code org.apache.karaf.command.acl.park.cfg}).
 */
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

    @Option(name = "--final-destination", description = "Sets where the group's calls go after their last "
            + "unanswered recall (administrators): prompt-and-hangup, an extension, ringgroup:<name>, "
            + "sip:user@host[:port], or \"\" for the tenant's. Calls already parked keep theirs.")
    String finalDestination;

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
        Directory before = directory;
        ParkGroup g = directory.parkGroup(t, group.trim()).orElseThrow(() -> new IllegalArgumentException(
                "no park group '" + group + "' in tenant " + t + known(before, t)));
        if (finalDestination != null) {
            g = setFinalDestination(directory, g);
            directory = directories.current();
        }
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
        details.addRow().addContent("Final destination", finalDestination(directory, g));
        details.addRow().addContent("Status", ShellText.groupStatus(g, Integer.toString(calls.size())));
        details.print(System.out);

        System.out.println();
        System.out.println("Parked calls:");
        CallsTable.print(System.out, directory, calls, clock, longIds);
        return null;
    }

    /** The group with {@link #finalDestination} applied to the directory, or the directory's refusal. */
    private ParkGroup setFinalDestination(Directory directory, ParkGroup g) {
        if (g.disabled()) {
            throw new IllegalArgumentException("park group '" + g.name() + "' was removed and only waits to be empty");
        }
        ParkGroup changed = new ParkGroup(g.tenant(), g.name(), g.number(), g.members(), g.recallTo(), g.ringGroup(),
                g.ringDuration(), g.waitBeforeRingGroup(), g.retries(), false, g.recallLabels(),
                finalDestination.trim());
        List<ParkGroup> groups = directory.allParkGroups().stream().filter(x -> !x.disabled())
                .map(x -> x == g ? changed : x).toList();
        try {
            directories.update(new Directory(directory.defaultTenant(), directory.tenants(), directory.allUsers(),
                    directory.allRingGroups(), groups));
        } catch (ParkException e) {
            throw ShellErrors.translate(e);
        }
        System.out.println("Final destination of park group " + g.name() + " set; calls parked from now on use it.");
        return changed;
    }

    /** The group's own, else {@code <tenant's> (tenant)}, else {@code prompt and hang up}. */
    private static String finalDestination(Directory directory, ParkGroup g) {
        if (!g.finalDestination().isEmpty()) {
            return g.finalDestination().equals(org.callpark.api.RecallPolicy.PROMPT_AND_HANGUP) ? "prompt and hang up"
                    : g.finalDestination();
        }
        String tenants = directory.tenant(g.tenant()).map(org.callpark.api.Tenant::finalDestination).orElse("");
        return tenants.isEmpty() || tenants.equals(org.callpark.api.RecallPolicy.PROMPT_AND_HANGUP)
                ? "prompt and hang up" : tenants + " (tenant's)";
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
