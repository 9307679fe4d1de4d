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
import org.callpark.api.ParkGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.callpark.internal.shell.completers.TenantCompleter;

/** {@code park:users}: the extensions and their park groups. Passwords are never shown. */
@Service
@Command(scope = "park", name = "users", description = "Lists the users (extensions) and their park groups.")
public class UsersCommand implements Action {

    @Option(name = "-t", aliases = "--tenant", description = "Only this tenant's users")
    @Completion(TenantCompleter.class)
    String tenant;

    @Reference
    DirectoryService directories;

    @Override
    public Object execute() {
        Directory directory = directories.current();
        TenantId only = ShellText.tenant(directory, tenant);

        ShellTable table = new ShellTable().emptyTableText("No users.");
        table.column("Tenant");
        table.column("Extension");
        table.column("Name");
        table.column("XMPP");
        table.column("Park group");
        for (Tenant t : ShellText.tenants(directory, only)) {
            for (User u : directory.users(t.id())) {
                // Only these fields: the SIP password stays out of every listing.
                table.addRow().addContent(
                        t.id().value(),
                        u.extension(),
                        ShellText.orNone(u.displayName()),
                        ShellText.orNone(u.jid()),
                        directory.parkGroupOf(t.id(), u.extension()).map(ParkGroup::name).orElse(ShellText.NONE));
            }
        }
        table.print(System.out);
        return null;
    }
}
