package org.callpark.internal.cluster;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.callpark.api.Directory;
import org.callpark.api.ParkException.Violation;
import org.callpark.internal.directory.DirectoryProperties;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;

/**
 * One directory for the whole cluster. The authoritative directory is a {@link DirectoryRevision} in the Hazelcast map
 * {@value DirectoryRevision#MAP}; each node's ConfigAdmin configuration {@code org.callpark.directory} (its
 * {@code etc/org.callpark.directory.cfg}, which FileInstall writes back) is a mirror of it, and
 * {@code DirectoryServiceImpl} reads the directory from that configuration as on a single node.
 * <ul>
 * <li><b>A change on this node</b> (the file edited, the REST API, {@code config:edit}) reaches this class as a
 * ConfigAdmin event. If it is valid ({@link DirectoryProperties#check}) and differs from the cluster's, it is written
 * into the map as revision + 1 by compare-and-set ({@code replace(key, old, new)}); an invalid one is never shared.</li>
 * <li><b>A change in the cluster</b> (an entry event, or the periodic check that catches anything an event missed, e.g.
 * after a split-brain merge) is checked by the same rules and, if it differs from the local configuration, written into
 * it. What was written then comes back as a ConfigAdmin event, finds the configuration equal to the cluster's and is
 * not published again.</li>
 * <li><b>At start</b> (the first local configuration this node sees, or a file that appears later) the cluster's
 * directory wins; if the cluster has none, the local one is put with {@code putIfAbsent}: of nodes starting at once
 * exactly one wins and the others take its directory. One INFO line says which was taken and from which node.</li>
 * <li><b>Two changes at once</b> on two nodes: the first compare-and-set wins, the other node takes the winner's
 * directory and warns that its own change was dropped.</li>
 * <li>An invalid directory in the cluster (written by another version) is not applied: this node keeps its directory
 * and warns once, naming every field.</li>
 * </ul>
 * No class of ours enters Hazelcast (values are JSON strings) and the CP subsystem is not used. All work runs in order
 * on one thread ({@code callpark-cluster-directory}); ConfigAdmin and Hazelcast threads only ask for a run.
 */
