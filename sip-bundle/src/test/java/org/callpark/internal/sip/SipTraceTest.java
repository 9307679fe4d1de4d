package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import org.callpark.internal.SipTestCore;
import org.callpark.internal.sip.shell.SipTraceCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code park:sip-trace}: a real {@link SipServer} on loopback, OPTIONS sent as raw UDP datagrams, and what the
 * stack hands to {@link SipTraceLogger} (its output captured): nothing while off, request and answer while on, only
 * the chosen tenant's messages with {@code --tenant}, nothing again after off.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipTraceTest {

    private static final String LOCAL = "127.0.0.1";

    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private int port;
    private DatagramSocket socket;
    private final List<String> trace = new CopyOnWriteArrayList<>();
    private Consumer<String> previous;

    @BeforeAll
    void start() throws IOException {
        previous = SipTraceLogger.out;
        SipTraceLogger.out = trace::add;
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        for (int attempt = 0; server == null; attempt++) { // another build may take a port between probe and bind
            port = 29060 + ThreadLocalRandom.current().nextInt(400) * 2;
            TestSipConfig sip = new TestSipConfig();
            sip.port = port;
            try {
                server = new SipServer(core.service(), core.directory(), media, new Registrations(() -> null),
                        () -> "node-1", sip, k -> null, k -> null);
            } catch (IllegalStateException e) {
                if (attempt == 4) {
                    throw e;
                }
            }
        }
        core.addListener(server);
        socket = new DatagramSocket(0, InetAddress.getByName(LOCAL));
        socket.setSoTimeout(5000);
    }

    @AfterEach
    void off() {
        SipTrace.off();
    }

    @AfterAll
    void stop() {
        SipTraceLogger.out = previous;
        if (socket != null) {
            socket.close();
        }
        SipTests.stopAll(server, core, media, null);
    }

    @Test
    void offByDefault_onTracesRequestAndAnswer_offStopsAgain() throws Exception {
        String before = options("101", LOCAL);
        assertTrue(traced(before).isEmpty(), "off at start: " + trace);

        SipTrace.on(SipTrace.Filter.ALL);
        String id = options("101", LOCAL);
        List<String> lines = both(id);
        assertEquals(2, lines.size(), "the OPTIONS and its answer: " + lines);
        assertTrue(lines.get(0).startsWith("received "), lines.get(0));
        assertTrue(lines.get(0).contains("\nOPTIONS sip:101@" + LOCAL + ":" + port + " SIP/2.0\n"), lines.get(0));
        assertTrue(lines.get(1).startsWith("sent "), lines.get(1));
        assertTrue(lines.get(1).contains("\nSIP/2.0 200 OK\n"), lines.get(1));

        SipTrace.off();
        String after = options("101", LOCAL);
        assertTrue(traced(after).isEmpty(), "off again: " + trace);
    }

    @Test
    void withATenantOnlyThatTenantsDomains() throws Exception {
        SipTrace.on(SipTraceCommand.filter(core.directory().current(), "acme"));
        String acme = options("201", "acme.test");
        String other = options("101", LOCAL);
        assertEquals(2, both(acme).size(), "acme.test is acme's: " + trace);
        assertTrue(traced(other).isEmpty(), "an IP literal is the default tenant's: " + trace);

        SipTrace.on(SipTraceCommand.filter(core.directory().current(), "default"));
        String acme2 = options("201", "acme.test");
        String default2 = options("101", LOCAL);
        assertTrue(traced(acme2).isEmpty(), "claimed by acme: " + trace);
        assertEquals(2, both(default2).size(), "unclaimed hosts are the default tenant's: " + trace);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipTraceCommand.filter(core.directory().current(), "nosuch"));
        assertTrue(e.getMessage().startsWith("--tenant:"), e.getMessage());
    }

    /** The request and its answer (the stack logs a message it sends after sending it: wait, bounded). */
    private List<String> both(String callId) throws InterruptedException {
        SipTests.await(() -> traced(callId).size() >= 2, "request and answer of " + callId + " traced");
        return traced(callId);
    }

    private List<String> traced(String callId) {
        return trace.stream().filter(l -> l.contains("Call-ID: " + callId + "\n")).toList();
    }

    /** Sends an OPTIONS to {@code user@host} (From the same host) and waits for its final answer; its Call-ID. */
    private String options(String user, String host) throws IOException {
        String id = "trace-" + System.nanoTime();
        int lp = socket.getLocalPort();
        String m = "OPTIONS sip:" + user + "@" + (host.equals(LOCAL) ? LOCAL + ":" + port : host) + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + LOCAL + ":" + lp + ";branch=z9hG4bK-" + id + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@" + host + ">;tag=" + id + "\r\n"
                + "To: <sip:" + user + "@" + host + ">\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
        byte[] b = m.getBytes(StandardCharsets.ISO_8859_1);
        socket.send(new DatagramPacket(b, b.length, InetAddress.getByName(LOCAL), port));
        byte[] buf = new byte[65_535];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer to " + id, e);
            }
            String a = new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
            if (a.contains("Call-ID: " + id + "\r\n") && !a.startsWith("SIP/2.0 1")) {
                return id;
            }
        }
    }
}
