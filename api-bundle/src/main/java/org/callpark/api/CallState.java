package org.callpark.api;

/** Where a parked call is in its life. */
public enum CallState {
    /** Waiting in its slot, hearing hold music. */
    PARKED,
    /** Still waiting with music, while the server rings someone to take it back (see {@link ParkedCall#recallAttempt()}). */
    RECALLING,
    /** Resolved; {@link ParkedCall#resolution()} says how. An ended call is no longer listed. */
    ENDED;

    /** Whether the call can still be retrieved, recalled or hung up. */
    public boolean isLive() {
        return this != ENDED;
    }
}
