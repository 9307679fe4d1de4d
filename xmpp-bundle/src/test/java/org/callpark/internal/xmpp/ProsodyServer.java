package org.callpark.internal.xmpp;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prosody (Debian {@code prosody}) for tests: a generated config in {@code target/prosody-<name>/}, loopback
 * only, plain c2s on one port (no TLS), the park component's port with its secret, users registered with
 * {@code prosodyctl register} before start. Stopped (SIGTERM, then SIGKILL) by its pid in {@link #close()}.
 */
public final class ProsodyServer implements AutoCloseable {

    private static final String BINARY = "/usr/bin/prosody";
    private static final String CTL = "/usr/bin/prosodyctl";

    private final Path dir;
    private final Path config;
    private final int c2sPort;
    private final int componentPort;
    private final List<String[]> users = new ArrayList<>();
    private Process process;

    /** Fails with {@code CI=true} if prosody is not installed, else skips the test. */
    public static void requireProsody() {
        boolean present = new File(BINARY).canExecute() && new File(CTL).canExecute();
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(BINARY + " is missing (apt-get install prosody); CI=true, so this is a failure");
        }
        Assumptions.assumeTrue(present, BINARY + " is missing (apt-get install prosody): XMPP tests skipped");
    }

    /**
     * @param name            the directory name under target/
     * @param c2sPort         client port (127.0.0.1)
     * @param componentPort   external component port (127.0.0.1)
     * @param componentDomain e.g. {@code park.example.com}
     * @param secret          the component secret
     * @param hosts           the virtual hosts, e.g. {@code example.com}, {@code acme.test}
     */
    public ProsodyServer(String name, int c2sPort, int componentPort, String componentDomain, String secret,
            List<String> hosts) throws IOException {
        requireProsody();
        this.dir = Path.of("target", "prosody-" + name).toAbsolutePath();
        this.c2sPort = c2sPort;
        this.componentPort = componentPort;
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("certs"));
        StringBuilder cfg = new StringBuilder();
        cfg.append("run_as_root = true\n")
                .append("daemonize = false\n")
                .append("pidfile = \"").append(dir.resolve("prosody.pid")).append("\"\n")
                .append("data_path = \"").append(dir.resolve("data")).append("\"\n")
                .append("certificates = \"").append(dir.resolve("certs")).append("\"\n")
                .append("interfaces = { \"127.0.0.1\" }\n")
                .append("c2s_ports = { ").append(c2sPort).append(" }\n")
                .append("component_ports = { ").append(componentPort).append(" }\n")
                .append("component_interface = \"127.0.0.1\"\n")
                .append("s2s_ports = { }\nhttp_ports = { }\nhttps_ports = { }\nc2s_direct_tls_ports = { }\n")
                .append("modules_enabled = { \"roster\", \"saslauth\", \"disco\", \"ping\", \"presence\" }\n")
                .append("modules_disabled = { \"s2s\", \"tls\", \"offline\", \"c2s_direct_tls\" }\n")
                .append("c2s_require_encryption = false\n")
                .append("allow_unencrypted_plain_auth = true\n")
                .append("authentication = \"internal_plain\"\n")
                .append("storage = \"internal\"\n")
                .append("log = { debug = \"").append(dir.resolve("prosody.log")).append("\" }\n");
        for (String host : hosts) {
            cfg.append("VirtualHost \"").append(host).append("\"\n");
        }
        cfg.append("Component \"").append(componentDomain).append("\"\n")
                .append("  component_secret = \"").append(secret).append("\"\n");
        this.config = dir.resolve("prosody.cfg.lua");
        Files.writeString(config, cfg.toString(), StandardCharsets.UTF_8);
    }

    /** Registers a user (before {@link #start()}). */
    public ProsodyServer register(String user, String host, String password) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(CTL, "--config", config.toString(), "register", user, host, password)
                .redirectErrorStream(true).redirectOutput(dir.resolve("register.log").toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("prosodyctl register " + user + "@" + host + " failed, see "
                    + dir.resolve("register.log"));
        }
        users.add(new String[] {user, host, password});
        return this;
    }

    /** Starts prosody and waits until both ports accept connections. */
    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(BINARY, "-F", "--config", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("prosody.out").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(accepts(c2sPort) && accepts(componentPort))) {
            if (!process.isAlive()) {
                throw new IOException("prosody exited with " + process.exitValue() + ", see " + dir);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("prosody did not open ports " + c2sPort + "/" + componentPort + ", see " + dir);
            }
            Thread.sleep(50);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int c2sPort() {
        return c2sPort;
    }

    public int componentPort() {
        return componentPort;
    }

    public Path dir() {
        return dir;
    }

    /** Stops prosody by its pid: SIGTERM, SIGKILL after 5 s. */
    @Override
    public synchronized void close() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
