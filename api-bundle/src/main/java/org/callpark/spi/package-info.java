/**
 * What other bundles implement for the park service: the cluster-wide slot store, the media that parked callers hear,
 * and listeners for park events (registered as OSGi services, whiteboard style).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.callpark.spi;
