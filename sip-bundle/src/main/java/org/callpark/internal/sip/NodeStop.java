package org.callpark.internal.sip;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.callpark.api.ParkException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the SIP server does when the whole node stops ({@code bin/stop}), as opposed to this bundle or component
 * stopping (an update, a setting change), which leaves the parked callers to the next SIP stack: with other nodes in
 * the cluster the parked callers are drained to them first; as the last node it hangs them up (BYE) rather than leave
 * them in silence. Done once, by whichever comes first: the core going away or the server's own deactivation.
 */
final class NodeStop {

    private static final Logger LOG = LoggerFactory.getLogger(NodeStop.class);

    private final Takeovers takeovers;
    private final ParkedLegs parkedLegs;
    private final Supplier<BundleContext> context;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile BooleanSupplier stoppingForTests;

    NodeStop(Takeovers takeovers, ParkedLegs parkedLegs, Supplier<BundleContext> context) {
        this.takeovers = takeovers;
        this.parkedLegs = parkedLegs;
        this.context = context;
    }

    /** Tests: what {@link #stopping} answers without a framework. */
    void stoppingForTests(BooleanSupplier stopping) {
        this.stoppingForTests = stopping;
    }

    /** Whether the whole framework (the node) stops, not just this bundle or component. */
    boolean stopping() {
        BooleanSupplier t = stoppingForTests;
        if (t != null) {
            return t.getAsBoolean();
        }
        BundleContext c = context.get();
        if (c == null) {
            return false;
        }
        try {
            return c.getBundle(0).getState() == Bundle.STOPPING;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Drains or hangs up this node's parked callers, the first time it is called. */
    void once() {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        try {
            if (!takeovers.otherNodes().isEmpty()) {
                Takeovers.Drained d = takeovers.drain(Duration.ofSeconds(20));
                LOG.info("Node stopping: {} of {} parked call(s) moved to other nodes", d.moved(), d.total());
            }
        } catch (ParkException | RuntimeException e) {
            LOG.warn("Draining before stop failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        parkedLegs.hangUpParked(takeovers.otherNodes().isEmpty() ? "the last node stops"
                : "the node stops and no other node took these calls");
    }
}
