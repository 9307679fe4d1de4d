package org.callpark.internal;

import java.util.Comparator;

import org.callpark.api.ParkedCall;

/** First in, first out: the order in which a slot's calls are picked up and listed. */
final class CallOrder {

    static final Comparator<ParkedCall> FIFO = Comparator.comparing(ParkedCall::parkedAt)
            .thenComparingLong(ParkedCall::sequence).thenComparing(ParkedCall::id);

    private CallOrder() {
    }
}
