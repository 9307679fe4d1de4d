package org.callpark.internal.shell;

import java.time.Duration;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.callpark.api.ParkException;
import org.callpark.spi.NodeDrain;

/**
 * {@code park:drain}: moves every parked call this node carries to the other nodes of the cluster (each caller is
 * re-INVITEd by the node that takes it and keeps hearing music), e.g. before this node is stopped or upgraded.
 */
@Service
@Command(scope = "park", name = "drain", description = "Moves every parked call this node carries to the other "
        + "cluster nodes (before a stop or an upgrade).")
public class DrainCommand implements Action {

    @Option(name = "-t", aliases = "--timeout", description = "How long to wait for the other nodes, in seconds "
            + "(default 60)")
    int timeoutSeconds = 60;

    @Reference(optional = true)
    NodeDrain drain;

    @Override
    public Object execute() throws InterruptedException {
        if (drain == null) {
            throw new IllegalStateException("the SIP server is not running on this node: nothing to drain");
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 600) {
            throw new IllegalArgumentException("--timeout: must be 1..600 seconds: " + timeoutSeconds);
        }
        NodeDrain.Result r;
        try {
            r = drain.drain(Duration.ofSeconds(timeoutSeconds));
        } catch (ParkException e) {
            throw ShellErrors.translate(e);
        }
        if (r.total() == 0) {
            System.out.println("This node carries no parked calls.");
        } else {
            System.out.println("Moved " + r.moved() + " of " + r.total() + " calls to other nodes"
                    + (r.left() > 0 ? " (" + r.left() + " still here: no other node could take them)" : ""));
        }
        return null;
    }
}
