package org.callpark.internal;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import org.callpark.internal.cluster.MemberConfigFactory;
import org.callpark.internal.cluster.MemberSettings;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/** Real Hazelcast members and free loopback ports for tests that run several cluster nodes in one JVM. */
public final class TestCluster {

    private TestCluster() {
    }

    /** A member of {@code cluster} on loopback {@code port}, joining {@code members} by TCP (no multicast). */
    public static HazelcastInstance member(String cluster, List<String> members, int port) {
        Config config = MemberConfigFactory.build(new MemberSettings(cluster, members, port, false, "127.0.0.1", 1));
        config.setInstanceName(cluster + "-" + port);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        return Hazelcast.newHazelcastInstance(config);
    }

    /** The first even port from {@code from} free for both TCP and UDP on loopback. */
    public static int freePort(int from) throws IOException {
        for (int p = from; p < from + 400; p += 2) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket u = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException e) {
                // next
            }
        }
        throw new IOException("no free port from " + from);
    }
}
