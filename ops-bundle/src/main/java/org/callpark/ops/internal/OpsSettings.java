package org.callpark.ops.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.callpark.spi.Overrides;
import org.callpark.spi.auth.FailureLimiter;

/**
 * {@link OpsConfig} after the {@code callpark.ops.*} / {@code CALLPARK_OPS_*} overrides, checked as a whole.
 *
 * @param anonymousFromLoopback metrics without a login from loopback sources
 * @param metricsRoles          roles that may read the metrics
 * @param requiredChecks        health checks that must be present
 * @param jmxDomain             the MBeans' domain
 * @param limits                failed metrics logins before a source or user is locked (the api's FailureLimiter)
 */
record OpsSettings(boolean anonymousFromLoopback, Set<String> metricsRoles, Set<String> requiredChecks,
        String jmxDomain, FailureLimiter.Limits limits) {

    /** The defaults' limits (tests). */
    static final FailureLimiter.Limits DEFAULT_LIMITS = new FailureLimiter.Limits(10, Duration.ofSeconds(60), 5,
            Duration.ofSeconds(300));

    static final String PID = "org.callpark.ops";

    /** @throws IllegalArgumentException naming every bad field */
    static OpsSettings of(OpsConfig config, Function<String, String> sysprops, Function<String, String> env) {
        Overrides o = new Overrides(PID, sysprops, env);
        List<String> invalid = new ArrayList<>();
        boolean anonymous = o.bool("metricsAnonymousFromLoopback", config.metricsAnonymousFromLoopback(), invalid);
        Set<String> roles = list(o.string("metricsRoles", config.metricsRoles()));
        Set<String> required = list(o.string("requiredChecks", config.requiredChecks()));
        String domain = o.string("jmxDomain", config.jmxDomain()).trim();
        int sourceMax = o.integer("metricsSourceMaxFailures", config.metricsSourceMaxFailures(), invalid);
        int sourceWindow = o.integer("metricsSourceWindowSeconds", config.metricsSourceWindowSeconds(), invalid);
        int userMax = o.integer("metricsUserMaxFailures", config.metricsUserMaxFailures(), invalid);
        int userWindow = o.integer("metricsUserWindowSeconds", config.metricsUserWindowSeconds(), invalid);
        if (sourceMax < 0 || userMax < 0) {
            invalid.add("metricsSourceMaxFailures/metricsUserMaxFailures: must be 0 (off) or more");
        }
        if (sourceWindow < 1 || userWindow < 1) {
            invalid.add("metricsSourceWindowSeconds/metricsUserWindowSeconds: must be at least 1");
        }
        if (roles.isEmpty()) {
            invalid.add("metricsRoles: empty (nobody could read the metrics)");
        }
        for (String check : required) {
            if (!check.matches("[a-z][a-z0-9-]*")) {
                invalid.add("requiredChecks: not a check name: '" + check + "'");
            }
        }
        if (!domain.matches("[A-Za-z0-9_.-]+")) {
            invalid.add("jmxDomain: not a JMX domain: '" + domain + "'");
        }
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException("Invalid " + PID + " configuration: " + String.join("; ", invalid));
        }
        return new OpsSettings(anonymous, roles, required, domain, new FailureLimiter.Limits(sourceMax,
                Duration.ofSeconds(sourceWindow), userMax, Duration.ofSeconds(userWindow)));
    }

    /** A .cfg value {@code a, b} reaches a String attribute as one text: split it here. */
    static Set<String> list(String value) {
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        return Set.copyOf(out);
    }
}
