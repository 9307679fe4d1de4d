package org.callpark.internal.shell;

import java.time.Clock;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.shell.completers.SlotKeyCompleter;
import org.callpark.internal.shell.completers.TenantCompleter;

/** {@code park:list}: the live parked calls of the cluster, oldest first. */
@Service
@Command(scope = "park", name = "list", description = "Lists the live parked calls of the cluster, oldest first.")
public class ListCommand implements Action {

    @Option(name = "-t", aliases = "--tenant", description = "Only this tenant's calls")
    @Completion(TenantCompleter.class)
    String tenant;

    @Option(name = "-s", aliases = "--slot", description = "Only the calls on this slot, e.g. default/ext/101 or "
            + "default/group/sales, in pickup order")
    @Completion(SlotKeyCompleter.class)
    String slot;

    @Option(name = "-l", aliases = "--long", description = "Show full call ids")
    boolean longIds;

    @Reference
    CallParkService park;

    @Reference
    DirectoryService directories;

    @Reference(optional = true)
    org.callpark.internal.cluster.ClusterMember cluster;

    /** The time "Since" and "Waiting" are shown against; a field so that tests can fix it. */
    Clock clock = Clock.systemDefaultZone();

    /** Member id → host:port of the cluster's members, or {@code null} without a cluster member here. */
    private java.util.Map<String, String> nodeNames() {
        if (cluster == null) {
            return null;
        }
        java.util.Map<String, String> names = new java.util.HashMap<>();
        try {
            for (com.hazelcast.cluster.Member m : cluster.instance().getCluster().getMembers()) {
                names.put(m.getUuid().toString(), m.getAddress().getHost() + ":" + m.getAddress().getPort());
            }
        } catch (RuntimeException e) {
            return null;
        }
        return names;
    }

    @Override
    public Object execute() {
        Directory directory = directories.current();
        TenantId only = ShellText.tenant(directory, tenant);
        SlotId slotId = null;
        if (slot != null) {
            try {
                slotId = SlotId.parse(slot.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--slot: " + e.getMessage(), e);
            }
            if (only != null && !only.equals(slotId.tenant())) {
                throw new IllegalArgumentException("--slot " + slot + " is not a slot of tenant " + only);
            }
        }
        List<ParkedCall> calls;
        try {
            calls = slotId != null ? park.list(slotId) : only != null ? park.list(only) : park.list();
        } catch (ParkException e) {
            throw ShellErrors.translate(e);
        }
        CallsTable.print(System.out, directory, calls, clock, longIds, nodeNames());
        return null;
    }
}
