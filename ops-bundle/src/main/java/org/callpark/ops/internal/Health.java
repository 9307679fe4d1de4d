package org.callpark.ops.internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.callpark.spi.health.HealthCheck;
import org.callpark.spi.health.HealthCheck.Result;
import org.callpark.spi.health.HealthCheck.Status;

/**
 * The server's health from the checks present now and the checks required: DOWN if a required check is missing
 * ("not running": its bundle is stopped or its component not active) or any check says DOWN; WARN of a check (the
 * history database) leaves the server UP. A check that throws is DOWN without its message (the answer is public).
 */
final class Health {

    /**
     * @param status  UP or DOWN
     * @param checks  each check's status by name
     * @param details each check's detail by name (empty details left out)
     */
    record Report(Status status, Map<String, Status> checks, Map<String, String> details) {

        boolean up() {
            return status != Status.DOWN;
        }
    }

    private Health() {
    }

    /** @param present the checks registered now, by name (several of one name: the worst counts) */
    static Report evaluate(Map<String, ? extends Iterable<HealthCheck>> present, Set<String> required) {
        Map<String, Status> checks = new TreeMap<>();
        Map<String, String> details = new TreeMap<>();
        for (Map.Entry<String, ? extends Iterable<HealthCheck>> e : present.entrySet()) {
            for (HealthCheck check : e.getValue()) {
                Result r = run(check);
                Status before = checks.get(e.getKey());
                if (before == null || r.status().compareTo(before) > 0) {
                    checks.put(e.getKey(), r.status());
                    if (r.detail().isEmpty()) {
                        details.remove(e.getKey());
                    } else {
                        details.put(e.getKey(), r.detail());
                    }
                }
            }
        }
        for (String name : required) {
            if (!checks.containsKey(name)) {
                checks.put(name, Status.DOWN);
                details.put(name, "not running");
            }
        }
        boolean down = checks.values().contains(Status.DOWN);
        return new Report(down ? Status.DOWN : Status.UP, checks, details);
    }

    private static Result run(HealthCheck check) {
        try {
            Result r = check.check();
            return r == null ? Result.down("no result") : r;
        } catch (RuntimeException | LinkageError e) {
            return Result.down("check failed: " + e.getClass().getSimpleName());
        }
    }
}
