package org.callpark.api;

/**
 * How a parked call ended. Every parked call gets exactly one resolution, even when a retrieve, the recall timer and a
 * hang-up race: the first transition to {@link CallState#ENDED} wins and every later one fails.
 */
public enum Resolution {
    /** Somebody retrieved it ({@code *88}, a BLF key, chat pickup, "send to extension"). */
    ANSWERED,
    /** A recall (to the parker or the ring group) was answered. */
    RECALLED,
    /** The parked caller hung up. */
    ABANDONED,
    /** Nobody took it after every recall attempt; the caller heard the final prompt. */
    TIMED_OUT,
    /** An administrator ended it (shell, REST). */
    FORCED,
    /** Signalling or media failed (e.g. the owning node went away). */
    FAILED
}
