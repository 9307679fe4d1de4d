package org.callpark.internal.shell.completers;

import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.User;

/**
 * Completes slot keys ({@code default/ext/101}, {@code default/group/sales}): every configured slot and the slots of live
 * calls (which may belong to a group that is gone from the configuration).
 */
@Service
public class SlotKeyCompleter implements Completer {

    @Reference
    CallParkService park;

    @Reference
    DirectoryService directories;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(candidates()).complete(session, commandLine, candidates);
    }

    List<String> candidates() {
        Directory directory = directories.current();
        TreeSet<String> keys = new TreeSet<>();
        for (User u : directory.allUsers()) {
            keys.add(SlotId.extension(u.tenant(), u.extension()).key());
        }
        for (ParkGroup g : directory.allParkGroups()) {
            keys.add(g.slot().key());
        }
        for (ParkedCall c : LiveCalls.list(park)) {
            keys.add(c.slot().key());
        }
        return List.copyOf(keys);
    }
}
