package org.callpark.openfire.node;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.callpark.api.CallParkService;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException.Violation;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.TenantId;
import org.callpark.internal.CallParkServiceImpl;
import org.callpark.internal.cluster.DirectoryPublisher;
import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;
import org.callpark.spi.json.DirectoryParser;
import org.callpark.internal.store.HazelcastSlotStore;
import org.callpark.openfire.ParkNodeControl;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * What a Karaf park node puts into the cluster, without Karaf: a Hazelcast member configured like the nodes
 * ({@link MemberConfigFactory}), the real {@link CallParkServiceImpl} on the {@link HazelcastSlotStore}, the shipped
 * demo directory (etc/org.callpark.directory.cfg) and the {@link DirectoryPublisher}. Loaded by
 * {@code IsolatedNodeLoader}.
 */
public final class ParkNode implements ParkNodeControl {

    private final HazelcastInstance member;
    private final HazelcastSlotStore store;
    private final DirectoryPublisher publisher;
    private final CallParkService service;

    public ParkNode(String clusterName, int port, Path directoryCfg) throws IOException {
        Directory directory = read(directoryCfg);
        Config config = MemberConfigFactory.build(
                new MemberSettings(clusterName, List.of("127.0.0.1:" + port), port, false, "127.0.0.1", 0));
        config.setClassLoader(ParkNode.class.getClassLoader());
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        member = Hazelcast.newHazelcastInstance(config);
        String nodeId = member.getCluster().getLocalMember().getUuid().toString();
        store = new HazelcastSlotStore(member, nodeId);
        DirectoryService directoryService = new DirectoryService() {
            @Override
            public Directory current() {
                return directory;
            }

            @Override
            public List<Violation> validate(Directory candidate) {
                return List.of();
            }

            @Override
            public void update(Directory candidate) {
                throw new UnsupportedOperationException("fixed directory");
            }
        };
        service = new CallParkServiceImpl(directoryService, store);
        publisher = new DirectoryPublisher(directoryService, () -> member, () -> nodeId, true);
    }

    private static Directory read(Path cfg) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(cfg, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, Object> properties = new HashMap<>();
        p.stringPropertyNames().forEach(k -> properties.put(k, p.getProperty(k)));
        DirectoryParser.Result parsed = new DirectoryParser().parse(properties);
        if (!parsed.isValid()) {
            throw new IllegalStateException("invalid directory " + cfg + ": " + parsed.violations());
        }
        return parsed.model().toDirectory();
    }

    @Override
    public String park(String slot, String callerNumber, String callerName, String parker) throws Exception {
        return service.park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension(slot), parker,
                CallerId.of(callerNumber, callerName), "leg-" + System.nanoTime())).id();
    }

    @Override
    public String retrieve(String requester, String slot) throws Exception {
        return service.retrieve(new RetrieveRequest(TenantId.DEFAULT, requester, RetrieveTarget.extension(slot))).id();
    }

    @Override
    public int connectedClients() {
        return member.getClientService().getConnectedClients().size();
    }

    @Override
    public void close() {
        publisher.close();
        store.close();
        member.shutdown();
    }
}
