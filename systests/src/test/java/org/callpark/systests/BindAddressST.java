package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one setting that opens the server (issue 14 R8): with {@code CALLPARK_BIND_ADDRESS=127.0.0.2} (another
 * loopback address, so the test stays on loopback) and none of the per-listener variables, HTTP, SSH, SIP (UDP and
 * TCP) and RTP bind to 127.0.0.2; JMX/RMI and Karaf's shutdown port stay on 127.0.0.1.
 * <p>
 * Hazelcast follows the same setting (its shipped {@code bindAddress} is {@code ${env:CALLPARK_BIND_ADDRESS:-...}}
 * too), but it accepts only an address assigned to an interface, and 127.0.0.2 is merely routed to {@code lo}, not
 * assigned (assigning it would change the host's network): so here the cluster keeps its own override
 * {@code CALLPARK_CLUSTER_BIND_ADDRESS=127.0.0.1}, which also shows that a per-listener variable wins.
 */
class BindAddressST {

    static final String OPEN = "127.0.0.2";

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer(OPEN, 45060)
            .env("CALLPARK_BIND_ADDRESS", OPEN)
            .env("CALLPARK_SIP_BIND_ADDRESS", null)
            .env("CALLPARK_SIP_ADVERTISED_ADDRESS", null)
            .env("CALLPARK_MEDIA_BIND_ADDRESS", null)
            .env("CALLPARK_CLUSTER_BIND_ADDRESS", "127.0.0.1");

    @Test
    void everyListenerFollowsTheOneSetting() throws Exception {
        List<Listeners.Socket> sockets = Listeners.of(SERVER.pid());
        System.out.println("[systests] listening sockets of the Karaf JVM (CALLPARK_BIND_ADDRESS=" + OPEN + "): "
                + sockets);
        InetAddress open = InetAddress.getByName(OPEN);
        for (int port : new int[] { AssemblyServer.HTTP_PORT, AssemblyServer.SSH_PORT, SERVER.sipPort() }) {
            assertTrue(sockets.stream().anyMatch(s -> s.protocol().equals("tcp") && s.port() == port
                    && s.address().equals(open)), "TCP " + port + " not on " + OPEN + ": " + sockets);
        }
        assertTrue(sockets.stream().anyMatch(s -> s.protocol().equals("udp") && s.port() == SERVER.sipPort()
                && s.address().equals(open)), "SIP UDP not on " + OPEN + ": " + sockets);
        Set<Integer> loopbackOnly = Set.of(AssemblyServer.RMI_REGISTRY_PORT, AssemblyServer.RMI_SERVER_PORT,
                AssemblyServer.HAZELCAST_PORT, shutdownPort());
        for (Listeners.Socket s : sockets) {
            if (loopbackOnly.contains(s.port())) {
                assertEquals("127.0.0.1", s.address().getHostAddress(), s + " should stay on loopback");
            } else {
                assertEquals(open, s.address(), s + " does not follow CALLPARK_BIND_ADDRESS");
            }
        }
        try (Socket web = new Socket()) {
            web.connect(new InetSocketAddress(OPEN, AssemblyServer.HTTP_PORT), 5000);
        }
        assertThrows(IOException.class, () -> {
            try (Socket web = new Socket()) {
                web.connect(new InetSocketAddress("127.0.0.1", AssemblyServer.HTTP_PORT), 5000);
            }
        }, "HTTP still on 127.0.0.1");
    }

    /** Karaf's shutdown port (random, on localhost), written to {@code data/port}; -1 if none. */
    private static int shutdownPort() throws IOException {
        java.nio.file.Path f = SERVER.home().resolve("data/port");
        return java.nio.file.Files.exists(f) ? Integer.parseInt(java.nio.file.Files.readString(f).trim()) : -1;
    }
}
