/**
 * What is kept in the cluster as plain JSON, and read by processes that are not park nodes (a node's journal, the
 * Openfire plugin): a {@link org.callpark.api.ParkedCall} ({@link org.callpark.spi.json.CallCodec}, with the pickup
 * order and event rules of {@link org.callpark.spi.json.CallChanges}) and the published directory
 * ({@link org.callpark.spi.json.DirectorySnapshot}: the configuration properties of PID {@code org.callpark.directory},
 * read and written by {@link org.callpark.spi.json.DirectoryParser} and {@link org.callpark.spi.json.DirectoryWriter}).
 * Stable field and key names, no class of ours inside Hazelcast.
 * <p>
 * 1.1.0: the directory codec (moved here from the park core so that the Openfire plugin needs none of its classes),
 * {@code CallChanges}, the map and field names of {@code CallCodec}.
 * 1.2.0: the tenant's feature codes ({@code parkCode}, {@code retrieveCode}, {@code groupParkCode}); recall labels
 * of tenants ({@code recall.alertInfo}, {@code recall.callerIdPrefix}) and park groups ({@code alertInfo},
 * {@code callerIdPrefix}).
 * 1.3.0: the web user linked to an extension ({@code user.<t>.<ext>.login}); the tenant's prompt language
 * ({@code language}); the final destination of tenants and park groups
 * ({@code finalDestination}); the call record's {@code recall.finalDestination} and {@code recall.finalTargets}.
 */
@org.osgi.annotation.versioning.Version("1.3.0")
package org.callpark.spi.json;
