package org.callpark.history.internal;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import javax.sql.DataSource;

import org.callpark.api.ParkEvent;
import org.callpark.api.history.HistoryPage;
import org.callpark.api.history.HistoryQuery;
import org.callpark.api.history.HistoryRecord;
import org.callpark.api.history.HistoryUnavailableException;
import org.callpark.api.history.ParkHistory;
import org.callpark.spi.ClusterNode;
import org.callpark.spi.Overrides;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.health.HealthCheck;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The park history of this node: hears every park event ({@link CallLives}), writes the calls this node resolved
 * through the {@link HistoryWriter} to the configured database, logs the {@link AuditLine}, posts every event this node
 * carries to EventAdmin ({@link EventTopics}), and serves {@link ParkHistory}.
 * <p>
 * The database is reached through the {@code DataSourceFactory} service its JDBC driver registers (H2's and
 * PostgreSQL's bundles do, as the OSGi JDBC spec has them), tracked by driver class: the component activates without
 * it, and the writer keeps records (up to the queue capacity) until it appears. The event thread never waits for the
 * database. Configuration changes restart the component (a new data source, a new writer).
 * <p>
 * It is also the {@code history} {@link HealthCheck}: never DOWN (parking goes on without the database), WARN while
 * the database is unreachable or no driver for it is there, with what is queued and what was dropped.
 */
@Component(service = {ParkHistory.class, ParkEventListener.class, HealthCheck.class},
        property = HealthCheck.NAME + "=history", configurationPid = HistorySettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = HistoryConfig.class)
public final class HistoryService implements ParkHistory, ParkEventListener, HealthCheck {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryService.class);
    private static final Logger AUDIT = LoggerFactory.getLogger(AuditLine.LOGGER);

    private final ClusterNode cluster;
    private final HistorySettings settings;
    private final CallLives lives;
    private final HistoryStore store;
    private final HistoryWriter writer;
    private final ServiceTracker<DataSourceFactory, DataSource> factories;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin events;

    /** @throws IllegalArgumentException for an invalid configuration, naming every bad field (no activation) */
    @Activate
    public HistoryService(@Reference ClusterNode cluster, HistoryConfig config) {
        this.cluster = cluster;
        String data = System.getProperty("karaf.data", "data");
        this.settings = HistorySettings.from(config, new Overrides(HistorySettings.PID, System::getProperty,
                System::getenv), Path.of(data));
        BundleContext context = FrameworkUtil.getBundle(HistoryService.class).getBundleContext();
        this.factories = new ServiceTracker<>(context, filter(context, settings.driverClass()), null) {
            @Override
            public DataSource addingService(org.osgi.framework.ServiceReference<DataSourceFactory> ref) {
                DataSourceFactory f = context.getService(ref);
                try {
                    return f.createDataSource(properties(settings));
                } catch (SQLException | RuntimeException e) {
                    LOG.error("history: the {} driver refused the settings: {}", settings.driverClass(),
                            e.getMessage());
                    context.ungetService(ref);
                    return null;
                }
            }

            @Override
            public void removedService(org.osgi.framework.ServiceReference<DataSourceFactory> ref, DataSource ds) {
                context.ungetService(ref);
            }
        };
        this.lives = new CallLives(settings.maxLiveCalls());
        this.store = new HistoryStore(() -> Optional.ofNullable(factories.getService()), settings.toString());
        this.writer = new HistoryWriter(store, settings, Clock.systemUTC(), Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        LOG.info("history: recording to the {}{}", settings, settings.embedded() ? " (embedded, this node only)" : "");
        factories.open();
        writer.start();
    }

    @Deactivate
    void deactivate() {
        writer.stop(Duration.ofSeconds(5));
        factories.close();
    }

    @Override
    public Result check() {
        String figures = "queued=" + writer.queued() + " written=" + writer.written() + " dropped="
                + writer.dropped();
        if (factories.getService() == null) {
            return Result.warn("no JDBC driver for " + settings.driverClass() + "; " + figures);
        }
        return writer.unreachable() ? Result.warn("database unreachable; " + figures) : Result.up(figures);
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        try {
            String local = cluster.nodeId();
            EventTopics.post(() -> events, event, local);
            Optional<HistoryRecord> record = lives.accept(event, local);
            if (record.isPresent()) {
                AUDIT.info(AuditLine.of(record.get()));
                writer.offer(record.get());
            }
        } catch (RuntimeException e) {
            LOG.warn("history: event {} of call {} not recorded: {}", event.type(), event.call().id(), e.toString());
        }
    }

    @Override
    public HistoryPage find(HistoryQuery query) throws HistoryUnavailableException {
        return store.find(query);
    }

    @Override
    public Optional<HistoryRecord> get(String callId) throws HistoryUnavailableException {
        return store.get(callId);
    }

    /** For park:history's footer: what the writer has not written (yet). */
    String writerState() {
        return writer.queued() + " queued, " + writer.dropped() + " dropped"
                + (writer.unreachable() ? ", database unreachable" : "");
    }

    static Properties properties(HistorySettings s) {
        Properties p = new Properties();
        p.setProperty(DataSourceFactory.JDBC_URL, s.url());
        if (!s.user().isEmpty()) {
            p.setProperty(DataSourceFactory.JDBC_USER, s.user());
        }
        if (!s.password().isEmpty()) {
            p.setProperty(DataSourceFactory.JDBC_PASSWORD, s.password());
        }
        return p;
    }

    private static Filter filter(BundleContext context, String driverClass) {
        try {
            return context.createFilter("(&(objectClass=" + DataSourceFactory.class.getName() + ")("
                    + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=" + driverClass + "))");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
