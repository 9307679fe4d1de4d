package org.callpark.internal.sip;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code /usr/bin/sipp} with a scenario from {@code src/test/resources/sipp/} against the server:
 * {@code -nostdin -timeout Ns -timeout_error -m 1 -mp <own media port> -i 127.0.0.1 -p <own port>}, its own free
 * ports, logs and message trace under {@code target/sipp/<name>/}. Without sipp the test is skipped, unless
 * {@code CI=true}: then it fails.
 */
final class Sipp {

    static final String BINARY = "/usr/bin/sipp";
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(26000 + (int) (ProcessHandle.current().pid()
            % 50) * 40);

    private final String scenario;
    private final int serverPort;
    private final List<String> extra = new ArrayList<>();
    private final Map<String, String> keys = new LinkedHashMap<>();
    private String service = "park";
    private String transport = "u1";
    private int localPort;
    private IntSupplier ports = Sipp::freeUdpPort;
    private int calls = 1;
    private int timeoutSeconds = 20;
    private String name;
    private Process process;
    private Path dir;
    private long startedNanos;
    private long elapsedMillis;

    private Sipp(String scenario, int serverPort) {
        this.scenario = scenario;
        this.serverPort = serverPort;
        this.name = scenario;
    }

    static Sipp scenario(String scenario, int serverPort) {
        requireSipp();
        return new Sipp(scenario, serverPort);
    }

