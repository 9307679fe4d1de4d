package org.callpark.internal.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.internal.shell.completers.TenantCompleter;

/** {@code park:groups}: the park groups of every tenant (or one), with their recall rules and parked calls. */
@Service
@Command(scope = "park", name = "groups", description = "Lists the park groups with their recall rules and status.")
public class GroupsCommand implements Action {

    @Option(name = "-t", aliases = "--tenant", description = "Only this tenant's groups")
    @Completion(TenantCompleter.class)
    String tenant;

    @Reference
    CallParkService park;

    @Reference
    DirectoryService directories;

    @Override
    public Object execute() {
        Directory directory = directories.current();
        TenantId only = ShellText.tenant(directory, tenant);
        ParkedCounts parked = ParkedCounts.of(park, only);

        ShellTable table = new ShellTable().emptyTableText("No park groups.");
        table.column("Tenant");
        table.column("Group");
        table.column("Number");
        table.column("Members");
        table.column("Recall to");
        table.column("Ring group");
        table.column("Ring (s)").alignRight();
        table.column("Wait (s)").alignRight();
        table.column("Retries").alignRight();
        table.column("Status");
        for (Tenant t : ShellText.tenants(directory, only)) {
            for (ParkGroup g : directory.parkGroups(t.id())) {
                table.addRow().addContent(
                        t.id().value(),
                        g.name(),
                        ShellText.orNone(g.number()),
                        ShellText.members(directory, t.id(), g.members()),
                        ShellText.recallTo(g.recallTo()),
                        ShellText.orNone(g.ringGroup()),
                        ShellText.seconds(g.ringDuration()),
                        g.recallTo() == RecallMode.USER_THEN_RING_GROUP ? ShellText.seconds(g.waitBeforeRingGroup())
                                : ShellText.NONE,
                        g.retries(),
                        ShellText.groupStatus(g, parked.in(g.slot())));
            }
        }
        table.print(System.out);
        parked.printNote(System.out);
        return null;
    }
}
