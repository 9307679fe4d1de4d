package org.callpark.api;

import java.util.List;
import java.util.Objects;

/**
 * The one checked exception of the park service. Each transport translates the {@link Reason} once, at its edge (a
 * SIP response or prompt, an HTTP status, an XMPP stanza error, a shell message).
 */
public class ParkException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a request failed. */
    public enum Reason {
        /** Nothing is parked where the request looked. */
        SLOT_EMPTY,
        /** The slot cannot take the call (e.g. its group is disabled until empty). */
        SLOT_OCCUPIED,
        /** No slot could be chosen for the call (e.g. {@code *58} by a user who is in no park group). */
        NO_FREE_SLOT,
        /** The requester may not do this (another tenant, not a member of the group). */
        NOT_PERMITTED,
        /** A tenant, user, group or call that does not exist. */
        NOT_FOUND,
        /** The request or a configuration is invalid; {@link #field()} names what. */
        INVALID_ARGUMENT,
        /** The call changed or ended while the request was handled (e.g. it was already retrieved). */
        CONFLICT,
        /** The cluster state store cannot be reached. */
        STORE_UNAVAILABLE,
        /** Media could not be set up or failed. */
        MEDIA_FAILURE,
        /**
         * This node has no media capacity left for a new leg (its RTP port range is full or it is out of file
         * descriptors); nothing was set up, trying later or on another node may work. Since 1.7.0.
         */
        MEDIA_CAPACITY,
        /** A phone to be rung did not answer in time, was busy, or could not be called from here. */
        UNREACHABLE
    }

    /** One invalid field of a configuration or request. */
    public record Violation(String field, String message) {
        public Violation {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private final Reason reason;
    private final List<Violation> violations;

    public ParkException(Reason reason, String message) {
        this(reason, message, List.of(), null);
    }

    public ParkException(Reason reason, String message, Throwable cause) {
        this(reason, message, List.of(), cause);
    }

    /** An {@link Reason#INVALID_ARGUMENT} naming every invalid field; the message lists them all. */
    public static ParkException invalid(List<Violation> violations) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("no violations");
        }
        StringBuilder message = new StringBuilder();
        for (Violation v : violations) {
            message.append(message.length() == 0 ? "" : "; ").append(v);
        }
        return new ParkException(Reason.INVALID_ARGUMENT, message.toString(), violations, null);
    }

    /** An {@link Reason#INVALID_ARGUMENT} for one field. */
    public static ParkException invalid(String field, String message) {
        return invalid(List.of(new Violation(field, message)));
    }

    private ParkException(Reason reason, String message, List<Violation> violations, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.violations = List.copyOf(violations);
    }

    public Reason reason() {
        return reason;
    }

    /** The invalid fields, for {@link Reason#INVALID_ARGUMENT}; empty otherwise. */
    public List<Violation> violations() {
        return violations;
    }

    /** The first invalid field's name, or {@code null}. */
    public String field() {
        return violations.isEmpty() ? null : violations.get(0).field();
    }
}
