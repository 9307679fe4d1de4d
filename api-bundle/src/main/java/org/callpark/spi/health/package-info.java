/**
 * Health checks: each bundle registers a {@link org.callpark.spi.health.HealthCheck} service for the part it runs
 * (SIP listener, media loop, cluster member, directory, history database); the ops bundle serves them all as
 * {@code GET /callpark/health}. A required check whose service is gone (its bundle stopped) counts as down.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.callpark.spi.health;
