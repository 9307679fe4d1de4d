package org.callpark.api;

/** Whom a park group calls back when a parked call is not picked up in time. */
public enum RecallMode {
    /** Ring the parker only, up to the group's number of retries. */
    USER_ONLY,
    /** Ring the parker; if unanswered within the wait time (or busy, unreachable, declined), ring the ring group. */
    USER_THEN_RING_GROUP,
    /** Ring the ring group only; the parker never rings. */
    RING_GROUP_ONLY;

    /** Whether this mode needs a ring group. */
    public boolean needsRingGroup() {
        return this != USER_ONLY;
    }
}
