package org.callpark.systests;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real call park server: a copy of the Karaf assembly ({@code -Dsystests.assembly}, default
 * {@code ../karaf-assembly/target/assembly}) in {@code target/server-<class>/}, with its own Karaf ports (SSH 48101,
 * HTTP 48181, RMI 48099/48444), SIP port, Hazelcast port 45701 and a cluster name of its own, RTP ports
 * 46000–46999, started as {@code bin/karaf server} with the {@code CALLPARK_*} environment overrides. Ready when SIP
 * answers an OPTIONS over UDP (at most 60 s). Stopped by the JVM pid in {@code karaf.pid} after the class (and by a
 * shutdown hook if the test JVM dies first).
 *
 * <p>Use as {@code @RegisterExtension static final AssemblyServer SERVER = new AssemblyServer();}.
 *
 * <p>With a network namespace ({@link #AssemblyServer(String, int, String)}) the server runs inside it
 * ({@code ip netns exec <ns> bin/karaf server}); the readiness probe ({@code socat} sending the OPTIONS) and
 * {@code bin/client} run there too, so the test JVM never needs an address of that namespace. The caller owns the
 * namespace (creates it before {@link #start}, deletes it after {@link #stop}).
 *
 * <p>Several servers on one machine as one Hazelcast cluster: {@link #clusterNode(int, String, int)} gives node
 * {@code i} its own ports (see there) and the shared cluster name and member list; {@link #startAll} starts such nodes
 * in parallel, {@link #kill9()} kills one without a shutdown (SIGKILL); {@link #startAgain()} starts a killed or
 * stopped server again on the same home (its {@code data/} kept: a restart, not a fresh node).
 */
public final class AssemblyServer implements BeforeAllCallback, AfterAllCallback {

    public static final int SSH_PORT = 48101;
    public static final int HTTP_PORT = 48181;
    public static final int RMI_REGISTRY_PORT = 48099;
    public static final int RMI_SERVER_PORT = 48444;
    public static final int HAZELCAST_PORT = 45701;
    public static final int RTP_MIN = 46000;
    public static final int RTP_MAX = 46999;

    private final String address;
    private final int sipPort;
    private final String netns;
    private int sshPort = SSH_PORT;
    private int httpPort = HTTP_PORT;
    private int rmiRegistryPort = RMI_REGISTRY_PORT;
    private int rmiServerPort = RMI_SERVER_PORT;
    private int hazelcastPort = HAZELCAST_PORT;
    private int rtpMin = RTP_MIN;
    private int rtpMax = RTP_MAX;
    private String clusterName = "systests-" + UUID.randomUUID();
    private String members = "";
    private Integer backupCount;
    private int nodeIndex = -1;
    private boolean killed;
    private long startTimeoutMillis = 60_000;
    private Path home;
    /** The home and name of the last start, for {@link #startAgain()} ({@link #stop()} forgets {@link #home}). */
    private Path lastHome;
    private String lastName;
    private Process wrapper;
    private long pid = -1;
    private Thread hook;
    private long startMillis;
    private final Map<String, String> etcFiles = new java.util.LinkedHashMap<>();
    private final Map<String, String> extraEnv = new java.util.LinkedHashMap<>();

    public AssemblyServer() {
        this("127.0.0.1", 45060);
    }

    /** A server bound (SIP and RTP) to {@code address}. */
    public AssemblyServer(String address, int sipPort) {
        this(address, sipPort, null);
    }

    /**
     * A server bound (SIP and RTP) to {@code address} inside the network namespace {@code netns} (null: the test
     * JVM's own namespace).
     */
    public AssemblyServer(String address, int sipPort, String netns) {
        this.address = address;
        this.sipPort = sipPort;
        this.netns = netns;
    }

    /** Hazelcast port of cluster node {@code i}: 45701 + i (node 0 has the single server's port). */
    public static int clusterHazelcastPort(int index) {
        return HAZELCAST_PORT + index;
    }

    /**
     * Node {@code index} (0-based) of an {@code nodes}-node cluster on 127.0.0.1, all nodes sharing {@code clusterName}
     * and the member list {@code 127.0.0.1:45701,127.0.0.1:45702,...}. Its own ports: SIP 45060 + 2i, Hazelcast
     * 45701 + i, SSH 48101 + 10i, HTTP 48181 + 10i, RMI 48099 + 10i / 48444 + 10i, RTP 46000 + 500i ... +499 (so up to
     * four nodes stay inside 46000–47999, clear of the Karaf ports). Node 0 uses the single server's ports (SSH, HTTP,
     * RMI, Hazelcast, SIP 45060, RTP from 46000): a cluster class must not run at the same time as another ST class,
     * like every ST class. Backup count: the shipped default unless {@link #backupCount(int)} is called. Ready when
     * SIP answers OPTIONS within 150 s (not 60 s: JVMs booting side by side on two cores are slow).
     */
    public static AssemblyServer clusterNode(int index, String clusterName, int nodes) {
        if (index < 0 || index >= nodes || nodes > 4) {
            throw new IllegalArgumentException("node " + index + " of " + nodes + " (at most 4 nodes)");
        }
        AssemblyServer s = new AssemblyServer("127.0.0.1", 45060 + 2 * index);
        s.nodeIndex = index;
        s.sshPort = SSH_PORT + 10 * index;
        s.httpPort = HTTP_PORT + 10 * index;
        s.rmiRegistryPort = RMI_REGISTRY_PORT + 10 * index;
        s.rmiServerPort = RMI_SERVER_PORT + 10 * index;
        s.hazelcastPort = clusterHazelcastPort(index);
        s.rtpMin = RTP_MIN + 500 * index;
        s.rtpMax = s.rtpMin + 499;
        s.clusterName = clusterName;
        s.startTimeoutMillis = 150_000; // several JVMs booting at once on two cores: ~55 s for three, more when busy
        s.members = IntStream.range(0, nodes).mapToObj(i -> "127.0.0.1:" + clusterHazelcastPort(i))
                .collect(Collectors.joining(","));
        return s;
    }

    /** {@code CALLPARK_CLUSTER_BACKUP_COUNT}: synchronous backups of each parked call. Call before {@link #start}. */
    public AssemblyServer backupCount(int n) {
        this.backupCount = n;
        return this;
    }

    /**
     * Starts {@code nodes} in parallel, node {@code i} as {@code <name>-node<i>} (its own {@code target/server-...}
     * directory). If one fails to start, every node is stopped and the first failure is thrown.
     */
    public static void startAll(String name, List<AssemblyServer> nodes) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                AssemblyServer n = nodes.get(i);
                String nodeName = name + "-node" + (n.nodeIndex >= 0 ? n.nodeIndex : i);
                started.add(pool.submit(() -> {
                    n.start(nodeName);
                    return null;
                }));
            }
            Exception first = null;
            for (Future<?> f : started) {
                try {
                    f.get(200, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    first = first != null ? first : (e.getCause() instanceof Exception x ? x : e);
                } catch (java.util.concurrent.TimeoutException e) {
                    first = first != null ? first : e;
                }
            }
            if (first != null) {
                stopAll(nodes);
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Stops (SIGTERM, then SIGKILL after 20 s) every node still running, in parallel. */
    public static void stopAll(List<AssemblyServer> nodes) {
        List<Thread> threads = new ArrayList<>();
        for (AssemblyServer n : nodes) {
            Thread t = new Thread(n::stop, "stop-" + n.sipPort);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes {@code etc/<name>} with {@code content} into the server's copy before Karaf starts (replacing the
     * shipped file), e.g. a directory with short recall timers. Call before {@link #start}.
     */
    public AssemblyServer etcFile(String name, String content) {
        etcFiles.put(name, content);
        return this;
    }

    /**
     * Sets ({@code value} non-null) or removes ({@code null}) one variable of the server's environment, applied after
     * the {@code CALLPARK_*} variables this class sets (so it can replace or drop them). Call before {@link #start}.
     */
    public AssemblyServer env(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    public String address() {
        return address;
    }

    public int sipPort() {
        return sipPort;
    }

    public String netns() {
        return netns;
    }

    public Path home() {
        return home;
    }

    public long startMillis() {
        return startMillis;
    }

    public int sshPort() {
        return sshPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public int hazelcastPort() {
        return hazelcastPort;
    }

    /** This node as Hazelcast (and {@code park:list}'s Node column) names it: {@code 127.0.0.1:45702}. */
    public String memberAddress() {
        return address + ":" + hazelcastPort;
    }

    public int rtpMin() {
        return rtpMin;
    }

    public int rtpMax() {
        return rtpMax;
    }

    public String clusterName() {
        return clusterName;
    }

    /** The Karaf JVM's pid (from {@code karaf.pid}), -1 before it is known or after a stop/kill. */
    public long pid() {
        readPid();
        return pid;
    }

    /** Whether the Karaf JVM of this server is running. */
    public boolean isRunning() {
        long p = pid();
        return p > 0 && ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start(context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    public void start(String name) throws Exception {
        Path source = Path.of(System.getProperty("systests.assembly", "../karaf-assembly/target/assembly"));
        if (!Files.isExecutable(source.resolve("bin/karaf"))) {
            throw new IllegalStateException("no assembly at " + source.toAbsolutePath()
                    + " (build it: mvn -o -q install -DskipTests)");
        }
        home = Path.of("target", "server-" + name).toAbsolutePath();
        exec(30, "rm", "-rf", home.toString());
        exec(60, "cp", "-a", source.toAbsolutePath().toString(), home.toString());
        exec(30, "rm", "-rf", home.resolve("data").toString(), home.resolve("karaf.pid").toString());
        Files.createDirectories(home.resolve("data"));
        edit("etc/org.apache.karaf.shell.cfg", "sshPort\\s*=.*", "sshPort = " + sshPort);
        edit("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port\\s*=.*",
                "org.osgi.service.http.port = " + httpPort);
        for (Map.Entry<String, String> e : etcFiles.entrySet()) {
            Files.writeString(home.resolve("etc").resolve(e.getKey()), e.getValue());
        }
        edit("etc/org.apache.karaf.management.cfg", "rmiRegistryPort\\s*=.*", "rmiRegistryPort = " + rmiRegistryPort);
        edit("etc/org.apache.karaf.management.cfg", "rmiServerPort\\s*=.*", "rmiServerPort = " + rmiServerPort);
        launch(name, false);
    }

    /**
     * Starts the same home again after {@link #kill9()} (or {@link #stop()}): {@code data/} (Karaf's bundle cache,
     * {@code data/callpark/sip-journal/}, the logs) and {@code etc/} are kept as they are, every port and the
     * {@code CALLPARK_*} environment are the same as at {@link #start}; {@code karaf.out} is appended to. Ready, as
     * at the first start, when SIP answers an OPTIONS.
     */
    public void startAgain() throws Exception {
        if (lastHome == null) {
            throw new IllegalStateException("startAgain() before start()");
        }
        if (isRunning()) {
            throw new IllegalStateException("still running (pid " + pid + "): kill9() or stop() it first");
        }
        removeHook();
        home = lastHome;
        Files.deleteIfExists(home.resolve("karaf.pid")); // the dead JVM's pid, else read as the new one
        launch(lastName, true);
    }

    private void launch(String name, boolean append) throws Exception {
        lastHome = home;
        lastName = name;
        ProcessBuilder pb = new ProcessBuilder(inNetns(home.resolve("bin/karaf").toString(), "server"))
                .directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(append
                        ? ProcessBuilder.Redirect.appendTo(home.resolve("karaf.out").toFile())
                        : ProcessBuilder.Redirect.to(home.resolve("karaf.out").toFile()));
        Map<String, String> env = pb.environment();
        env.put("CALLPARK_SIP_PORT", Integer.toString(sipPort));
        env.put("CALLPARK_SIP_BIND_ADDRESS", address);
        env.put("CALLPARK_SIP_ADVERTISED_ADDRESS", address);
        env.put("CALLPARK_CLUSTER_PORT", Integer.toString(hazelcastPort));
        env.put("CALLPARK_CLUSTER_PORT_AUTO_INCREMENT", "false");
        env.put("CALLPARK_CLUSTER_CLUSTER_NAME", clusterName);
        env.put("CALLPARK_CLUSTER_MEMBERS", members);
        env.put("CALLPARK_CLUSTER_BIND_ADDRESS", "127.0.0.1");
        if (backupCount != null) {
            env.put("CALLPARK_CLUSTER_BACKUP_COUNT", Integer.toString(backupCount));
        }
        env.put("CALLPARK_MEDIA_RTP_PORT_MIN", Integer.toString(rtpMin));
        env.put("CALLPARK_MEDIA_RTP_PORT_MAX", Integer.toString(rtpMax));
        env.put("CALLPARK_MEDIA_BIND_ADDRESS", address);
        extraEnv.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        long t0 = System.nanoTime();
        killed = false;
        pid = -1;
        wrapper = pb.start();
        hook = new Thread(this::stop, "stop-karaf-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
        awaitOptions(startTimeoutMillis);
        startMillis = (System.nanoTime() - t0) / 1_000_000;
        long webMillis = awaitWeb(t0, startTimeoutMillis);
        System.out.printf("[systests] %s: server up (SIP OPTIONS answered) after %d ms%s, home %s%n", name,
                startMillis, webMillis < 0 ? "" : ", web admin after " + webMillis + " ms", home);
    }

    /**
     * The web admin's servlets register on their own (Pax Web), independently of the SIP listener the OPTIONS probe
     * proves: a test that starts with HTTP must not find the page missing (one CI run got 404 for {@code /callpark/}
     * 4 ms after SIP answered). Waits until {@code /callpark/} is no longer 404; the time since the start, or -1 when
     * the server runs in a network namespace (its HTTP port is not reachable from here).
     */
    private long awaitWeb(long t0, long timeoutMillis) throws Exception {
        if (netns != null) {
            return -1;
        }
        // HTTP listens where the shipped org.ops4j.pax.web.cfg says: CALLPARK_BIND_ADDRESS, else 127.0.0.1
        String host = extraEnv.get("CALLPARK_BIND_ADDRESS") == null ? "127.0.0.1"
                : extraEnv.get("CALLPARK_BIND_ADDRESS");
        long deadline = t0 / 1_000_000 + timeoutMillis;
        while (System.nanoTime() / 1_000_000 < deadline) {
            try {
                java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create("http://" + host + ":"
                        + httpPort + "/callpark/").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                c.setInstanceFollowRedirects(false);
                int status = c.getResponseCode();
                c.disconnect();
                if (status != 404) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the web admin /callpark/ still 404 " + timeoutMillis + " ms after the start\n"
                + tail(home.resolve("karaf.out")));
    }

    /** {@code cmd}, prefixed with {@code ip netns exec <ns>} if this server runs in a namespace. */
    List<String> inNetns(String... cmd) {
        List<String> l = new ArrayList<>();
        if (netns != null) {
            l.addAll(List.of("ip", "netns", "exec", netns));
        }
        l.addAll(List.of(cmd));
        return l;
    }

    private void awaitOptions(long timeoutMillis) throws Exception {
        if (netns != null) {
            awaitOptionsInNetns(timeoutMillis);
            return;
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0))) {
            s.setSoTimeout(500);
            int n = 0;
            while (System.currentTimeMillis() < deadline) {
                readPid();
                if (!wrapper.isAlive() && (pid < 0 || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true))) {
                    throw new IllegalStateException("bin/karaf server exited with " + wrapper.exitValue() + "\n"
                            + tail(home.resolve("karaf.out")));
                }
                String callId = "systests-" + (++n) + "-" + System.nanoTime();
                String msg = "OPTIONS sip:" + address + ":" + sipPort + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP " + address + ":" + s.getLocalPort() + ";branch=z9hG4bK" + callId + "\r\n"
                        + "From: <sip:systests@" + address + ">;tag=" + n + "\r\n"
                        + "To: <sip:" + address + ":" + sipPort + ">\r\n"
                        + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                        + "Content-Length: 0\r\n\r\n";
                byte[] b = msg.getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(b, b.length, InetAddress.getByName(address), sipPort));
                try {
                    DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
                    s.receive(p);
                    String r = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                    if (r.startsWith("SIP/2.0 200") && r.contains(callId)) {
                        return;
                    }
                } catch (SocketTimeoutException e) {
                    // not yet
                }
            }
        }
        String out = tail(home.resolve("karaf.out")); // before stop(), which forgets home
        stop();
        throw new IllegalStateException("SIP OPTIONS not answered within " + timeoutMillis + " ms\n" + out);
    }

    /**
     * The same probe from inside the namespace: each attempt is one {@code socat} (fixed local port {@code sipPort -
     * 1}, named in the Via) that sends the OPTIONS and prints what comes back within a second.
     */
    private void awaitOptionsInNetns(long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int localPort = sipPort - 1;
        int n = 0;
        while (System.currentTimeMillis() < deadline) {
            readPid();
            if (!wrapper.isAlive() && (pid < 0 || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true))) {
                throw new IllegalStateException("bin/karaf server exited with " + wrapper.exitValue() + "\n"
                        + tail(home.resolve("karaf.out")));
            }
            String callId = "systests-" + (++n) + "-" + System.nanoTime();
            String msg = "OPTIONS sip:" + address + ":" + sipPort + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + address + ":" + localPort + ";branch=z9hG4bK" + callId + "\r\n"
                    + "From: <sip:systests@" + address + ">;tag=" + n + "\r\n"
                    + "To: <sip:" + address + ":" + sipPort + ">\r\n"
                    + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                    + "Content-Length: 0\r\n\r\n";
            long t = System.currentTimeMillis();
            Process p = new ProcessBuilder(inNetns("socat", "-t", "1", "-T", "2", "-",
                    "UDP:" + address + ":" + sipPort + ",bind=" + address + ":" + localPort))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(msg.getBytes(StandardCharsets.US_ASCII));
            }
            String r = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            if (r.startsWith("SIP/2.0 200") && r.contains(callId)) {
                return;
            }
            Thread.sleep(Math.max(0, 500 - (System.currentTimeMillis() - t))); // ICMP refusal ends socat at once
        }
        String out = tail(home.resolve("karaf.out")); // before stop(), which forgets home
        stop();
        throw new IllegalStateException("SIP OPTIONS (in namespace " + netns + ") not answered within "
                + timeoutMillis + " ms\n" + out);
    }

    private void readPid() {
        if (pid > 0 || home == null || killed) {
            return;
        }
        try {
            Path f = home.resolve("karaf.pid");
            if (Files.exists(f)) {
                String s = Files.readString(f).trim();
                if (!s.isEmpty()) {
                    pid = Long.parseLong(s);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // written later
        }
    }

    /** Runs one Karaf shell command through {@code bin/client} and returns its output. */
    public String shell(String command) throws IOException, InterruptedException {
        return shellAs("karaf", "karaf", command);
    }

    /** Runs one Karaf shell command through {@code bin/client} as {@code user} and returns its output. */
    public String shellAs(String user, String password, String command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(inNetns(home.resolve("bin/client").toString(), "-b", "-u", user,
                "-p", password, "-a", Integer.toString(sshPort), "-r", "10", "-d", "1")).directory(home.toFile())
                .redirectErrorStream(true);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("bin/client did not finish: " + command);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * Kills the Karaf JVM (pid from {@code karaf.pid}) with SIGKILL, as a crash would: no shutdown, no goodbye to the
     * cluster. Waits (at most 15 s) until the JVM and the {@code bin/karaf} wrapper have exited. The server's
     * directory stays (logs); a later {@link #stop()} does nothing.
     */
    public synchronized void kill9() throws InterruptedException {
        if (home == null || killed) {
            return;
        }
        readPid();
        if (pid <= 0) {
            throw new IllegalStateException("no karaf.pid in " + home);
        }
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h != null) {
            h.destroyForcibly(); // SIGKILL
            try {
                h.onExit().get(15, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Karaf JVM " + pid + " still alive 15 s after SIGKILL");
            }
        }
        if (wrapper != null && !wrapper.waitFor(10, TimeUnit.SECONDS)) {
            wrapper.destroyForcibly();
        }
        killed = true;
        pid = -1;
        removeHook();
    }

    /** The Karaf log ({@code data/log/karaf.log}), empty if there is none (yet). */
    public String karafLog() {
        if (home == null) {
            return "";
        }
        try {
            Path f = home.resolve("data/log/karaf.log");
            return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static final Pattern MEMBERS = Pattern.compile("Members \\{size:(\\d+),");

    /** The size in the last {@code Members {size:N, ...}} line Hazelcast logged, 0 if none yet. */
    public int loggedClusterSize() {
        Matcher m = MEMBERS.matcher(karafLog());
        int size = 0;
        while (m.find()) {
            size = Integer.parseInt(m.group(1));
        }
        return size;
    }

    /** Waits (bounded) until Hazelcast logged a member list of {@code size}; returns whether it did. */
    public boolean awaitClusterSize(int size, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (loggedClusterSize() == size) {
                return true;
            }
            Thread.sleep(200);
        }
        return loggedClusterSize() == size;
    }

    private void removeHook() {
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down
            }
        }
        hook = null;
    }

    public synchronized void stop() {
        if (home == null) {
            return;
        }
        if (killed) {
            home = null;
            return;
        }
        readPid();
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy(); // SIGTERM: Karaf shuts down
                try {
                    h.onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
        if (wrapper != null && wrapper.isAlive()) {
            try {
                wrapper.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            wrapper.destroy();
        }
        removeHook();
        pid = -1;
        home = null;
    }

    private void edit(String file, String regex, String replacement) throws IOException {
        Path f = home.resolve(file);
        String s = Files.readString(f);
        String t = s.replaceAll("(?m)^" + regex + "$", replacement);
        if (t.equals(s)) {
            t = s + "\n" + replacement + "\n";
        }
        Files.writeString(f, t);
    }

    static String tail(Path f) {
        try {
            List<String> lines = Files.readAllLines(f);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no " + f + ")";
        }
    }

    static void exec(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
