package org.callpark.internal.cluster;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.core.HazelcastJsonValue;

/**
 * One revision of the cluster's directory: the value under key {@value #KEY} of the Hazelcast map {@value #MAP}, the
 * copy every node mirrors into its own ConfigAdmin configuration ({@link ClusterDirectory}). As JSON:
 *
 * <pre>
 * {"format":1,"revision":7,"node":"&lt;member uuid&gt;","address":"10.0.0.1:5701","changedAt":"2025-01-31T10:00:00Z",
 *  "properties":{"defaultTenant":"default","tenants":"default, acme",…}}
 * </pre>
 *
 * {@code properties} are the ConfigAdmin properties of PID {@code org.callpark.directory} as {@code DirectoryWriter}
 * writes them (sorted); {@code revision} goes up by one with each change; {@code node}/{@code address} name the member
 * that made it. Only a String (JSON) enters Hazelcast, no class of ours; a reader ignores fields it does not know.
 *
 * @param revision   1 for the first directory the cluster holds, +1 per change
 * @param node       the UUID of the member that wrote it
 * @param address    that member's address, {@code host:port}
 * @param changedAt  when it was written
 * @param properties the configuration properties, sorted by key
 */
public record DirectoryRevision(long revision, String node, String address, Instant changedAt,
        SortedMap<String, String> properties) {

    /** The map's name: configuration shared by the cluster, one key per ConfigAdmin PID. */
    public static final String MAP = "callpark.config";
    /** The directory's key in it: its PID. */
    public static final String KEY = "org.callpark.directory";
    /** The format written; a reader rejects another one. */
    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> PROPERTIES = new TypeReference<>() {
    };

    public DirectoryRevision {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(changedAt, "changedAt");
        properties = Collections.unmodifiableSortedMap(new TreeMap<>(properties));
    }

    /** The JSON value stored in the map. */
    public HazelcastJsonValue encode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("revision", revision);
        root.put("node", node);
        root.put("address", address);
        root.put("changedAt", changedAt.toString());
        root.set("properties", JSON.valueToTree(properties));
        try {
            return new HazelcastJsonValue(JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a stored value.
     *
     * @throws IllegalArgumentException if it is not a directory revision of format {@value #FORMAT}
     */
    public static DirectoryRevision decode(HazelcastJsonValue value) {
        Objects.requireNonNull(value, "value");
        JsonNode root;
        try {
            root = JSON.readTree(value.getValue());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable directory revision: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || root.path("format").asInt(-1) != FORMAT) {
            throw new IllegalArgumentException("not a directory revision of format " + FORMAT);
        }
        JsonNode revision = root.get("revision");
        if (revision == null || !revision.canConvertToLong() || revision.asLong() < 1) {
            throw new IllegalArgumentException("directory revision without a revision number");
        }
        JsonNode properties = root.get("properties");
        if (properties == null || !properties.isObject()) {
            throw new IllegalArgumentException("directory revision " + revision.asLong() + " without properties");
        }
        Map<String, String> map;
        try {
            map = JSON.convertValue(properties, PROPERTIES);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "directory revision " + revision.asLong() + ": properties are not key = text pairs", e);
        }
        return new DirectoryRevision(revision.asLong(), root.path("node").asText(""), root.path("address").asText(""),
                instant(root.path("changedAt").asText("")), new TreeMap<>(map));
    }

    /** How log lines name the member that wrote this revision. */
    String who() {
        return address.isEmpty() ? "node " + node : "node " + address + " (" + node + ")";
    }

    private static Instant instant(String text) {
        try {
            return text.isEmpty() ? Instant.EPOCH : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
