package org.callpark.internal.cluster;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import org.callpark.spi.ClusterNode;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.osgi.HazelcastOSGiInstance;
import com.hazelcast.osgi.HazelcastOSGiService;

/**
 * This node's Hazelcast member, which holds the cluster-wide state of parked calls.
 * <p>
 * <b>Ownership.</b> The member is created through Hazelcast's own OSGi service ({@link HazelcastOSGiService}, registered
 * by the Hazelcast bundle's activator), so it belongs to the Hazelcast bundle, not to this one. On activation the
 * component looks up the instance named {@code callpark-<clusterName>}: if it runs and was created with the same
 * settings (a {@link MemberSettings#fingerprint() fingerprint} kept in the instance's user context), it is reused;
 * otherwise it is shut down and a new one created. <b>Deactivation does not shut the member down</b>: a
 * {@code bundle:update} of this bundle, or a restart of this component, keeps the member and with it the parked calls
 * this node holds. The member ends when the Hazelcast bundle stops (or when a configuration change needs a new one).
 * <p>
 * <b>Configuration</b> ({@link ClusterConfig}, PID {@code org.callpark.cluster}): every attribute can be overridden by
 * the system property {@code callpark.cluster.<attribute>} or, if that is not set, the environment variable
 * {@code CALLPARK_CLUSTER_<ATTRIBUTE>} (upper snake case, e.g. {@code CALLPARK_CLUSTER_BIND_ADDRESS}); both win over
 * the configuration. A configuration change with the same effective settings is ignored (installing a feature fires two
 * configuration events). A real change restarts the member: calls held only by this node are then lost, so it is
 * logged as a warning. An invalid change is refused and the running member kept.
 * <p>
 * The component is immediate: the node joins the cluster when the bundle starts, not when the store is first used.
 * <p>
 * Users that cache anything bound to the instance (map proxies, listener registrations) must follow restarts through
 * {@link #addRestartListener(Consumer)}.
 */
@Component(service = {ClusterMember.class, ClusterNode.class}, configurationPid = "org.callpark.cluster", immediate = true)
@Designate(ocd = ClusterConfig.class)
public final class ClusterMember implements ClusterNode {

    /** The key of the settings fingerprint in the instance's user context. */
    static final String FINGERPRINT_KEY = "org.callpark.cluster.fingerprint";

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);

    private final HazelcastOSGiService osgi;
    private final Function<String, String> sysprops;
    private final Function<String, String> env;
    private final List<Consumer<HazelcastInstance>> restartListeners = new CopyOnWriteArrayList<>();

    private volatile HazelcastOSGiInstance instance;
    private MemberSettings settings; // guarded by this

    /**
     * @throws IllegalArgumentException if the configuration is invalid (the component does not activate)
     */
    @Activate
    public ClusterMember(@Reference HazelcastOSGiService osgi, ClusterConfig config) {
        this(osgi, config, System::getProperty, System::getenv);
    }

    ClusterMember(HazelcastOSGiService osgi, ClusterConfig config, Function<String, String> sysprops,
            Function<String, String> env) {
        this.osgi = Objects.requireNonNull(osgi, "osgi");
        this.sysprops = sysprops;
        this.env = env;
        MemberSettings s = MemberSettings.from(config, sysprops, env);
        synchronized (this) {
            this.settings = s;
            this.instance = obtain(s);
        }
    }

    /** Applies a changed configuration: nothing if the effective settings are the same, else a new member. */
    @Modified
    void modified(ClusterConfig config) {
        MemberSettings next;
        try {
            next = MemberSettings.from(config, sysprops, env);
        } catch (IllegalArgumentException e) {
            LOG.warn("Invalid cluster configuration, keeping the running member: {}", e.getMessage());
            return;
        }
        HazelcastInstance started;
        synchronized (this) {
            if (next.fingerprint().equals(settings.fingerprint()) && instance.getLifecycleService().isRunning()) {
                LOG.debug("Cluster configuration event without a change ({})", next.fingerprint());
                return;
            }
            LOG.warn("Cluster settings changed ({} -> {}): restarting the Hazelcast member; parked calls held only by"
                    + " this node are lost", settings.fingerprint(), next.fingerprint());
            shutdown(instance);
            settings = next;
            instance = obtain(next);
            started = instance;
        }
        for (Consumer<HazelcastInstance> l : restartListeners) {
            try {
                l.accept(started);
            } catch (RuntimeException e) {
                LOG.warn("A cluster restart listener failed", e);
            }
        }
    }

    /**
     * Deliberately leaves the member running: it belongs to the Hazelcast bundle and keeps the parked calls across a
     * {@code bundle:update} of this bundle. The next activation reuses it.
     */
    @Deactivate
    void deactivate() {
        restartListeners.clear();
        LOG.debug("Cluster member component deactivated; member {} keeps running", instance.getName());
    }

    @Override
    public HazelcastInstance instance() {
        return instance;
    }

    @Override
    public String nodeId() {
        return instance.getCluster().getLocalMember().getUuid().toString();
    }

    /** The effective settings. */
    public synchronized MemberSettings settings() {
        return settings;
    }

    @Override
    public void addRestartListener(Consumer<HazelcastInstance> listener) {
        restartListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeRestartListener(Consumer<HazelcastInstance> listener) {
        restartListeners.remove(listener);
    }

    private HazelcastOSGiInstance obtain(MemberSettings s) {
        HazelcastOSGiInstance existing = osgi.getHazelcastInstanceByName(s.instanceName());
        if (existing != null) {
            if (existing.getLifecycleService().isRunning()
                    && s.fingerprint().equals(existing.getUserContext().get(FINGERPRINT_KEY))) {
                LOG.debug("Reusing Hazelcast member {} ({})", s.instanceName(), s.fingerprint());
                return existing;
            }
            LOG.debug("Hazelcast member {} has other settings ({}), replacing it", s.instanceName(),
                    existing.getLifecycleService().isRunning() ? existing.getUserContext().get(FINGERPRINT_KEY)
                            : "not running");
            shutdown(existing);
        }
        Config config = MemberConfigFactory.build(s);
        config.getUserContext().put(FINGERPRINT_KEY, s.fingerprint());
        HazelcastOSGiInstance created = osgi.newHazelcastInstance(config);
        LOG.debug("Started Hazelcast member {} ({})", s.instanceName(), s.fingerprint());
        return created;
    }

    private void shutdown(HazelcastOSGiInstance hz) {
        try {
            osgi.shutdownHazelcastInstance(hz);
        } catch (RuntimeException e) {
            LOG.debug("Shutting down Hazelcast member {} failed", hz, e);
        }
    }
}
