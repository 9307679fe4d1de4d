package org.callpark.internal.shell;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.internal.shell.completers.CallIdCompleter;

/**
 * {@code park:hangup}: an operator ({@code callpark-operator} or up, etc/org.apache.karaf.command.acl.park.cfg) ends a
 * live parked call ({@link Resolution#FORCED}).
 */
@Service
@Command(scope = "park", name = "hangup", description = "Hangs up a live parked call (resolution FORCED).")
public class HangupCommand implements Action {

    /** The shortest id prefix accepted, so that a slip of the finger does not hang up a random call. */
    static final int MIN_PREFIX = 4;

    @Argument(index = 0, name = "call", required = true,
            description = "The call id as park:list shows it, or a unique prefix of at least 4 characters")
    @Completion(CallIdCompleter.class)
    String call;

    @Reference
    CallParkService park;

    @Reference
    DirectoryService directories;

    @Override
    public Object execute() {
        String id = call.trim();
        try {
            ParkedCall target = resolve(id, park.list());
            ParkedCall ended = park.end(target.id(), Resolution.FORCED);
            Directory directory = directories.current();
            System.out.println("Hung up " + ShellText.caller(ended.caller()) + " parked on "
                    + ShellText.slot(directory, ended.slot()));
        } catch (ParkException e) {
            throw ShellErrors.translate(e);
        }
        return null;
    }

    /** The live call with this id, else the only live call whose id starts with it. */
    static ParkedCall resolve(String id, List<ParkedCall> live) {
        for (ParkedCall c : live) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        if (id.length() < MIN_PREFIX) {
            throw new IllegalArgumentException("call: no live call '" + id + "'; give the full id or a prefix of at "
                    + "least " + MIN_PREFIX + " characters");
        }
        List<ParkedCall> matches = live.stream().filter(c -> c.id().startsWith(id)).collect(Collectors.toList());
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("call: no live call with id or prefix '" + id + "' (see park:list)");
        }
        if (matches.size() > 1) {
            throw new IllegalArgumentException("call: prefix '" + id + "' is ambiguous, it matches "
                    + matches.stream().map(c -> c.id() + " (" + ShellText.caller(c.caller()) + ")")
                            .collect(Collectors.joining(", ")));
        }
        return matches.get(0);
    }
}
