package org.callpark.api;

/** Who a recall attempt is ringing right now. */
public enum RecallTarget {
    /** The extension that parked the call. */
    PARKER,
    /** Every member of the park group's ring group at once. */
    RING_GROUP,
    /**
     * The final destination ({@link RecallPolicy#finalDestination()}) after every attempt went unanswered, instead of
     * the final prompt. Since 1.7.
     */
    FINAL_DESTINATION
}
