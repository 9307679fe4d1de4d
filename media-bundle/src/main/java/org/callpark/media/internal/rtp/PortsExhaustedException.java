package org.callpark.media.internal.rtp;

import java.io.IOException;

/**
 * No RTP port pair could be bound for a new leg: the configured range is full, or the process has no file descriptor
 * left. Either way nothing was bound and a new call must be refused (503, "try later or elsewhere"); a leg that failed
 * to bind for any other reason is not this.
 */
public final class PortsExhaustedException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why no pair was bound. */
    public enum Cause {
        /** Every even port of the range is used by a leg of ours or held by another process. */
        RANGE_FULL,
        /** The process cannot open another socket ({@code EMFILE}/{@code ENFILE}: raise {@code ulimit -n}). */
        NO_FILE_DESCRIPTORS
    }

    private final Cause cause;

    public PortsExhaustedException(Cause cause, String message) {
        super(message);
        this.cause = cause;
    }

    public Cause exhaustion() {
        return cause;
    }
}
