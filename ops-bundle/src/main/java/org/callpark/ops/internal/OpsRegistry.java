package org.callpark.ops.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one {@link MeterRegistry}: a composite of a Prometheus registry (scraped by {@link MetricsServlet}) and
 * a JMX registry (MBeans in domain {@code org.callpark}), registered as an OSGi {@code MeterRegistry} service. The
 * other bundles do not bind to that service: each registers a {@link MeterBinder} service, bound here through
 * {@link BoundBinders}, so that a bundle update removes its meters and binds them again (docs/architecture.md
 * "Metrics"). The JVM's own meters (memory, GC, threads, class loading, CPU, uptime) are bound here.
 */
@Component(service = OpsRegistry.class, immediate = true, configurationPid = OpsSettings.PID)
@Designate(ocd = OpsConfig.class)
public final class OpsRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(OpsRegistry.class);

    /** Prometheus text 0.0.4, the default. */
    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics 1.0, when the scraper asks for it. */
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry prometheus;
    private final JmxMeterRegistry jmx;
    private final CompositeMeterRegistry root;
    private final BoundBinders binders;
    private final JvmGcMetrics gc;
    private final String domain;
    private ServiceRegistration<MeterRegistry> registration; // guarded by this

    @Activate
    public OpsRegistry(OpsConfig config, BundleContext context) {
        this(OpsSettings.of(config, System::getProperty, System::getenv).jmxDomain());
        synchronized (this) {
            registration = context.registerService(MeterRegistry.class, root, null);
        }
    }

    /** Without OSGi (tests). */
    OpsRegistry(String jmxDomain) {
        this.domain = jmxDomain;
        this.prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.jmx = new JmxMeterRegistry(new JmxConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String domain() {
                return jmxDomain;
            }
        }, Clock.SYSTEM);
        this.root = new CompositeMeterRegistry(Clock.SYSTEM);
        root.add(prometheus);
        root.add(jmx);
        this.binders = new BoundBinders(List.of(prometheus, jmx));
        new JvmMemoryMetrics().bindTo(root);
        this.gc = new JvmGcMetrics();
        gc.bindTo(root);
        new JvmThreadMetrics().bindTo(root);
        new ClassLoaderMetrics().bindTo(root);
        new ProcessorMetrics().bindTo(root);
        new UptimeMetrics().bindTo(root);
    }

    @Reference(service = MeterBinder.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addBinder(MeterBinder binder) {
        binders.bind(binder);
    }

    void removeBinder(MeterBinder binder) {
        binders.unbind(binder);
    }

    /** Only the JMX domain needs a new registry: it applies when the bundle restarts. */
    @Modified
    void modified(OpsConfig config) {
        try {
            String wanted = OpsSettings.of(config, System::getProperty, System::getenv).jmxDomain();
            if (!wanted.equals(domain)) {
                LOG.warn("JMX domain {} applies after a restart of org.callpark.ops (now {})", wanted, domain);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            if (registration != null) {
                try {
                    registration.unregister();
                } catch (IllegalStateException e) {
                    // already gone with the bundle
                }
                registration = null;
            }
        }
        binders.clear();
        gc.close();
        jmx.close();
        prometheus.close();
    }

    /** The registry other code records into (the OSGi service). */
    MeterRegistry registry() {
        return root;
    }

    BoundBinders binders() {
        return binders;
    }

    /** The content type answered for an {@code Accept} header: OpenMetrics if asked for, else Prometheus text. */
    static String contentType(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS : TEXT_004;
    }

    /** Writes every meter in {@code contentType} ({@link #contentType}). */
    void scrape(OutputStream out, String contentType) throws IOException {
        prometheus.scrape(out, contentType);
    }

    /** The names of the meters the Prometheus registry holds now (tests). */
    List<String> meterNames() {
        List<String> names = new ArrayList<>();
        prometheus.getMeters().forEach(m -> names.add(m.getId().getName()));
        return names;
    }
}
