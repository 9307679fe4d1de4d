package org.callpark.history.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The park history's database and limits (PID {@code org.callpark.history}, shipped as
 * {@code etc/org.callpark.history.cfg}). Each attribute can be overridden by {@code callpark.history.<attribute>} or
 * {@code CALLPARK_HISTORY_<ATTRIBUTE>}; {@link HistorySettings} checks them all and rejects the whole configuration,
 * naming every bad field.
 */
@ObjectClassDefinition(name = "Call Park history",
        description = "Where ended parked calls are recorded (embedded H2 per node, or PostgreSQL) and for how long.")
public @interface HistoryConfig {

    @AttributeDefinition(name = "JDBC URL", required = false,
            description = "Empty: an embedded H2 database under ${karaf.data}/history/ (one per node). Or"
                    + " jdbc:postgresql://host:port/database for one history shared by the cluster.")
    String url() default "";

    @AttributeDefinition(name = "User", required = false)
    String user() default "";

    @AttributeDefinition(name = "Password", required = false, type = AttributeType.PASSWORD)
    String password() default "";

    @AttributeDefinition(name = "Retention (days)",
            description = "Records of calls that ended longer ago are deleted hourly. 0 keeps everything. Default: 90.")
    int retentionDays() default 90;

    @AttributeDefinition(name = "Batch size", description = "Records per insert transaction, 1-10000. Default: 100.")
    int batchSize() default 100;

    @AttributeDefinition(name = "Queue capacity",
            description = "Records waiting for the database at most (oldest dropped beyond it). Default: 10000.")
    int queueCapacity() default 10000;

    @AttributeDefinition(name = "Live calls followed",
            description = "Parked calls whose steps are kept in memory at most. Default: 100000.")
    int maxLiveCalls() default 100000;
}
