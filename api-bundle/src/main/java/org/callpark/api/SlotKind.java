package org.callpark.api;

/** What a park slot belongs to. */
public enum SlotKind {
    /** The slot of one extension: {@code *68} parks there, {@code *88<ext>} retrieves from it. */
    EXTENSION("ext"),
    /** The slot of a park group: {@code *58} parks there, members retrieve with {@code *88}. */
    GROUP("group");

    private final String token;

    SlotKind(String token) {
        this.token = token;
    }

    /** The short token used in slot keys ({@code ext}, {@code group}). */
    public String token() {
        return token;
    }

    public static SlotKind fromToken(String token) {
        for (SlotKind kind : values()) {
            if (kind.token.equals(token)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown slot kind '" + token + "' (expected ext or group)");
    }
}
