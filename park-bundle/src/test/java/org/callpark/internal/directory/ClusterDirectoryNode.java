package org.callpark.internal.directory;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.callpark.api.DirectoryService;
import org.callpark.internal.cluster.ClusterDirectory;
import org.callpark.internal.cluster.DirectoryPublisher;

import com.hazelcast.core.HazelcastInstance;

/**
 * The directory side of one Karaf node for tests of other packages (the SIP entry point): a ConfigAdmin that
 * delivers like Felix's (with an etc file, or none), the real {@link DirectoryServiceImpl}, the real
 * {@link ClusterDirectory} and the real {@link DirectoryPublisher} on a given Hazelcast member — so a test sees what
 * a node that typed a password, or one that adopted the cluster's directory, really holds and authenticates from.
 */
public final class ClusterDirectoryNode implements AutoCloseable {

    private final DeliveringConfigurationAdmin cm = new DeliveringConfigurationAdmin();
    private final DirectoryServiceImpl service;
    private final ClusterDirectory cluster;
    private final DirectoryPublisher publisher;

    /**
     * @param member the node's Hazelcast member
     * @param file   the node's etc file as FileInstall loaded it, {@code null} for none
     */
    public ClusterDirectoryNode(HazelcastInstance member, Map<String, ?> file) {
        if (file != null) {
            cm.loaded(file);
        }
        service = new DirectoryServiceImpl(cm, new DirectoryFakeSlotStore());
        service.activate(cm.componentProperties());
        cm.deliverTo(service::modified);
        cluster = new ClusterDirectory(cm, () -> member, Duration.ofMillis(500));
        cm.addListener(cluster);
        publisher = new DirectoryPublisher(service, () -> member, () -> member.getCluster().getLocalMember().getUuid()
                .toString(), true);
    }

    /** The demo directory of the directory tests (users passNNN), as an etc file. */
    public static Map<String, Object> demoFile() {
        return DirectoryFixtures.valid();
    }

    public DirectoryService service() {
        return service;
    }

    /** FileInstall: the etc file was edited (and the administrator typed {@code file}). */
    public void fileEdited(Map<String, ?> file) {
        cm.fileEdited(file);
    }

    /** The node's directory configuration (its etc file) without bookkeeping, sorted; {@code null} if none. */
    public Map<String, Object> configuration() {
        Map<String, Object> p = cm.directoryProperties();
        return p == null ? null : new TreeMap<>(p);
    }

    @Override
    public void close() {
        publisher.close();
        cluster.close();
        cm.close();
        service.deactivate();
    }
}
