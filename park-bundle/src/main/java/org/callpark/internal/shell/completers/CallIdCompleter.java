package org.callpark.internal.shell.completers;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.callpark.api.CallParkService;
import org.callpark.api.ParkedCall;

/** Completes the full ids of live parked calls. */
@Service
public class CallIdCompleter implements Completer {

    @Reference
    CallParkService park;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(candidates()).complete(session, commandLine, candidates);
    }

    List<String> candidates() {
        return LiveCalls.list(park).stream().map(ParkedCall::id).collect(Collectors.toList());
    }
}
