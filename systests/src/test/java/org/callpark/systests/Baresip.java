package org.callpark.systests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One headless baresip in a network namespace: own config dir, {@code ctrl_tcp} control (netstring JSON), a WAV as
 * microphone ({@code aufile}), {@code sndfile} recording what it hears, {@code answermode} per account.
 *
 * <p>The test JVM stays in its own namespace: it reaches {@code ctrl_tcp} through a {@code socat STDIO TCP:…} started
 * with {@code ip netns exec}, i.e. it writes commands to socat's stdin and reads events from its stdout.
 */
final class Baresip implements AutoCloseable {

    final String name;
    final Path dir;
    final int sipPort;
    final int ctrlPort;
    private final String ns;
    private final String ip;
    private Process process;
    private Process ctrl;
    private final List<String> events = new ArrayList<>();
    private Thread reader;

    Baresip(String name, Path dir, String ns, String ip, int sipPort, String account, Path micWav)
            throws IOException {
        this.name = name;
        this.dir = dir;
        this.ns = ns;
        this.ip = ip;
        this.sipPort = sipPort;
        this.ctrlPort = sipPort + 1000;
        Files.createDirectories(dir.resolve("rec"));
        Files.writeString(dir.resolve("accounts"), account + "\n");
        Files.writeString(dir.resolve("config"), String.join("\n",
                "poll_method epoll",
                "sip_listen " + ip + ":" + sipPort,
                "sip_transports udp",
                "audio_player alsa,null",
                "audio_source aufile," + micWav.toAbsolutePath(),
                "audio_alert alsa,null",
                "ausrc_srate 8000",
                "auplay_srate 8000",
                "audio_channels 1",
                "rtp_ports 47000-47999",
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module aufile.so",
                "module alsa.so",
                "module sndfile.so",
                "module account.so",
                "module menu.so",
                "module ctrl_tcp.so",
                "snd_path " + dir.resolve("rec").toAbsolutePath(),
                "ctrl_tcp_listen " + ip + ":" + ctrlPort,
                "") + "\n");
    }

    void start() throws Exception {
        process = new ProcessBuilder("ip", "netns", "exec", ns, "/usr/bin/baresip", "-f", dir.toAbsolutePath()
                .toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("baresip.log").toFile()).start();
        // socat -d -d logs "starting data transfer loop" once connected; a refused connect ends it at once
        Path socatLog = dir.resolve("ctrl-socat.log");
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            Files.deleteIfExists(socatLog);
            ctrl = new ProcessBuilder("ip", "netns", "exec", ns, "socat", "-d", "-d", "STDIO",
                    "TCP:" + ip + ":" + ctrlPort).redirectError(socatLog.toFile()).start();
            while (ctrl.isAlive() && !connected(socatLog) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            if (ctrl.isAlive() && connected(socatLog)) {
                break;
            }
            ctrl.destroyForcibly();
            if (System.currentTimeMillis() > deadline || !process.isAlive()) {
                throw new IOException(name + ": ctrl_tcp not reachable\n" + log() + "\n"
                        + (Files.exists(socatLog) ? Files.readString(socatLog) : ""));
            }
            Thread.sleep(100);
        }
        reader = new Thread(this::read, "baresip-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private static boolean connected(Path socatLog) throws IOException {
        return Files.exists(socatLog) && Files.readString(socatLog).contains("starting data transfer loop");
    }

    private void read() {
        try (InputStream in = ctrl.getInputStream()) {
            while (true) {
                int len = 0;
                int c;
                while ((c = in.read()) != ':') {
                    if (c < 0) {
                        return;
                    }
                    len = len * 10 + (c - '0');
                }
                byte[] b = in.readNBytes(len);
                in.read(); // ','
                String s = new String(b, StandardCharsets.UTF_8);
                synchronized (events) {
                    events.add(s);
                    events.notifyAll();
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    void command(String command, String params) throws IOException {
        String json = "{\"command\":\"" + command + "\",\"params\":\"" + params + "\",\"token\":\"" + command + "\"}";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = ctrl.getOutputStream(); // socat's stdin
        out.write((b.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write(',');
        out.flush();
    }

    /** Waits (bounded) for an event message containing {@code text}, counting from event number {@code from}. */
    boolean awaitEvent(String text, int from, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (events) {
            while (true) {
                for (int i = from; i < events.size(); i++) {
                    if (events.get(i).contains(text)) {
                        return true;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                events.wait(left);
            }
        }
    }

    int eventCount() {
        synchronized (events) {
            return events.size();
        }
    }

    List<String> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("baresip.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The recordings of what this phone heard ({@code *-dec.wav}), oldest first. */
    List<Path> recordings() throws IOException {
        try (var s = Files.list(dir.resolve("rec"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("dec.wav")).sorted().toList();
        }
    }

    @Override
    public void close() throws Exception {
        // both processes are `ip netns exec`, which execs socat/baresip: the same pid
        for (Process p : new Process[] {ctrl, process}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }
}
