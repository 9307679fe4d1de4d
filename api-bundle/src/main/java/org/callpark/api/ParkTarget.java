package org.callpark.api;

import java.util.Objects;

/**
 * Where to park a call, as the feature codes express it.
 *
 * @param kind  which rule
 * @param value the extension or group name for {@link Kind#EXTENSION} and {@link Kind#GROUP}, else {@code null}
 */
public record ParkTarget(Kind kind, String value) {

    public enum Kind {
        /** {@code *68}: the parker's own extension slot. */
        OWN_EXTENSION,
        /** {@code *68<ext>}: a named extension's slot. */
        EXTENSION,
        /** {@code *58}: the parker's park group's slot. */
        OWN_GROUP,
        /** A named park group's slot (administrators, {@code park+<group>}). */
        GROUP
    }

    public ParkTarget {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.EXTENSION || kind == Kind.GROUP) == (value == null || value.isBlank())) {
            throw new IllegalArgumentException(kind + (value == null || value.isBlank() ? " needs" : " takes no")
                    + " value");
        }
    }

    public static ParkTarget ownExtension() {
        return new ParkTarget(Kind.OWN_EXTENSION, null);
    }

    public static ParkTarget extension(String extension) {
        return new ParkTarget(Kind.EXTENSION, extension);
    }

    public static ParkTarget ownGroup() {
        return new ParkTarget(Kind.OWN_GROUP, null);
    }

    public static ParkTarget group(String name) {
        return new ParkTarget(Kind.GROUP, name);
    }
}
