/**
 * What other bundles implement for the park service: the cluster-wide slot store, the media that parked callers hear,
 * and listeners for park events (registered as OSGi services, whiteboard style). {@link org.callpark.spi.Overrides}
 * is what they share for their configuration: how a system property or environment variable overrides an attribute.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.2.0")
package org.callpark.spi;
