/**
 * How a bundle offers its meters to the ops bundle without depending on Micrometer: {@link
 * org.callpark.spi.metrics.MeterBinders} registers a Micrometer {@code MeterBinder} service by name, whose class is
 * only loaded when the ops bundle (and so Micrometer) is there. The ops bundle removes exactly a binder's meters when
 * its service goes. docs/architecture.md "Metrics".
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.callpark.spi.metrics;