    static void requireSipp() {
        boolean present = new File(BINARY).canExecute();
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(BINARY + " is missing (apt-get install sip-tester); CI=true, so this is a failure");
        }
        Assumptions.assumeTrue(present, BINARY + " is missing (apt-get install sip-tester): sipp tests skipped");
    }

    /** The Request-URI user ({@code -s}). */
    Sipp service(String service) {
        this.service = service;
        return this;
    }

    /** Credentials for {@code [authentication]} ({@code -au}/{@code -ap}). */
    Sipp auth(String user, String password) {
        extra.add("-au");
        extra.add(user);
        extra.add("-ap");
        extra.add(password);
        return this;
    }

    /** A scenario keyword {@code [name]} ({@code -key}). */
    Sipp key(String key, String value) {
        keys.put(key, value);
        return this;
    }

    /** The default {@code <pause/>} in ms ({@code -d}). */
    Sipp pause(int millis) {
        extra.add("-d");
        extra.add(Integer.toString(millis));
        return this;
    }

    /**
     * Own ports ({@code -mp}, and {@code -p} unless {@link #localPort} fixed it) from {@code ports} instead of the
     * shared 26000–29990 counter: for a class that runs concurrently with the others, whose ports must come from a
     * range no other class of the module probes (see {@link #freeUdpPort(AtomicInteger, int, int)}).
     */
    Sipp ports(IntSupplier ports) {
        this.ports = ports;
        return this;
    }

    /** A fixed local SIP port ({@code -p}) instead of a free one, e.g. a UAS whose binding the test registers. */
    Sipp localPort(int port) {
        this.localPort = port;
        return this;
    }

    Sipp tcp() {
        transport = "t1";
        return this;
    }

    Sipp name(String name) {
        this.name = name;
        return this;
    }

    /** Several calls at {@code rate} per second, response times traced to a CSV ({@code -trace_rtt}). */
    Sipp load(int calls, int rate) {
        this.calls = calls;
        extra.add("-r");
        extra.add(Integer.toString(rate));
        extra.add("-trace_rtt");
        extra.add("-rtt_freq");
        extra.add("1");
        return this;
    }

    /** How many calls before sipp exits ({@code -m}); a UAS that must take exactly N INVITEs. */
    Sipp calls(int calls) {
        this.calls = calls;
        return this;
    }

    Sipp timeout(int seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    Sipp start() throws IOException {
        dir = Path.of("target", "sipp", name + "-" + System.nanoTime());
        Files.createDirectories(dir);
        // Copied out of the class path: from another module's tests the scenarios are inside this module's test-jar.
        Path file = dir.resolve(scenario + ".xml");
        try (java.io.InputStream in = Sipp.class.getResourceAsStream("/sipp/" + scenario + ".xml")) {
            if (in == null) {
                throw new IOException("no scenario " + scenario);
            }
            Files.copy(in, file);
        }
        List<String> cmd = new ArrayList<>(List.of(BINARY, "127.0.0.1:" + serverPort, "-sf", file.toAbsolutePath()
                .toString(), "-nostdin", "-timeout", timeoutSeconds + "s", "-timeout_error", "-m",
                Integer.toString(calls), "-mp", Integer.toString(ports.getAsInt()), "-i", "127.0.0.1", "-p",
                Integer.toString(localPort > 0 ? localPort : ports.getAsInt()), "-s", service, "-t", transport, "-trace_err", "-error_file",
                dir.resolve("errors.log").toAbsolutePath().toString(), "-trace_msg", "-message_file",
                dir.resolve("messages.log").toAbsolutePath().toString()));
        cmd.addAll(extra);
        if (extra.contains("-au")) {
            // sipp's digest uri is "sip:<server ip:port>" unless told; the server wants the Request-URI (RFC 2617)
            String domain = keys.getOrDefault("domain", "127.0.0.1");
            cmd.add("-auth_uri");
            cmd.add(scenario.startsWith("register") ? domain : service + "@" + domain + ":" + serverPort);
        }
        keys.forEach((k, v) -> {
            cmd.add("-key");
            cmd.add(k);
            cmd.add(v);
        });
        startedNanos = System.nanoTime();
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        return this;
    }

    /** Waits for sipp and returns its exit code (0: every call succeeded). */
    int await() throws IOException, InterruptedException {
        if (!process.waitFor(timeoutSeconds + 15L, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        elapsedMillis = (System.nanoTime() - startedNanos) / 1_000_000;
        return process.exitValue();
    }

    /** Runs to the end and asserts success, with sipp's error log in the message otherwise. */
    long run() throws IOException, InterruptedException {
        if (process == null) {
            start();
        }
        int code = await();
        Assertions.assertEquals(0, code, () -> "sipp " + name + " exit code " + code + "\n" + diagnostics());
        return elapsedMillis;
    }

    String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("stdout.log", "errors.log", "messages.log")) { // stdout: "cannot bind" and the like
            try {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    String s = Files.readString(p);
                    b.append("--- ").append(f).append('\n').append(s.length() > 6000 ? s.substring(s.length()
                            - 6000) : s).append('\n');
                }
            } catch (IOException e) {
                b.append(e);
            }
        }
        return b.toString();
    }

    /** sipp's message trace so far ({@code -trace_msg}). */
    String messages() throws IOException {
        Path p = dir.resolve("messages.log");
        return Files.exists(p) ? Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
    }

    /** A message sipp received: when (its trace's wall clock) and its first line. */
    record Received(java.time.LocalDateTime at, String firstLine, String callId) {
    }

    /**
     * The requests of {@code method} sipp received, retransmissions (same Call-ID, first line and CSeq) left out.
     */
    List<Received> received(String method) throws IOException {
        List<Received> result = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        Path p = dir.resolve("messages.log");
        if (!Files.exists(p)) {
            return result;
        }
        List<String> lines = Files.readAllLines(p, java.nio.charset.StandardCharsets.ISO_8859_1);
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern(
                "yyyy-MM-dd HH:mm:ss.SSSSSS");
        for (int i = 0; i + 3 < lines.size(); i++) {
            String l = lines.get(i);
            if (!l.startsWith("-----") || !lines.get(i + 1).contains("received")) {
                continue;
            }
            String first = lines.get(i + 3).trim();
            if (!first.startsWith(method + " ")) {
                continue;
            }
            String callId = "";
            String cseq = "";
            for (int j = i + 4; j < lines.size() && !lines.get(j).isBlank(); j++) {
                if (lines.get(j).regionMatches(true, 0, "Call-ID:", 0, 8)) {
                    callId = lines.get(j).substring(8).trim();
                } else if (lines.get(j).regionMatches(true, 0, "CSeq:", 0, 5)) {
                    cseq = lines.get(j).substring(5).trim();
                }
            }
            String key = callId + "|" + first + "|" + cseq;
            if (seen.add(key)) {
                String stamp = l.replaceAll("^-+\\s*", "").trim();
                result.add(new Received(java.time.LocalDateTime.parse(stamp, f), first, callId));
            }
        }
        return result;
    }

    /** The response times (ms) of a {@link #load} run, from sipp's rtt CSV. */
    List<Double> responseTimes() throws IOException {
        List<Double> times = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith("_rtt.csv")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    String[] cols = line.split(";");
                    if (cols.length >= 3 && cols[0].matches("[0-9.]+")) {
                        times.add(Double.parseDouble(cols[1])); // Date_ms;response_time_ms;rtd_no
                    }
                }
            }
        }
        return times;
    }

    static int freeUdpPort() {
        return freeUdpPort(NEXT_PORT, 26000, 29990);
    }

    /**
     * A port for a UAS (a sipp with {@link #localPort}, or a socket) that the test binds later, after it has started
     * other sipps: from the counter that gives every sipp its own ports, so none of them can be handed this one in
     * between. A port probed free by a separate counter could be (the CI run of 0ca6eb2: a phone's {@code -mp} block
     * covered the parked caller's port, and the caller's sipp could not bind it).
     */
    static int freeUasPort() {
        return freeUdpPort();
    }

    /** The next port from {@code next} (wrapping from {@code max} to {@code min}) free for sipp: 4 UDP ports, 1 TCP. */
    static int freeUdpPort(AtomicInteger next, int min, int max) {
        for (int i = 0; i < 2000; i++) {
            int port = next.getAndAdd(4);
            if (port > max) {
                next.set(min);
                continue;
            }
            try (DatagramSocket u = new DatagramSocket(port, InetAddress.getLoopbackAddress());
                    DatagramSocket u2 = new DatagramSocket(port + 1, InetAddress.getLoopbackAddress());
                    // sipp also binds port + 2 and + 3 (video RTP/RTCP) and fails the call when they are taken
                    DatagramSocket u3 = new DatagramSocket(port + 2, InetAddress.getLoopbackAddress());
                    DatagramSocket u4 = new DatagramSocket(port + 3, InetAddress.getLoopbackAddress());
                    ServerSocket t = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken, next
            }
        }
        throw new IllegalStateException("no free port in " + min + "-" + max);
    }
}
