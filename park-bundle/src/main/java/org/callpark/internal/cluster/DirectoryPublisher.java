package org.callpark.internal.cluster;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.internal.directory.DirectoryProperties;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import org.callpark.spi.json.DirectorySnapshot;

/**
 * Publishes this node's active directory into the cluster ({@link DirectorySnapshot}: map {@code callpark.directory})
 * so that processes without ConfigAdmin, the Openfire plugin, know the tenants, users and JIDs. It looks at
 * {@link DirectoryService#current()} once a second and writes when the directory changed (a new snapshot object)
 * and the stored one differs, so nodes with the same configuration never overwrite each other back and forth. The
 * publish runs once at activation and again if the cluster could not be written (the next tick retries).
 * <p>
 * A node whose directory is not (yet) the cluster's ({@link ClusterDirectory}: a node that just started with an older
 * file, before it took the cluster's revision) does not publish it, so readers never see an outdated directory come
 * back; it publishes once it has caught up.
 */
@Component(immediate = true)
public final class DirectoryPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryPublisher.class);
    static final long PERIOD_MS = 1_000;

    private final DirectoryService directory;
    private final Supplier<HazelcastInstance> hazelcast;
    private final Supplier<String> nodeId;
    private final DirectorySnapshot snapshot = new DirectorySnapshot();
    private final ScheduledExecutorService ticker;
    /** The last directory object written (or found already there); touched by the ticker thread only. */
    private Directory published;

    @Activate
    public DirectoryPublisher(@Reference DirectoryService directory, @Reference ClusterMember member) {
        this(directory, member::instance, member::nodeId, true);
    }

    /**
     * A publisher on a given member (tests, a park core assembled without OSGi); {@code schedule = false} leaves the
     * calls to {@link #publishIfChanged} to the caller.
     */
    public DirectoryPublisher(DirectoryService directory, Supplier<HazelcastInstance> hazelcast, Supplier<String> nodeId,
            boolean schedule) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        if (schedule) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "callpark-directory-publisher");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(this::tick, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    @Deactivate
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    private void tick() {
        try {
            publishIfChanged();
        } catch (RuntimeException e) {
            LOG.warn("Publishing the directory to the cluster failed: {}", e.toString());
        }
    }

    /**
     * Writes the current directory unless it is the one last published or the cluster holds an equal one.
     *
     * @return {@code true} if the map was written
     */
    boolean publishIfChanged() {
        Directory current = directory.current();
        if (current == published) {
            return false;
        }
        IMap<String, HazelcastJsonValue> map;
        HazelcastJsonValue stored;
        HazelcastJsonValue authoritative;
        try {
            HazelcastInstance hz = hazelcast.get();
            map = hz.getMap(DirectorySnapshot.MAP);
            stored = map.get(DirectorySnapshot.KEY);
            authoritative = hz.<String, HazelcastJsonValue>getMap(DirectoryRevision.MAP).get(DirectoryRevision.KEY);
        } catch (HazelcastException e) {
            LOG.debug("Cluster not available to publish the directory: {}", e.getMessage());
            return false; // retried at the next tick
        }
        Map<String, String> properties = snapshot.properties(current);
        if (authoritative != null && behind(authoritative, properties)) {
            LOG.debug("This node's directory is not the cluster's yet; not published to {}", DirectorySnapshot.MAP);
            return false; // retried at the next tick
        }
        if (stored != null && sameProperties(stored, properties)) {
            published = current;
            return false;
        }
        try {
            map.set(DirectorySnapshot.KEY, snapshot.encode(current, nodeId.get()));
        } catch (HazelcastException e) {
            LOG.debug("Cluster not available to publish the directory: {}", e.getMessage());
            return false;
        }
        published = current;
        LOG.debug("Published the directory ({} tenants, {} users) to {}", current.tenants().size(),
                current.allUsers().size(), DirectorySnapshot.MAP);
        return true;
    }

    /** Whether the cluster holds a valid directory other than {@code properties} (this node is catching up). */
    private static boolean behind(HazelcastJsonValue authoritative, Map<String, String> properties) {
        try {
            DirectoryProperties.Checked cluster = DirectoryProperties
                    .check(DirectoryRevision.decode(authoritative).properties());
            return cluster.isValid() && !cluster.normalized().equals(properties);
        } catch (IllegalArgumentException unreadable) {
            return false; // nodes keep their own directory then, and so does the published one
        }
    }

    private boolean sameProperties(HazelcastJsonValue stored, Map<String, String> properties) {
        try {
            return snapshot.readProperties(stored).equals(properties);
        } catch (IllegalArgumentException unreadable) {
            return false; // overwrite what another version wrote
        }
    }
}
