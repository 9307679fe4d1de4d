package org.callpark.systests;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assertions;

/**
 * One {@code /usr/bin/sipp} run against the server, from a scenario template in {@code src/test/resources/sipp/}:
 * {@code ${NAME}} placeholders are filled in from Java ({@link #set}) before sipp sees the file (so headers, SDP
 * ports, expected codes and regexps can differ per call); {@code [keyword]}s are sipp's own. Each run has its own
 * SIP and media port, logs (errors, messages with timestamps, {@code <log>} actions) in {@code target/sipp/<name>/}.
 */
public final class Sipp {

    public static final String BINARY = "/usr/bin/sipp";
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(43000);

    private final String scenario;
    private final String server;
    private final Map<String, String> vars = new LinkedHashMap<>();
    private final List<String> extra = new ArrayList<>();
    private String service = "park";
    private int timeoutSeconds = 30;
    private int localPort;
    private int calls = 1;
    private String name;
    private Process process;
    private Path dir;
    private long startedNanos;

    private Sipp(String scenario, AssemblyServer server) {
        this.scenario = scenario;
        this.server = server.address() + ":" + server.sipPort();
        this.name = scenario;
        vars.put("DOMAIN", server.address());
        vars.put("EXTRA_HEADERS", "X-Systests: 1");
        vars.put("PAI_CHECK", "false");
        vars.put("FROM_NAME", "sipp");
        vars.put("FROM_USER", "sipp");
        vars.put("HOLD_MS", "3000");
        vars.put("MEDIA_IP", "127.0.0.1");
        vars.put("RTP_PORT", "[media_port]");
        vars.put("CODECS", "0 101\n      a=rtpmap:0 PCMU/8000\n      a=rtpmap:101 telephone-event/8000");
        vars.put("PAI_REGEX", ".*");
        vars.put("EXPECT", "403");
        vars.put("LOCAL_IP", "[local_ip]");
        vars.put("CONTACT_PORT", "[local_port]");
    }

    public static Sipp scenario(String scenario, AssemblyServer server) {
        Peers.require(BINARY, "sip-tester");
        return new Sipp(scenario, server);
    }

    public Sipp service(String s) {
        this.service = s;
        return this;
    }

    public Sipp name(String n) {
        this.name = n;
        return this;
    }

    public String name() {
        return name;
    }

    public Sipp set(String var, Object value) {
        vars.put(var, String.valueOf(value));
        return this;
    }

    /** The caller identity of the From header: display name and user. */
    public Sipp from(String displayName, String user) {
        return set("FROM_NAME", displayName).set("FROM_USER", user);
    }

    public Sipp referredBy(String user) {
        return header("Referred-By: <sip:" + user + "@" + vars.get("DOMAIN") + ">");
    }

    public Sipp header(String line) {
        String h = vars.get("EXTRA_HEADERS");
        return set("EXTRA_HEADERS", h.isEmpty() ? line : h + "\n      " + line);
    }

    /** The SDP offer: a Java-owned RTP port and one codec ({@code PCMU}, {@code PCMA}, {@code opus}). */
    public Sipp media(int rtpPort, String codec) {
        String codecs = switch (codec) {
            case "PCMU" -> "0 101\n      a=rtpmap:0 PCMU/8000";
            case "PCMA" -> "8 101\n      a=rtpmap:8 PCMA/8000";
            case "opus" -> "111 101\n      a=rtpmap:111 opus/48000/2\n      a=fmtp:111 useinbandfec=1";
            default -> throw new IllegalArgumentException(codec);
        };
        return set("RTP_PORT", rtpPort).set("CODECS", codecs + "\n      a=rtpmap:101 telephone-event/8000\n"
                + "      a=fmtp:101 0-16");
    }

    public Sipp auth(String user, String password) {
        extra.addAll(List.of("-au", user, "-ap", password));
        return this;
    }

    /** Further sipp command-line arguments, e.g. {@code -inf <csv>} (an injection file), {@code -r 20} (calls/s). */
    public Sipp args(String... args) {
        extra.addAll(List.of(args));
        return this;
    }

