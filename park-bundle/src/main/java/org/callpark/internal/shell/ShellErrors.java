package org.callpark.internal.shell;

import org.callpark.api.ParkException;

/**
 * The shell's one translation of {@link ParkException}: what the operator got wrong becomes an
 * {@link IllegalArgumentException}, what the server cannot do right now an {@link IllegalStateException}. Karaf prints
 * the message as "Error executing command: ...".
 */
public final class ShellErrors {

    private ShellErrors() {
    }

    /** The exception to throw from a command for {@code e}; use as {@code throw ShellErrors.translate(e)}. */
    public static RuntimeException translate(ParkException e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.reason().toString() : e.getMessage();
        return switch (e.reason()) {
            case INVALID_ARGUMENT, NOT_FOUND, SLOT_EMPTY, NOT_PERMITTED, CONFLICT ->
                    new IllegalArgumentException(message, e);
            case STORE_UNAVAILABLE -> new IllegalStateException("cluster store unavailable: " + message, e);
            case MEDIA_FAILURE -> new IllegalStateException("media failure: " + message, e);
            case MEDIA_CAPACITY -> new IllegalStateException("no media capacity on this node: " + message, e);
            case SLOT_OCCUPIED, NO_FREE_SLOT, UNREACHABLE -> new IllegalStateException(message, e);
        };
    }
}
