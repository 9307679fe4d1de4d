package org.callpark.ops.internal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MeterBinder} services of the other bundles, each bound to a registry of its own that forwards to the real
 * ones (Prometheus, JMX). When a binder's service goes (its bundle stopped or updated), exactly the meters it created —
 * in {@code bindTo} and any it created later through the registry it was given (a new tenant's counter) — are removed
 * from the real registries, and that registry is cut off, so a binder that keeps counting after it was unbound adds
 * nothing back. A bundle that comes back binds fresh meters: counters start again at zero, as Prometheus expects of a
 * restarted process ({@code rate()} handles the reset).
 */
final class BoundBinders {

    private static final Logger LOG = LoggerFactory.getLogger(BoundBinders.class);

    private final List<MeterRegistry> targets;
    private final Map<MeterBinder, CompositeMeterRegistry> bound = new IdentityHashMap<>();

    BoundBinders(List<MeterRegistry> targets) {
        this.targets = List.copyOf(targets);
    }

    synchronized void bind(MeterBinder binder) {
        if (bound.containsKey(binder)) {
            return;
        }
        CompositeMeterRegistry own = new CompositeMeterRegistry(Clock.SYSTEM);
        targets.forEach(own::add);
        bound.put(binder, own);
        try {
            binder.bindTo(own);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Meters of {} not bound: {}", binder.getClass().getName(), e.toString());
            unbind(binder);
        }
    }

    synchronized void unbind(MeterBinder binder) {
        CompositeMeterRegistry own = bound.remove(binder);
        if (own == null) {
            return;
        }
        targets.forEach(own::remove); // first cut off: nothing created from now on reaches the real registries
        List<Meter.Id> ids = new ArrayList<>();
        own.getMeters().forEach(m -> ids.add(m.getId()));
        for (MeterRegistry target : targets) {
            ids.forEach(target::remove);
        }
        LOG.debug("Removed {} meters of {}", ids.size(), binder.getClass().getName());
    }

    synchronized int size() {
        return bound.size();
    }

    synchronized void clear() {
        new ArrayList<>(bound.keySet()).forEach(this::unbind);
    }
}
