package org.callpark.api;

import java.util.Objects;

/**
 * Which parked call a retrieve takes.
 *
 * @param kind  which rule
 * @param value the extension, group name or call id; {@code null} for {@link Kind#OWN}
 */
public record RetrieveTarget(Kind kind, String value) {

    public enum Kind {
        /** {@code *88}: the requester's extension slot, else the requester's park group's longest-waiting call. */
        OWN,
        /** {@code *88<ext>}, {@code park+<ext>}: the longest-waiting call on that extension's slot. */
        EXTENSION,
        /** {@code park+<group>}: the group's longest-waiting call. */
        GROUP,
        /** One call by id (the board's "send to extension", chat pickup of a listed call). */
        CALL
    }

    public RetrieveTarget {
        Objects.requireNonNull(kind, "kind");
        if ((kind != Kind.OWN) == (value == null || value.isBlank())) {
            throw new IllegalArgumentException(kind + (kind == Kind.OWN ? " takes no" : " needs") + " value");
        }
    }

    public static RetrieveTarget own() {
        return new RetrieveTarget(Kind.OWN, null);
    }

    public static RetrieveTarget extension(String extension) {
        return new RetrieveTarget(Kind.EXTENSION, extension);
    }

    public static RetrieveTarget group(String name) {
        return new RetrieveTarget(Kind.GROUP, name);
    }

    public static RetrieveTarget call(String callId) {
        return new RetrieveTarget(Kind.CALL, callId);
    }
}
