package org.callpark.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.callpark.api.ParkedCall;
import org.callpark.api.RecallTarget;
import org.callpark.spi.RecallDialer;

/** A recall dialer that records whom it was told to ring and lets the test answer or fail each ring. */
final class RecordingDialer implements RecallDialer {

    /** One ringing step. */
    static final class Ring implements Ringing {
        final ParkedCall call;
        final List<String> extensions;
        final Duration timeout;
        final Outcome outcome;
        volatile boolean cancelled;

        Ring(ParkedCall call, List<String> extensions, Duration timeout, Outcome outcome) {
            this.call = call;
            this.extensions = List.copyOf(extensions);
            this.timeout = timeout;
            this.outcome = outcome;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        int attempt() {
            return call.recallAttempt();
        }

        RecallTarget target() {
            return call.recallTarget();
        }

        @Override
        public String toString() {
            return "attempt " + attempt() + " " + target() + " " + extensions + " for " + timeout.toSeconds() + " s"
                    + (cancelled ? " (cancelled)" : "");
        }
    }

    final List<Ring> rings = new ArrayList<>();

    @Override
    public synchronized Ringing ring(ParkedCall call, List<String> extensions, Duration timeout, Outcome outcome) {
        Ring ring = new Ring(call, extensions, timeout, outcome);
        rings.add(ring);
        return ring;
    }

    synchronized Ring last() {
        return rings.get(rings.size() - 1);
    }

    synchronized List<String> summary() {
        return rings.stream().map(r -> r.attempt() + ":" + r.target() + ":" + String.join("+", r.extensions)).toList();
    }
}
