package org.callpark.internal.directory;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

import org.callpark.api.Directory;
import org.callpark.api.ParkException.Violation;
import org.callpark.spi.json.DirectoryKeys;
import org.callpark.spi.json.DirectoryParser;
import org.callpark.spi.json.DirectoryWriter;

/**
 * The directory configuration (PID {@value #PID}) as properties: read, checked as a whole and normalised. This is the
 * one place where a configuration meets the directory rules ({@link DirectoryParser} and {@link DirectoryValidator}):
 * {@link DirectoryServiceImpl} applies what passes, and {@code internal.cluster.ClusterDirectory} shares with the
 * other nodes only what passes.
 * <p>
 * Stateless and thread-safe.
 */
public final class DirectoryProperties {

    /** The ConfigAdmin PID of the directory. */
    public static final String PID = DirectoryKeys.PID;
    /** The ConfigAdmin/FileInstall key that names the file a configuration came from (and is written back to). */
    public static final String FILEINSTALL_FILENAME = DirectoryKeys.FILEINSTALL_FILENAME;

    private static final DirectoryParser PARSER = new DirectoryParser();
    private static final DirectoryValidator VALIDATOR = new DirectoryValidator();
    private static final DirectoryWriter WRITER = new DirectoryWriter();

    /**
     * A checked configuration.
     *
     * @param normalized for a valid configuration what {@link DirectoryWriter#writePublished} writes for its directory
     *                   (users with their HA1, never a password: what the cluster's map and the other nodes' files
     *                   hold), sorted by key, so that two configurations meaning the same directory give equal maps;
     *                   for an invalid one its directory keys with their values as text, sorted
     * @param directory  the directory (with the passwords the configuration gives), {@code null} if it is invalid
     * @param violations every problem, empty if valid
     */
    public record Checked(SortedMap<String, String> normalized, Directory directory, List<Violation> violations) {
        public Checked {
            normalized = Collections.unmodifiableSortedMap(new TreeMap<>(normalized));
            violations = List.copyOf(violations);
        }

        public boolean isValid() {
            return violations.isEmpty();
        }
    }

    private DirectoryProperties() {
    }

    /** Parses and validates {@code properties} as a whole (bookkeeping keys such as {@code service.pid} are ignored). */
    public static Checked check(Map<String, ?> properties) {
        return check(properties, null);
    }

    /**
     * As {@link #check(Map)}, as a change of {@code previous}: also rejects a realm change that users known only by
     * HA1 cannot follow ({@link DirectoryValidator#validateChange}).
     */
    public static Checked check(Map<String, ?> properties, Directory previous) {
        Objects.requireNonNull(properties, "properties");
        DirectoryParser.Result parsed = PARSER.parse(properties);
        List<Violation> violations = new ArrayList<>(parsed.violations());
        violations.addAll(VALIDATOR.validate(parsed.model()));
        if (violations.isEmpty()) {
            violations.addAll(VALIDATOR.validateChange(previous, parsed.model()));
        }
        if (!violations.isEmpty()) {
            return new Checked(text(properties), null, violations);
        }
        return new Checked(new TreeMap<>(WRITER.writePublished(parsed.model())), parsed.model().toDirectory(),
                List.of());
    }

    /**
     * Whether {@code properties} hold any directory key at all: a configuration that holds only bookkeeping (one that
     * ConfigAdmin created empty) is no directory, not an empty one.
     */
    public static boolean holdsDirectory(Map<String, ?> properties) {
        return properties != null
                && properties.keySet().stream().anyMatch(k -> k != null && !DirectoryKeys.isBookkeeping(k.trim()));
    }

    /** A ConfigAdmin dictionary as a map ({@code null} stays {@code null}). */
    public static Map<String, Object> toMap(Dictionary<String, ?> dictionary) {
        if (dictionary == null) {
            return null;
        }
        Map<String, Object> map = new TreeMap<>();
        for (String key : Collections.list(dictionary.keys())) {
            map.put(key, dictionary.get(key));
        }
        return map;
    }

    /** The directory keys of a configuration with their values as text (lists comma-separated), sorted. */
    private static SortedMap<String, String> text(Map<String, ?> properties) {
        SortedMap<String, String> out = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key != null && value != null && !DirectoryKeys.isBookkeeping(key.trim())) {
                out.put(key.trim(), text(value));
            }
        });
        return out;
    }

    private static String text(Object value) {
        if (value instanceof Collection<?> c) {
            return String.join(", ", c.stream().map(String::valueOf).toList());
        }
        if (value.getClass().isArray()) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(String.valueOf(Array.get(value, i)));
            }
            return String.join(", ", items);
        }
        return value.toString();
    }
}