@Component(service = ConfigurationListener.class, immediate = true)
public final class ClusterDirectory implements ConfigurationListener {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterDirectory.class);

    /** How often the cluster's directory is compared with the local one without an event. */
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    /** Compare-and-set attempts per run before the next run tries again. */
    private static final int ATTEMPTS = 10;

    private final ConfigurationAdmin configAdmin;
    private final Supplier<HazelcastInstance> hazelcast;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean requested = new AtomicBoolean();
    private volatile boolean closed;

    // --- touched by the worker thread only ---
    /** The instance the entry listener is registered on, and the registration. */
    private HazelcastInstance listening;
    private UUID listener;
    /** The cluster value (JSON) last looked at, {@code null} before the first. */
    private String seen;
    /** The highest revision seen, so that a directory put again after the map lost it does not start from 1. */
    private long seenRevision;
    /** The local configuration as last in step with the cluster; {@code null} until this node saw one. */
    private Local base;
    /** Whether this node has been in step with a valid cluster directory (the first time is "the start"). */
    private boolean synced;
    /** The revision whose local write last failed, to warn once. */
    private long failedRevision = -1;

    /** The local configuration's directory (normalised) and the file it belongs to ({@code null}: none). */
    private record Local(SortedMap<String, String> properties, Object file) {
    }

    @Activate
    public ClusterDirectory(@Reference ConfigurationAdmin configAdmin, @Reference ClusterMember member) {
        this(configAdmin, member::instance, CHECK_EVERY);
    }

    /**
     * A cluster directory on a given member (tests, nodes assembled without OSGi); the caller delivers ConfigAdmin
     * events through {@link #configurationEvent}. Starts at once: the first run compares the two directories.
     *
     * @param checkEvery how often the cluster is compared without an event
     */
    public ClusterDirectory(ConfigurationAdmin configAdmin, Supplier<HazelcastInstance> hazelcast, Duration checkEvery) {
        this.configAdmin = Objects.requireNonNull(configAdmin, "configAdmin");
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "callpark-cluster-directory");
            t.setDaemon(true);
            return t;
        });
        worker.scheduleWithFixedDelay(this::run, 0, checkEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Deactivate
    public void close() {
        closed = true;
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.debug("The cluster directory thread did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HazelcastInstance hz = listening;
        UUID id = listener;
        if (hz != null && id != null) {
            try {
                hz.getMap(DirectoryRevision.MAP).removeEntryListener(id);
            } catch (RuntimeException e) {
                LOG.debug("Removing the cluster directory listener failed: {}", e.toString());
            }
        }
    }

    /** ConfigAdmin: the local directory configuration changed (or was deleted). */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (DirectoryProperties.PID.equals(event.getPid()) && event.getFactoryPid() == null) {
            request();
        }
    }

    /** Asks for a run on the worker thread; requests while one is waiting are one run. */
    private void request() {
        if (!closed && requested.compareAndSet(false, true)) {
            try {
                worker.execute(this::run);
            } catch (RejectedExecutionException e) {
                requested.set(false); // closing
            }
        }
    }

    private void run() {
        requested.set(false);
        if (closed) {
            return;
        }
        try {
            HazelcastInstance hz = hazelcast.get();
            IMap<String, HazelcastJsonValue> map = hz.getMap(DirectoryRevision.MAP);
            listen(hz, map);
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                if (step(hz, map)) {
                    return;
                }
            }
            LOG.debug("The cluster's directory kept changing; comparing again at the next check");
        } catch (IOException e) {
            LOG.warn("Configuration {} could not be read: {}", DirectoryProperties.PID, e.getMessage());
        } catch (HazelcastException | IllegalStateException e) {
            // the member is starting, restarting or shutting down (HazelcastInstanceNotActiveException): next check
            LOG.debug("Cluster not available for the directory: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.warn("Comparing the cluster's directory with this node's failed; trying again at the next check", e);
        }
    }

    private void listen(HazelcastInstance hz, IMap<String, HazelcastJsonValue> map) {
        if (hz == listening) {
            return;
        }
        if (listening != null && listener != null) {
            try {
                listening.getMap(DirectoryRevision.MAP).removeEntryListener(listener);
            } catch (RuntimeException e) {
                LOG.debug("Removing the listener from the previous member failed: {}", e.toString());
            }
        }
        listener = map.addEntryListener(new Watch(), DirectoryRevision.KEY, false);
        listening = hz;
    }

    /**
     * Compares the cluster's directory with the local configuration once and acts.
     *
     * @return {@code false} if a compare-and-set lost (the caller runs again)
     */
    private boolean step(HazelcastInstance hz, IMap<String, HazelcastJsonValue> map) throws IOException {
        HazelcastJsonValue stored = map.get(DirectoryRevision.KEY);
        Configuration configuration = configAdmin.getConfiguration(DirectoryProperties.PID, "?");
        long changeCount = configuration.getChangeCount();
        Map<String, Object> properties = DirectoryProperties.toMap(configuration.getProperties());
        Object file = properties == null ? null : properties.get(DirectoryProperties.FILEINSTALL_FILENAME);
        // checked as a change of what this node last had in step, as DirectoryServiceImpl checks it (realm rule)
        DirectoryProperties.Checked local = DirectoryProperties.holdsDirectory(properties)
                ? DirectoryProperties.check(properties, base == null ? null
                        : DirectoryProperties.check(base.properties()).directory())
                : null;

        if (stored == null) {
            return offer(hz, map, local, file);
        }
        if (!stored.getValue().equals(seen) || base == null || fileAppeared(local, file) || local == null) {
            return take(hz, configuration, changeCount, stored, local, file);
        }
        if (local.normalized().equals(base.properties())) {
            return true; // nothing changed on either side
        }
        return share(hz, map, stored, local, file);
    }

    /** The cluster has no directory: this node's valid one becomes it, unless another node's came first. */
    private boolean offer(HazelcastInstance hz, IMap<String, HazelcastJsonValue> map, DirectoryProperties.Checked local,
            Object file) {
        if (local == null || !local.isValid()) {
            if (local != null) {
                base = new Local(local.normalized(), file);
            }
            LOG.debug("Neither the cluster nor this node has a valid directory to share");
            return true;
        }
        DirectoryRevision first = revision(hz, seenRevision + 1, local.normalized());
        HazelcastJsonValue value = first.encode();
        if (map.putIfAbsent(DirectoryRevision.KEY, value) != null) {
            return false; // another node was first: take its directory
        }
        seen = value.getValue();
        seenRevision = first.revision();
        base = new Local(local.normalized(), file);
        synced = true;
        LOG.info("Directory: the cluster had none; this node's {} is now the cluster's directory, revision {} ({})",
                source(file), first.revision(), summary(local.directory()));
        return true;
    }

    /**
     * The cluster's directory changed (or this node starts, or a file appeared): it wins if it is valid.
     *
     * @return {@code false} if the local configuration changed meanwhile (the caller runs again and sees both)
     */
    private boolean take(HazelcastInstance hz, Configuration configuration, long changeCount,
            HazelcastJsonValue stored, DirectoryProperties.Checked local, Object file) {
        DirectoryRevision cluster;
        try {
            cluster = DirectoryRevision.decode(stored);
        } catch (IllegalArgumentException e) {
            keep(stored, local, file, "The cluster's directory (" + DirectoryRevision.MAP + ") cannot be read: "
                    + e.getMessage());
            return true;
        }
        seenRevision = Math.max(seenRevision, cluster.revision());
        DirectoryProperties.Checked checked = DirectoryProperties.check(cluster.properties());
        if (!checked.isValid()) {
            keep(stored, local, file, "The cluster's directory revision " + cluster.revision() + " from "
                    + who(hz, cluster) + " is invalid, " + checked.violations().size() + " problem(s): "
                    + checked.violations().stream().map(Violation::toString).collect(Collectors.joining("; ")));
            return true;
        }
        boolean start = !synced;
        boolean fileAppeared = fileAppeared(local, file);
        if (local != null && local.normalized().equals(checked.normalized())) {
            seen = stored.getValue();
            base = new Local(local.normalized(), file);
            synced = true;
            if (start || fileAppeared) {
                LOG.info("Directory: this node's {} is the cluster's revision {} from {} ({})", source(file),
                        cluster.revision(), who(hz, cluster), summary(checked.directory()));
            }
            return true;
        }
        boolean overridden = !start && !fileAppeared && local != null && base != null
                && !local.normalized().equals(base.properties());
        if (configuration.getChangeCount() != changeCount) {
            return false; // a local change (REST, file) came in since it was read: do not overwrite it unseen
        }
        if (!write(configuration, checked.normalized(), cluster.revision())) {
            return true; // warned; the next check tries again
        }
        seen = stored.getValue();
        base = new Local(checked.normalized(), file);
        synced = true;
        if (overridden) {
            LOG.warn("Directory: a change made on this node at the same time as revision {} from {} was dropped; "
                    + "this node took revision {} (make the change again if it is still wanted)", cluster.revision(),
                    who(hz, cluster), cluster.revision());
        } else if (start || fileAppeared) {
            LOG.info("Directory: took the cluster's revision {} from {} (written {}); it replaces {} ({})",
                    cluster.revision(), who(hz, cluster), cluster.changedAt(),
                    local == null ? "nothing: this node had no directory configuration" : "this node's " + source(file),
                    summary(checked.directory()));
        } else if (local == null) {
            LOG.info("Directory: this node's directory configuration was deleted; it holds the cluster's revision {} "
                    + "from {} again ({})", cluster.revision(), who(hz, cluster), summary(checked.directory()));
        } else {
            LOG.info("Directory: applied the cluster's revision {} from {} ({})", cluster.revision(),
                    who(hz, cluster), summary(checked.directory()));
        }
        return true;
    }

    /** The cluster holds something this node cannot use: keep the local directory, warn once per value. */
    private void keep(HazelcastJsonValue stored, DirectoryProperties.Checked local, Object file, String why) {
        if (!stored.getValue().equals(seen)) {
            LOG.warn("{}; this node keeps its current directory", why);
        }
        seen = stored.getValue();
        if (local != null) {
            base = new Local(local.normalized(), file);
        }
    }

    /** A change made on this node: shared as the next revision if it is valid and not what the cluster has. */
    private boolean share(HazelcastInstance hz, IMap<String, HazelcastJsonValue> map, HazelcastJsonValue stored,
            DirectoryProperties.Checked local, Object file) {
        if (!local.isValid()) {
            // DirectoryServiceImpl has logged the violations; the cluster (and so every node) keeps the previous one
            LOG.debug("Directory change on this node is invalid and is not shared");
            base = new Local(local.normalized(), file);
            return true;
        }
        long previous;
        try {
            DirectoryRevision cluster = DirectoryRevision.decode(stored);
            if (cluster.properties().equals(local.normalized())) {
                base = new Local(local.normalized(), file);
                return true;
            }
            previous = cluster.revision();
        } catch (IllegalArgumentException unreadable) {
            previous = seenRevision; // a valid change replaces what could not be read
        }
        DirectoryRevision next = revision(hz, Math.max(previous, seenRevision) + 1, local.normalized());
        HazelcastJsonValue value = next.encode();
        if (!map.replace(DirectoryRevision.KEY, stored, value)) {
            return false; // the cluster changed meanwhile: the next step takes it
        }
        seen = value.getValue();
        seenRevision = next.revision();
        base = new Local(local.normalized(), file);
        synced = true;
        LOG.info("Directory: the change made on this node is now the cluster's revision {} ({})", next.revision(),
                summary(local.directory()));
        return true;
    }

    /**
     * Whether a file now holds the local configuration that had none (FileInstall loaded the etc file after this node
     * had taken the cluster's directory into a configuration of its own, or the file was deleted and created again):
     * treated like a start, the cluster's directory wins.
     */
    private boolean fileAppeared(DirectoryProperties.Checked local, Object file) {
        return local != null && base != null && base.file() == null && file != null;
    }

    /**
     * Writes the cluster's directory into the local configuration, keeping the file it belongs to.
     *
     * @return {@code false} if it could not be written (warned once per revision; the next check tries again)
     */
    private boolean write(Configuration configuration, SortedMap<String, String> properties, long revision) {
        Hashtable<String, Object> dictionary = new Hashtable<>(properties);
        try {
            Dictionary<String, Object> previous = configuration.getProperties();
            Object file = previous == null ? null : previous.get(DirectoryProperties.FILEINSTALL_FILENAME);
            if (file != null) {
                // FileInstall writes the configuration back to the file it came from
                dictionary.put(DirectoryProperties.FILEINSTALL_FILENAME, file);
            }
            configuration.update(dictionary);
            failedRevision = -1;
            return true;
        } catch (IOException | RuntimeException e) {
            if (failedRevision != revision) {
                failedRevision = revision;
                LOG.warn("Directory: the cluster's revision {} could not be written to configuration {}, this node "
                        + "keeps its directory and tries again: {}", revision, DirectoryProperties.PID, e.toString());
            }
            return false;
        }
    }

    private static DirectoryRevision revision(HazelcastInstance hz, long number, SortedMap<String, String> properties) {
        Member me = hz.getCluster().getLocalMember();
        Address address = me.getAddress();
        return new DirectoryRevision(number, me.getUuid().toString(), address.getHost() + ":" + address.getPort(),
                Instant.now(), properties);
    }

    private static String who(HazelcastInstance hz, DirectoryRevision revision) {
        String me = hz.getCluster().getLocalMember().getUuid().toString();
        return me.equals(revision.node()) ? "this node" : revision.who();
    }

    private static String source(Object file) {
        return file == null ? "configuration " + DirectoryProperties.PID : String.valueOf(file);
    }

    private static String summary(Directory d) {
        return d.tenants().size() + " tenant(s), " + d.allUsers().size() + " user(s), " + d.allRingGroups().size()
                + " ring group(s), " + d.allParkGroups().size() + " park group(s)";
    }

    /** Any change of the directory's entry asks for a run; the run reads the entry itself. */
    private final class Watch implements EntryAddedListener<String, HazelcastJsonValue>,
            EntryUpdatedListener<String, HazelcastJsonValue>, EntryRemovedListener<String, HazelcastJsonValue>,
            EntryMergedListener<String, HazelcastJsonValue>, MapClearedListener {
        @Override
        public void entryAdded(EntryEvent<String, HazelcastJsonValue> event) {
            request();
        }

        @Override
        public void entryUpdated(EntryEvent<String, HazelcastJsonValue> event) {
            request();
        }

        @Override
        public void entryRemoved(EntryEvent<String, HazelcastJsonValue> event) {
            request();
        }

        @Override
        public void entryMerged(EntryEvent<String, HazelcastJsonValue> event) {
            request();
        }

        @Override
        public void mapCleared(MapEvent event) {
            request();
        }
    }
}
