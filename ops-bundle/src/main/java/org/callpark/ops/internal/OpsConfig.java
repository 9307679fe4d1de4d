package org.callpark.ops.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Metrics and health (PID {@code org.callpark.ops}; docs/operations.md). Each attribute can be overridden by
 * {@code callpark.ops.<attribute>} or {@code CALLPARK_OPS_<ATTRIBUTE>}.
 */
@ObjectClassDefinition(name = "Call Park metrics and health",
        description = "Who may read /callpark/metrics, the JMX domain, and which parts /callpark/health requires.")
public @interface OpsConfig {

    @AttributeDefinition(name = "Anonymous metrics from loopback",
            description = "true: /callpark/metrics answers requests from 127.0.0.0/8 and ::1 without a login (a"
                    + " Prometheus on the same host). Every other source still needs HTTP Basic. Default: false.")
    boolean metricsAnonymousFromLoopback() default false;

    @AttributeDefinition(name = "Metrics roles",
            description = "Comma-separated JAAS roles (realm karaf) that may read /callpark/metrics."
                    + " Default: callpark-admin,admin,callpark-metrics.")
    String metricsRoles() default "callpark-admin,admin,callpark-metrics";

    @AttributeDefinition(name = "Metrics failures per source",
            description = "Failed metrics logins from one address within the source window after which that address"
                    + " gets 429 with Retry-After, without checking, until the window has passed. 0: no limit."
                    + " Default: 10.")
    int metricsSourceMaxFailures() default 10;

    @AttributeDefinition(name = "Metrics source window", description = "Seconds. Default: 60.")
    int metricsSourceWindowSeconds() default 60;

    @AttributeDefinition(name = "Metrics failures per user",
            description = "Failed metrics logins for one user, from at least two addresses, within the user window"
                    + " after which that user gets 429 from everywhere (the right password too). 0: no limit."
                    + " Default: 5.")
    int metricsUserMaxFailures() default 5;

    @AttributeDefinition(name = "Metrics user window", description = "Seconds. Default: 300.")
    int metricsUserWindowSeconds() default 300;

    @AttributeDefinition(name = "Required health checks",
            description = "Comma-separated checks that must be present and UP for /callpark/health to answer 200;"
                    + " a required check whose bundle is stopped is DOWN (\"not running\"). Checks not listed still"
                    + " count when present. Default: sip,media,cluster,directory.")
    String requiredChecks() default "sip,media,cluster,directory";

    @AttributeDefinition(name = "JMX domain", description = "Domain of the metrics' MBeans. Default: org.callpark.")
    String jmxDomain() default "org.callpark";
}
