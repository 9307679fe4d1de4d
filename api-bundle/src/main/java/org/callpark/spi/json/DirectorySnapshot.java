package org.callpark.spi.json;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.callpark.api.Directory;
import org.callpark.api.ParkException.Violation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.core.HazelcastJsonValue;

/**
 * The directory as a JSON value in the Hazelcast map {@value #MAP} (key {@value #KEY}), for processes outside the
 * Karaf nodes that need it but have no ConfigAdmin (the Openfire plugin). The value is
 * {@code {"format":1,"node":"<publisher>","properties":{…}}} where {@code properties} are exactly the ConfigAdmin
 * properties of PID {@code org.callpark.directory} ({@link DirectoryWriter#writePublished}: users carry their HA1,
 * never a password, since Hazelcast Community lets anyone who reaches the port read the map); a reader parses them
 * with the same
 * {@link DirectoryParser} as the Karaf nodes. No class of ours enters Hazelcast.
 * <p>
 * Thread-safe.
 */
public final class DirectorySnapshot {

    /** The map's name. */
    public static final String MAP = "callpark.directory";
    /** The one key in it. */
    public static final String KEY = "current";
    /** The format written; a reader rejects another one. */
    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> PROPERTIES = new TypeReference<>() {
    };

    private final DirectoryWriter writer = new DirectoryWriter();
    private final DirectoryParser parser = new DirectoryParser();

    /**
     * The directory's configuration properties as published, sorted by key (equal directories give equal maps): every
     * user with its HA1, never a password ({@link DirectoryWriter#writePublished}).
     */
    public Map<String, String> properties(Directory directory) {
        return new TreeMap<>(writer.writePublished(Objects.requireNonNull(directory, "directory")));
    }

    /** The JSON value for {@code directory}, published by node {@code node}. */
    public HazelcastJsonValue encode(Directory directory, String node) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("node", node);
        root.set("properties", JSON.valueToTree(properties(directory)));
        try {
            return new HazelcastJsonValue(JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The properties inside a published value.
     *
     * @throws IllegalArgumentException if the value is not a snapshot of format {@value #FORMAT}
     */
    public Map<String, String> readProperties(HazelcastJsonValue value) {
        Objects.requireNonNull(value, "value");
        try {
            JsonNode root = JSON.readTree(value.getValue());
            if (root == null || !root.isObject() || root.path("format").asInt(-1) != FORMAT) {
                throw new IllegalArgumentException("not a directory snapshot of format " + FORMAT);
            }
            JsonNode properties = root.get("properties");
            if (properties == null || !properties.isObject()) {
                throw new IllegalArgumentException("directory snapshot without properties");
            }
            return JSON.convertValue(properties, PROPERTIES);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable directory snapshot: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The directory inside a published value.
     *
     * @throws IllegalArgumentException if the value cannot be read or its properties are not a valid directory (the
     *                                  message names every violation)
     */
    public Directory decode(HazelcastJsonValue value) {
        DirectoryParser.Result parsed = parser.parse(readProperties(value));
        if (!parsed.isValid()) {
            throw new IllegalArgumentException("invalid directory snapshot: "
                    + parsed.violations().stream().map(Violation::toString).collect(Collectors.joining("; ")));
        }
        return parsed.model().toDirectory();
    }
}
