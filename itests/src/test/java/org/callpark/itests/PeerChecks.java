package org.callpark.itests;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.callpark.internal.sip.SippRun;
import org.junit.Assert;

/**
 * What a user's device would see of the container, from the tests inside it: whether SIP answers (a sipp OPTIONS),
 * whether the web admin answers (HTTP); free loopback ports for the container's configuration; the end of the sipps a
 * test started.
 */
final class PeerChecks {

    private PeerChecks() {
    }

    /** A port free for UDP and TCP on 127.0.0.1 now (the SIP listener binds both). */
    static int freeLoopbackPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                            tcp.getLocalPort()))) {
                return tcp.getLocalPort();
            } catch (IOException e) {
                // UDP side taken: next
            }
        }
        throw new IOException("no port free for UDP and TCP on 127.0.0.1");
    }

    /** One sipp OPTIONS (sip-bundle's {@code options.xml}) to 127.0.0.1:{@code sipPort}; 0 if answered 200. */
    static int options(int sipPort, String name, int timeoutSeconds) throws Exception {
        return SippRun.scenario("options", sipPort).name(name + "-options").key("domain", "127.0.0.1")
                .key("from_user", "itest").timeout(timeoutSeconds).start().await();
    }

    /** Waits until an OPTIONS is answered 200; fails at {@code timeoutMs}. */
    static void awaitSipAnswers(int sipPort, String name, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        int code;
        while ((code = options(sipPort, name, 3)) != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        Assert.assertEquals("the SIP server answers OPTIONS on 127.0.0.1:" + sipPort, 0, code);
    }

    /** Waits until the web admin ({@code /callpark/}) answers with a status below 400; fails at the timeout. */
    static void awaitHttp(int httpPort, long timeoutMs) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://127.0.0.1:" + httpPort + "/callpark/");
        long deadline = System.currentTimeMillis() + timeoutMs;
        int status = -1;
        while (System.currentTimeMillis() < deadline) {
            try {
                status = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status < 400) {
                    return;
                }
            } catch (IOException e) {
                status = -1;
            }
            Thread.sleep(200);
        }
        Assert.fail(uri + " answered " + status + " (-1: no answer) within " + timeoutMs + " ms");
    }

    static void sleepUntil(long nanos) throws InterruptedException {
        while (System.nanoTime() < nanos) {
            Thread.sleep(Math.max(1, Math.min(50, (nanos - System.nanoTime()) / 1_000_000)));
        }
    }

    /**
     * Ends the sipps still running that a test named {@code name} started: by pid, only descendants of this JVM whose
     * scenario lies in a {@code sipp/<name>-...} directory.
     */
    static void killSipps(String name) {
        ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(l -> l.startsWith("/usr/bin/sipp")
                        && l.contains("/sipp/" + name + "-")).orElse(false))
                .forEach(ProcessHandle::destroy);
    }
}
