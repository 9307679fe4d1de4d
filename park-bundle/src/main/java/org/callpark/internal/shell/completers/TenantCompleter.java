package org.callpark.internal.shell.completers;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.callpark.api.DirectoryService;

/** Completes tenant ids. */
@Service
public class TenantCompleter implements Completer {

    @Reference
    DirectoryService directories;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(candidates()).complete(session, commandLine, candidates);
    }

    List<String> candidates() {
        return directories.current().tenants().stream().map(t -> t.id().value()).collect(Collectors.toList());
    }
}
