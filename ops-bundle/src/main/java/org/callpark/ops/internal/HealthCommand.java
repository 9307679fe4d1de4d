package org.callpark.ops.internal;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.callpark.spi.health.HealthCheck.Status;

/**
 * {@code park:health}: what {@code GET /callpark/health} answers, in the shell (this node): every check with its status
 * and detail, required checks that are not running, and the overall status. The shell's counterpart of Felix Health
 * Checks' {@code hc:exec}, over our own checks (docs/operations.md "Health").
 */
@Service
@Command(scope = "park", name = "health", description = "Shows this node's health: SIP listener, media loop, cluster, "
        + "directory, history database.")
public class HealthCommand implements Action {

    @Reference
    HealthServlet health;

    @Override
    public Object execute() {
        print(health.report(), System.out);
        return null;
    }

    static void print(Health.Report report, PrintStream out) {
        ShellTable table = new ShellTable().emptyTableText("No health checks.");
        table.column("Check");
        table.column("Status");
        table.column("Detail");
        for (Map.Entry<String, Status> e : report.checks().entrySet()) {
            table.addRow().addContent(e.getKey(), e.getValue().name(), report.details().getOrDefault(e.getKey(), ""));
        }
        table.print(out);
        out.println("Status: " + report.status().name() + (report.up() ? "" : " (GET /callpark/health answers 503)"));
    }
}
