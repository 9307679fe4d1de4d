package org.callpark.internal.shell.completers;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkGroup;
import org.callpark.api.TenantId;

/**
 * Completes park group names as the directory spells them: those of the {@code -t}/{@code --tenant} already typed on the
 * line, else of every tenant. Names are matched case-insensitively, like the commands accept them.
 */
@Service
public class ParkGroupCompleter implements Completer {

    @Reference
    DirectoryService directories;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        String tenant = tenantOption(commandLine.getArguments());
        return new StringsCompleter(candidates(tenant), false).complete(session, commandLine, candidates);
    }

    /** The group names of {@code tenant}, or of every tenant if it is {@code null} or not a known tenant. */
    List<String> candidates(String tenant) {
        Directory directory = directories.current();
        List<ParkGroup> groups = directory.allParkGroups();
        TenantId id = parse(tenant);
        if (id != null && directory.tenant(id).isPresent()) {
            groups = directory.parkGroups(id);
        }
        return groups.stream().map(ParkGroup::name).distinct().sorted(String.CASE_INSENSITIVE_ORDER)
                .collect(Collectors.toList());
    }

    /** The value of the last {@code -t x}, {@code --tenant x} or {@code --tenant=x} on the line, or {@code null}. */
    static String tenantOption(String[] arguments) {
        String value = null;
        for (int i = 0; arguments != null && i < arguments.length; i++) {
            String a = arguments[i];
            if ((a.equals("-t") || a.equals("--tenant")) && i + 1 < arguments.length) {
                value = arguments[i + 1];
            } else if (a.startsWith("--tenant=")) {
                value = a.substring("--tenant=".length());
            }
        }
        return value;
    }

    private static TenantId parse(String tenant) {
        try {
            return tenant == null ? null : TenantId.of(tenant);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