    /** A fixed local SIP port ({@code -p}), e.g. the port of a registered Contact; default: a free one. */
    public Sipp localPort(int port) {
        this.localPort = port;
        return this;
    }

    /** How many calls before sipp exits ({@code -m}, default 1); a UAS that must take exactly N INVITEs. */
    public Sipp calls(int n) {
        this.calls = n;
        return this;
    }

    public Sipp timeout(int seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    public Sipp start() throws IOException {
        dir = Path.of("target", "sipp", name + "-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir);
        String template;
        try (InputStream in = Sipp.class.getResourceAsStream("/sipp/" + scenario + ".xml")) {
            if (in == null) {
                throw new IOException("no scenario " + scenario);
            }
            template = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        for (int pass = 0; pass < 2; pass++) { // CODECS may contain RTP_PORT-free text only; two passes are enough
            for (Map.Entry<String, String> e : vars.entrySet()) {
                template = template.replace("${" + e.getKey() + "}", e.getValue());
            }
        }
        Path file = dir.resolve(scenario + ".xml");
        Files.writeString(file, template, StandardCharsets.ISO_8859_1);
        List<String> cmd = new ArrayList<>(List.of(BINARY, server, "-sf", file.toString(), "-nostdin", "-timeout",
                timeoutSeconds + "s", "-timeout_error", "-m", Integer.toString(calls), "-mp", Integer.toString(freeUdpPort()),
                "-i", localIp(), "-p", Integer.toString(localPort > 0 ? localPort : freeUdpPort()), "-s", service, "-t", "u1", "-trace_err",
                "-error_file", dir.resolve("errors.log").toString(), "-trace_msg", "-message_file",
                dir.resolve("messages.log").toString(), "-trace_logs", "-log_file", dir.resolve("logs.log")
                        .toString()));
        cmd.addAll(extra);
        if (extra.contains("-au")) {
            // sipp's digest uri is "sip:<server ip:port>" unless told; the server wants the Request-URI (RFC 2617)
            String domain = vars.get("DOMAIN");
            cmd.add("-auth_uri");
            cmd.add(scenario.startsWith("register") ? domain : service + "@" + domain + server.substring(
                    server.lastIndexOf(':')));
        }
        startedNanos = System.nanoTime();
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        return this;
    }

    private String localIp() {
        return server.substring(0, server.lastIndexOf(':'));
    }

    public long startedNanos() {
        return startedNanos;
    }

    /** Waits for sipp (bounded) and returns its exit code (0: the call went as scripted). */
    public int await() throws InterruptedException {
        if (!process.waitFor(timeoutSeconds + 15L, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** Starts (if needed), waits and asserts that the scenario succeeded. */
    public Sipp run() throws IOException, InterruptedException {
        if (process == null) {
            start();
        }
        assertSucceeded();
        return this;
    }

    public Sipp assertSucceeded() throws InterruptedException {
        int code = await();
        Assertions.assertEquals(0, code, () -> "sipp " + name + " exit code " + code + "\n" + diagnostics());
        return this;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** The lines written by the scenario's {@code <log message=…/>} actions. */
    public List<String> logLines() throws IOException {
        Path p = dir.resolve("logs.log");
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }

    public String messages() throws IOException {
        Path p = dir.resolve("messages.log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /** A request sipp received: when (epoch µs, from its message trace) and its first line and Call-ID. */
    public record Received(long epochMicros, String firstLine, String callId, String message) {
    }

    private static final Pattern TRACE_ENTRY = Pattern.compile(
            "-+ (\\d{4}-\\d{2}-\\d{2}\\s+\\d{2}:\\d{2}:\\d{2}\\.\\d+)\\s*\\R\\s*UDP message received[^\\n]*\\R"
                    + "(.*?)(?=\\R-+ \\d{4}-|\\z)", Pattern.DOTALL);

    /** The requests of {@code method} sipp received, in order, retransmissions (same Call-ID, same first line) left out. */
    public List<Received> received(String method) throws IOException {
        List<Received> out = new ArrayList<>();
        Matcher m = TRACE_ENTRY.matcher(messages());
        while (m.find()) {
            String msg = m.group(2).strip();
            String first = msg.lines().findFirst().orElse("").trim();
            if (!first.startsWith(method + " ")) {
                continue;
            }
            String callId = msg.lines().map(String::trim).filter(l -> l.regionMatches(true, 0, "Call-ID:", 0, 8))
                    .map(l -> l.substring(8).trim()).findFirst().orElse("");
            if (out.stream().anyMatch(r -> r.callId().equals(callId) && r.firstLine().equals(first))) {
                continue;
            }
            out.add(new Received(traceMicros(m.group(1)), first, callId, msg));
        }
        return out;
    }

    /**
     * Like {@link #received}, but requests of one call that differ only in their CSeq (e.g. two re-INVITEs of one
     * dialog, same Request-URI) are kept apart; retransmissions (same Call-ID and CSeq) are left out.
     */
    public List<Received> receivedByCseq(String method) throws IOException {
        List<Received> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        Matcher m = TRACE_ENTRY.matcher(messages());
        while (m.find()) {
            String msg = m.group(2).strip();
            String first = msg.lines().findFirst().orElse("").trim();
            if (!first.startsWith(method + " ")) {
                continue;
            }
            String callId = header(msg, "Call-ID");
            if (seen.add(callId + "\n" + header(msg, "CSeq"))) {
                out.add(new Received(traceMicros(m.group(1)), first, callId, msg));
            }
        }
        return out;
    }

    private static String header(String msg, String name) {
        return msg.lines().map(String::trim).filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse("");
    }

    private static long traceMicros(String stamp) {
        String ts = stamp.replaceAll("\\s+", " ");
        String[] parts = ts.split("\\.");
        LocalDateTime t = LocalDateTime.parse(parts[0], DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        return t.atZone(ZoneId.systemDefault()).toEpochSecond() * 1_000_000L
                + Long.parseLong((parts[1] + "000000").substring(0, 6));
    }

    private static final Pattern SENT = Pattern.compile(
            "-+ (\\d{4}-\\d{2}-\\d{2}\\t?\\s*\\d{2}:\\d{2}:\\d{2}\\.\\d+)\\s*\\R\\s*UDP message sent[^\\n]*\\R\\s*\\R?\\s*INVITE ");

    /** Wall-clock time (epoch µs) at which sipp logged sending its first INVITE, from the message trace. */
    public long firstInviteSentMicros() throws IOException {
        Matcher m = SENT.matcher(messages());
        if (!m.find()) {
            throw new AssertionError("no INVITE in sipp's message trace:\n" + messages());
        }
        String ts = m.group(1).replaceAll("\\s+", " ");
        String[] parts = ts.split("\\.");
        LocalDateTime t = LocalDateTime.parse(parts[0], DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        long micros = t.atZone(ZoneId.systemDefault()).toEpochSecond() * 1_000_000L;
        String frac = (parts[1] + "000000").substring(0, 6);
        return micros + Long.parseLong(frac);
    }

    public String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("errors.log", "stdout.log", "messages.log")) {
            try {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    String s = Files.readString(p);
                    b.append("--- ").append(p).append('\n').append(s.length() > 5000 ? s.substring(s.length()
                            - 5000) : s).append('\n');
                }
            } catch (IOException e) {
                b.append(e);
            }
        }
        return b.toString();
    }

    public static int freeUdpPort() {
        for (int i = 0; i < 2000; i++) {
            int port = NEXT_PORT.getAndAdd(4);
            if (port > 44990) {
                NEXT_PORT.set(43000);
                continue;
            }
            try (DatagramSocket u = new DatagramSocket(port, InetAddress.getLoopbackAddress());
                    DatagramSocket u2 = new DatagramSocket(port + 1, InetAddress.getLoopbackAddress());
                    ServerSocket t = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken
            }
        }
        throw new IllegalStateException("no free port in 43000-44990");
    }

    static {
        new File("target/sipp").mkdirs();
    }
}
