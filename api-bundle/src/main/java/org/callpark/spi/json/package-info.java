/**
 * The JSON form of a {@link org.callpark.api.ParkedCall}, as the cluster store keeps it and as a node's journal and the
 * Openfire plugin read it: stable field names, no class of ours inside Hazelcast.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.callpark.spi.json;
