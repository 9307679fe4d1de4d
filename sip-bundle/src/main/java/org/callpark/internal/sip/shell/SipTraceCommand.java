package org.callpark.internal.sip.shell;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.internal.sip.SipTrace;

/**
 * {@code park:sip-trace on|off|status [--tenant t]}: switches the SIP message trace of this node (to
 * {@code data/log/sip-trace.log}) at run time. Per node and not persisted: off again after a restart of the node or
 * the SIP bundle. With {@code --tenant}, the tenant's domains are taken from the directory now; run it again after a
 * directory change.
 */
@Service
@Command(scope = "park", name = "sip-trace", description = "Switches the SIP message trace of this node "
        + "(data/log/sip-trace.log) on or off; off at every start.")
public class SipTraceCommand implements Action {

    @Argument(index = 0, name = "state", required = false, description = "on, off or status (default status)")
    String state = "status";

    @Option(name = "-t", aliases = "--tenant", description = "Trace only messages of this tenant's domains "
            + "(Request-URI, From or To host)")
    String tenant;

    @Reference
    DirectoryService directories;

    @Override
    public Object execute() {
        switch (state.trim().toLowerCase(Locale.ROOT)) {
            case "on" -> {
                SipTrace.Filter filter = tenant == null ? SipTrace.Filter.ALL : filter(directories.current(), tenant);
                SipTrace.on(filter);
                System.out.println("SIP trace on for " + filter.describe() + " (this node; data/log/sip-trace.log)");
            }
            case "off" -> {
                if (tenant != null) {
                    throw new IllegalArgumentException("--tenant: only with 'on'");
                }
                SipTrace.off();
                System.out.println("SIP trace off (this node)");
            }
            case "status" -> {
                SipTrace.Filter f = SipTrace.current();
                System.out.println(f == null ? "SIP trace off (this node)" : "SIP trace on for " + f.describe()
                        + " (this node)");
            }
            default -> throw new IllegalArgumentException("state: on, off or status, not '" + state + "'");
        }
        return null;
    }

    /** The filter for one tenant of the directory. */
    public static SipTrace.Filter filter(Directory directory, String tenantId) {
        TenantId id;
        try {
            id = TenantId.of(tenantId.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tenant: " + e.getMessage());
        }
        Tenant t = directory.tenant(id).orElseThrow(() -> new IllegalArgumentException("--tenant: no tenant '"
                + tenantId + "' (see park:tenants)"));
        Set<String> others = new HashSet<>();
        for (Tenant other : directory.tenants()) {
            if (!other.id().equals(id)) {
                other.domains().forEach(d -> others.add(d.toLowerCase(Locale.ROOT)));
            }
        }
        Set<String> own = new HashSet<>();
        t.domains().forEach(d -> own.add(d.toLowerCase(Locale.ROOT)));
        return new SipTrace.Filter(id.value(), own, others, id.equals(directory.defaultTenant()));
    }
}
