package org.callpark.api;

import java.util.Objects;

/**
 * How a tenant's busy lamp field (BLF) keys are told about parked calls (SIP {@code Event: dialog}, RFC 4235).
 *
 * @param state      the dialog state a parked call is reported in
 * @param broadWorks whether each parked call's dialog also carries the BroadWorks {@code <bw:callpark>} element
 *                   (for Yealink and Polycom phones in BroadSoft mode)
 */
public record BlfOptions(DialogState state, boolean broadWorks) {

    /** {@code confirmed}, no BroadWorks element: what Yealink and Fanvil phones show as "held" out of the box. */
    public static final BlfOptions DEFAULT = new BlfOptions(DialogState.CONFIRMED, false);

    /** The RFC 4235 dialog state of a parked call. */
    public enum DialogState {
        /** {@code confirmed} with the local target's {@code +sip.rendering=no}: a held call (Yealink: slow flash). */
        CONFIRMED,
        /** {@code early}: a ringing call; phones blink and the key does a pickup. */
        EARLY
    }

    public BlfOptions {
        Objects.requireNonNull(state, "state");
    }
}
