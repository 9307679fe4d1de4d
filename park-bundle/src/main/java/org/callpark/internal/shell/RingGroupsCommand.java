package org.callpark.internal.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.RingGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.internal.shell.completers.TenantCompleter;

/** {@code park:ringgroups}: the ring groups recalls can go to. */
@Service
@Command(scope = "park", name = "ringgroups", description = "Lists the ring groups and their members.")
public class RingGroupsCommand implements Action {

    @Option(name = "-t", aliases = "--tenant", description = "Only this tenant's ring groups")
    @Completion(TenantCompleter.class)
    String tenant;

    @Reference
    DirectoryService directories;

    @Override
    public Object execute() {
        Directory directory = directories.current();
        TenantId only = ShellText.tenant(directory, tenant);

        ShellTable table = new ShellTable().emptyTableText("No ring groups.");
        table.column("Tenant");
        table.column("Ring group");
        table.column("Members");
        for (Tenant t : ShellText.tenants(directory, only)) {
            for (RingGroup r : directory.ringGroups(t.id())) {
                table.addRow().addContent(t.id().value(), r.name(), ShellText.members(directory, t.id(), r.members()));
            }
        }
        table.print(System.out);
        return null;
    }
}
