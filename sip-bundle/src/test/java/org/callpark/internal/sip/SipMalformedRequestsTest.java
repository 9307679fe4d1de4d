package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import org.callpark.api.ParkException;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * Issue 14 rows D2, D3, D4 against a real {@link SipServer} on loopback (the real park core, a recording media fake),
 * spoken to with raw UDP datagrams, because sipp cannot send what these rows are about: a top Via naming another
 * transport, requests the stack cannot parse, a Content-Length shorter or longer than the datagram's body.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipMalformedRequestsTest {

    /** RFC 3261 §25.1 Status-Line: reason-phrase has no CR/LF/control characters; one line. */
    private static final Pattern STATUS_LINE = Pattern.compile("SIP/2\\.0 [1-6][0-9]{2} [\\x20-\\x7e\\t]*");
    private static final String LOCAL = "127.0.0.1";

    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private int port;
    private DatagramSocket socket;

    @BeforeAll
    void start() throws IOException {
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        for (int attempt = 0; server == null; attempt++) { // another build may take a port between probe and bind
            port = freePort(28060 + ThreadLocalRandom.current().nextInt(400) * 2);
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
        socket.setReceiveBufferSize(4 << 20);
    }

    @AfterAll
    void stop() {
        if (socket != null) {
            socket.close();
        }
        SipTests.stopAll(server, core, media, null);
    }

    @AfterEach
    void noCallLeftBehind() throws ParkException, IOException {
        SipTests.endAll(core.service());
        drain();
    }

    // ------------------------------------------------------------------------------------------ D2

    @Test
    @ResourceLock(Resources.SYSTEM_ERR) // it counts WARN lines on stderr: not while a concurrent class writes there
    void d2_udpRequestsWhoseViaNamesTlsSctpOrWs_get400_andTheLogStaysBounded() throws Exception {
        String[] transports = {"TLS", "SCTP", "WS"};
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        List<String> answers = new ArrayList<>();
        System.setErr(new PrintStream(new TeeStream(err, captured), true, StandardCharsets.UTF_8));
        try {
            socket.setSoTimeout(2000);
            for (int i = 0; i < 2000; i++) {
                String method = i % 2 == 0 ? "OPTIONS" : "INVITE";
                send(request(method, "*68", transports[i % 3], "d2-" + i, "Content-Length: 0\r\n", ""));
                if (i % 50 == 49) { // keep well inside the socket buffer: read what came back so far
                    collect(answers, 100);
                }
            }
            collect(answers, 1000);
        } finally {
            System.setErr(err);
        }
        answers.removeIf(a -> !a.contains("Call-ID: d2-")); // a retransmission of another test's answer
        String log = captured.toString(StandardCharsets.UTF_8);
        long refusedLines = log.lines().filter(l -> l.contains("ViaTransportValve")).count();
        long warnLines = log.lines().filter(l -> l.contains("WARN")).count();
        System.out.printf("[d2] 2000 packets: %d answers, %d log lines of the valve, %d WARN lines, %d bytes of log%n",
                answers.size(), refusedLines, warnLines, log.length());
        assertFalse(log.contains("NullPointerException"), log);
        assertTrue(refusedLines <= 1, "at most one (rate-limited) line for 2,000 packets: " + log);
        assertEquals(0, warnLines, log);
        assertTrue(answers.size() >= 1900 && answers.size() <= 2000, "(almost) every packet answered over loopback: " + answers.size());
        for (String a : answers) {
            assertEquals("SIP/2.0 400 Via transport does not match", firstLine(a));
        }
        assertTrue(core.service().list().isEmpty(), "nothing parked");
        // the server still answers a proper request
        String id = "d2-probe";
        send(request("OPTIONS", "probe", "UDP", id, "Content-Length: 0\r\n", ""));
        assertEquals("SIP/2.0 200 OK", firstLine(receive(id)));
    }

    /**
     * The UDP processor receives every datagram into one buffer and hands each request a copy of its own length
     * ({@code RightSizedUdpProcessor}): a burst of requests of very different sizes, parsed by several threads while
     * the next ones arrive, is answered request by request, each answer naming its own request.
     */
    @Test
    void udp_aBurstOfRequestsOfMixedSizesIsAnsweredOneByOne() throws Exception {
        List<String> answers = new ArrayList<>();
        java.util.Set<String> sent = new java.util.HashSet<>();
        socket.setSoTimeout(2000);
        for (int i = 0; i < 400; i++) {
            String pad = i % 2 == 0 ? "X-Pad: " + "p".repeat(1500 + i % 7 * 300) + "\r\n" : "";
            String message = request("OPTIONS", "probe", "UDP", "burst" + i, pad + "Content-Length: 0\r\n", "");
            sent.add(callId(message));
            send(message);
            if (i % 10 == 9) { // ten at a time stay well inside the server's socket buffer
                collect(answers, 50);
            }
        }
        collect(answers, 1000);
        answers.removeIf(a -> !a.contains("Call-ID: burst"));
        java.util.Set<String> answered = new java.util.HashSet<>();
        for (String a : answers) {
            assertEquals("SIP/2.0 200 OK", firstLine(a), a);
            assertTrue(answered.add(callId(a)), "one answer per request: " + callId(a));
        }
        assertEquals(sent, answered, "every request of the burst answered, each under its own Call-ID");
    }

    private static String callId(String message) {
        java.util.regex.Matcher m = Pattern.compile("\r\nCall-ID: (\\S+)\r\n").matcher(message);
        assertTrue(m.find(), message);
        return m.group(1);
    }

    // ------------------------------------------------------------------------------------------ D3

    @Test
    void d3_unparsableRequests_get400WithOneWellFormedStatusLine_thatEchoesNothing() throws Exception {
        socket.setSoTimeout(2000);
        String[][] cases = {
            // what the stack cannot parse, the reason we expect
            {"INVITE <sip:user@example.com> SIP/2.0", "malformed request line"}, // RFC 4475 ltgtruri
            {"INVITE sip:user@example.com; lr SIP/2.0", "malformed request line"}, // lwsruri
            {"OPTIONS  sip:probe@127.0.0.1  SIP/2.0", "malformed request line"}, // lwsstart
            {"OPTIONS sip:probe@127.0.0.1 SIP/2.0  ", "malformed request line"}, // trws
            {"OPTIONS sip:probe@127.0.0.1 SIP/7.0", "malformed request line"}, // badvers
            {"OPTIONS sip:probe@127.0.0.1?Route=%3Csip:example.com%3E SIP/2.0", "malformed request line"}, // escruri
            {"OPTIONS sip:probe@127.0.0.1 SIP/2.0", "malformed CSeq header", "CSeq: 1ncl OPTIONS"},
            {"OPTIONS sip:probe@127.0.0.1 SIP/2.0", "malformed Content-Length header", "Content-Length: 0x20"},
            {"OPTIONS sip:probe@127.0.0.1 SIP/2.0", "malformed From header", "From: badinv01 <sip:a@[::1>;tag=\n"},
        };
        for (String[] c : cases) {
            String id = "d3-" + Integer.toHexString(c[0].hashCode() ^ c[1].hashCode());
            String msg = request("OPTIONS", "probe", "UDP", id, "Content-Length: 0\r\n", "")
                    .replaceFirst("^[^\r]*", c[0].replace("$", "\\$"));
            if (c.length > 2) {
                String header = c[2].substring(0, c[2].indexOf(':'));
                msg = msg.replaceFirst("(?m)^" + header + ":[^\r]*", c[2].replace("\n", ""));
            }
            send(msg);
            String answer = receive(id);
            String line = firstLine(answer);
            assertTrue(STATUS_LINE.matcher(line).matches(), "one well-formed status line: " + line);
            assertTrue(answer.startsWith(line + "\r\n"), "CRLF ends the status line: " + answer);
            assertEquals("SIP/2.0 400 Bad Request (" + c[1] + ")", line, c[0] + " / " + (c.length > 2 ? c[2] : ""));
            assertFalse(line.contains("[C@") || line.contains("@example.com") || line.contains("ncl"), line);
        }
        String probe = "d3-probe";
        send(request("OPTIONS", "probe", "UDP", probe, "Content-Length: 0\r\n", ""));
        assertEquals("SIP/2.0 200 OK", firstLine(receive(probe)));
    }

    @Test
    void d3_unparsableRequestWithBrokenLineEnds_isDropped_ratherThanAnsweredWithAMangledStatusLine() throws Exception {
        socket.setSoTimeout(1500);
        String id = "d3-mangled";
        // the CR before Via turned into 'M' (one flipped bit) and a CSeq the stack cannot parse: its 400 would copy
        // "M\nVia: ..." right after the status line
        String msg = request("OPTIONS", "probe", "UDP", id, "Content-Length: 0\r\n", "")
                .replaceFirst("\r\nVia:", "M\nVia:").replaceFirst("CSeq: 1 OPTIONS", "CSeq: x OPTIONS");
        send(msg);
        List<String> answers = new ArrayList<>();
        collect(answers, 1500);
        answers.removeIf(a -> !a.contains(id));
        assertTrue(answers.isEmpty(), "dropped: " + answers);
        String probe = "d3-probe2";
        send(request("OPTIONS", "probe", "UDP", probe, "Content-Length: 0\r\n", ""));
        assertEquals("SIP/2.0 200 OK", firstLine(receive(probe)));
    }

    // ------------------------------------------------------------------------------------------ D4

    @Test
    void d4_contentLengthShorterThanTheDatagramsBody_theExcessIsDiscarded_theTruncatedOfferIsRefused()
            throws Exception {
        socket.setSoTimeout(3000);
        String sdp = sdp();
        assertEquals(115, sdp.length(), sdp);
        String id = "d4-short";
        send(request("INVITE", "*68", "UDP", id, "Content-Type: application/sdp\r\nContent-Length: 20\r\n",
                sdp));
        String answer = finalAnswer(id);
        assertEquals("SIP/2.0 488 Not Acceptable here", firstLine(answer), answer);
        assertTrue(answer.contains("SDP"), "the Warning says the SDP offer is unusable: " + answer);
        assertTrue(core.service().list(SlotId.extension(TenantId.DEFAULT, "101")).isEmpty(), "nothing parked");
    }

    @Test
    void d4_bytesAfterTheDeclaredBody_areNotPartOfIt_theCallParks() throws Exception {
        socket.setSoTimeout(3000);
        String sdp = sdp();
        String id = "d4-excess";
        send(request("INVITE", "*68", "UDP", id, "Content-Type: application/sdp\r\nContent-Length: "
                + sdp.length() + "\r\n", sdp + "m=video 0 RTP/AVP 31\r\nGARBAGE\u0000\u0001\r\n"));
        String answer = finalAnswer(id);
        assertEquals("SIP/2.0 200 OK", firstLine(answer), answer);
        assertTrue(answer.contains("m=audio"), "our answer carries SDP: " + answer);
        SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        send(ack(answer)); // else our 200 is retransmitted into the other tests
    }

    @Test
    void d4_contentLengthLongerThanTheDatagram_is400() throws Exception {
        socket.setSoTimeout(3000);
        String sdp = sdp();
        String id = "d4-long";
        send(request("INVITE", "*68", "UDP", id, "Content-Type: application/sdp\r\nContent-Length: 500\r\n",
                sdp));
        assertEquals("SIP/2.0 400 Bad Request (Content-Length larger than the body)", firstLine(receive(id)));
        assertTrue(core.service().list().isEmpty(), "nothing parked");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private String request(String method, String user, String viaTransport, String id, String headers, String body) {
        int lp = socket.getLocalPort();
        return method + " sip:" + user + "@" + LOCAL + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + viaTransport + " " + LOCAL + ":" + lp + ";branch=z9hG4bK-" + id + "-"
                + System.nanoTime() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: \"Customer\" <sip:+4930123@" + LOCAL + ":" + lp + ">;tag=" + id + "\r\n"
                + "To: <sip:" + user + "@" + LOCAL + ":" + port + ">\r\n"
                + "Call-ID: " + id + "-" + System.nanoTime() + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + "Contact: <sip:+4930123@" + LOCAL + ":" + lp + ">\r\n"
                + "Referred-By: <sip:101@" + LOCAL + ">\r\n"
                + headers + "\r\n" + body;
    }

    /** The ACK of a 2xx {@code answer} to one of our INVITEs (same Call-ID, From, To with tag; a new branch). */
    private String ack(String answer) {
        StringBuilder b = new StringBuilder("ACK sip:*68@" + LOCAL + ":" + port + " SIP/2.0\r\n");
        b.append("Via: SIP/2.0/UDP " + LOCAL + ":" + socket.getLocalPort() + ";branch=z9hG4bK-ack-" + System.nanoTime()
                + ";rport\r\nMax-Forwards: 70\r\n");
        for (String h : answer.split("\r\n")) {
            if (h.startsWith("From:") || h.startsWith("To:") || h.startsWith("Call-ID:")) {
                b.append(h).append("\r\n");
            }
        }
        return b.append("CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n").toString();
    }

    /** A PCMU offer of exactly 115 bytes, the size the issue's D4 reproduction used. */
    private String sdp() {
        return "v=0\r\no=- 123 1 IN IP4 127.0.0.1\r\ns=park\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    }

    private void send(String message) throws IOException {
        byte[] b = message.getBytes(StandardCharsets.ISO_8859_1);
        socket.send(new DatagramPacket(b, b.length, InetAddress.getByName(LOCAL), port));
    }

    private String receive() throws IOException {
        byte[] buf = new byte[65_535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
    }

    /** The next answer to the request with Call-ID {@code id-...} (another test's retransmissions skipped). */
    private String receive(String id) throws IOException {
        while (true) {
            String a = receive();
            if (a.contains("Call-ID: " + id + "-")) {
                return a;
            }
        }
    }

    /** The first final response to {@code id} (1xx skipped). */
    private String finalAnswer(String id) throws IOException {
        while (true) {
            String a = receive(id);
            if (!a.startsWith("SIP/2.0 1")) {
                return a;
            }
        }
    }

    private void collect(List<String> into, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            while (true) {
                into.add(receive());
            }
        } catch (SocketTimeoutException e) {
            // all there is for now
        }
    }

    private void drain() throws IOException {
        collect(new ArrayList<>(), 200);
    }

    private static String firstLine(String message) {
        int crlf = message.indexOf("\r\n");
        return crlf < 0 ? message : message.substring(0, crlf);
    }

    private static int freePort(int from) throws IOException {
        for (int p = from; p < from + 200; p += 2) {
            try (DatagramSocket u = new DatagramSocket(p, InetAddress.getByName(LOCAL));
                    java.net.ServerSocket t = new java.net.ServerSocket(p, 1, InetAddress.getByName(LOCAL))) {
                return p;
            } catch (IOException e) {
                // taken
            }
        }
        throw new IOException("no free port from " + from);
    }

    /** Writes to the real stderr and keeps a copy (slf4j-simple looks up System.err at every line). */
    private static final class TeeStream extends java.io.OutputStream {
        private final PrintStream out;
        private final ByteArrayOutputStream copy;

        TeeStream(PrintStream out, ByteArrayOutputStream copy) {
            this.out = out;
            this.copy = copy;
        }

        @Override
        public synchronized void write(int b) {
            out.write(b);
            copy.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            out.write(b, off, len);
            copy.write(b, off, len);
        }
    }

}
