package org.callpark.internal.sip;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.callpark.api.Resolution;

/**
 * A retriever on this node waiting for a call to be moved here. Exactly one of two things happens: the commit of
 * the move ends the call for it ({@link #commit}), or the retriever stops waiting first ({@link #giveUp}) and the
 * call stays parked here — never a call taken for a retriever who is gone.
 */
final class ForRetriever {
    final Resolution how;
    /** 0 waiting, 1 the commit ends the call for the retriever, 2 the retriever gave up. */
    private final AtomicInteger state = new AtomicInteger();

    ForRetriever(Resolution how) {
        this.how = Objects.requireNonNull(how, "how");
    }

    boolean commit() {
        return state.compareAndSet(0, 1);
    }

    /** @return false if the commit already ends the call for the retriever (which must then wait for it) */
    boolean giveUp() {
        return state.compareAndSet(0, 2);
    }
}
