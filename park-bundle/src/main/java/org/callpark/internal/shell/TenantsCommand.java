package org.callpark.internal.shell;

import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.Tenant;

/** {@code park:tenants}: the tenants, their domains and how much each has configured and parked. */
@Service
@Command(scope = "park", name = "tenants", description = "Lists the tenants with their domains, users, groups and "
        + "parked calls.")
public class TenantsCommand implements Action {

    /** What the default tenant's Domains column says besides its own domains. */
    static final String DEFAULT_DOMAINS = "* (default for unclaimed domains)";

    @Reference
    CallParkService park;

    @Reference
    DirectoryService directories;

    @Override
    public Object execute() {
        Directory directory = directories.current();
        ParkedCounts parked = ParkedCounts.of(park, null);

        ShellTable table = new ShellTable().emptyTableText("No tenants.");
        table.column("Tenant");
        table.column("Name");
        table.column("Domains");
        table.column("Users").alignRight();
        table.column("Ring groups").alignRight();
        table.column("Park groups").alignRight();
        table.column("Parked").alignRight();
        for (Tenant t : directory.tenants()) {
            List<String> domains = new ArrayList<>(t.domains());
            if (t.id().equals(directory.defaultTenant())) {
                domains.add(DEFAULT_DOMAINS);
            }
            table.addRow().addContent(
                    t.id().value(),
                    t.name(),
                    domains.isEmpty() ? ShellText.NONE : String.join(", ", domains),
                    directory.users(t.id()).size(),
                    directory.ringGroups(t.id()).size(),
                    directory.parkGroups(t.id()).size(),
                    parked.of(t.id()));
        }
        table.print(System.out);
        parked.printNote(System.out);
        return null;
    }
}
