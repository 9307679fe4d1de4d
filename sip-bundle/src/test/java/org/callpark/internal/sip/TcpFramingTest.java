package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;

import org.callpark.internal.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import gov.nist.javax.sip.message.MessageFactoryImpl;

/**
 * Valid RFC 4475 torture messages that JAIN-SIP's NIO TCP reader could not frame ({@code esc01} and {@code dblreq}:
 * compact Call-ID {@code i:}/{@code I:}; {@code wsinv}: {@code Content-Length   : 150}) are answered over TCP by a
 * real stack as {@link SipEndpoint} starts it, and the connection serves a following OPTIONS ({@link TcpFramingHeaders}).
 */
class TcpFramingTest {

    private static final String LOCAL = "127.0.0.1";
    private static final Pattern TOP_VIA = Pattern.compile("(?im)^(via|v)[ \\t]*:[^\\r\\n]*(\\r?\\n[ \\t][^\\r\\n]*)*");
    private static final Pattern CALL_ID = Pattern.compile("(?im)^(call-id|i)[ \\t]*:[ \\t]*(\\S+)");
    private SipEndpoint endpoint;

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.stop();
        }
    }

    /** Answers every request 200, statelessly. */
    private static final class Answering implements SipListener {
        @Override
        public void processRequest(RequestEvent e) {
            try {
                ((SipProvider) e.getSource()).sendResponse(new MessageFactoryImpl().createResponse(200,
                        e.getRequest()));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void processResponse(ResponseEvent e) {
        }

        @Override
        public void processTimeout(TimeoutEvent e) {
        }

        @Override
        public void processIOException(IOExceptionEvent e) {
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent e) {
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent e) {
        }
    }

    /** The torture message, CRLF restored where the stored copy has LF only, with our TCP Via on top. */
    private static byte[] torture(String name, int localPort) throws IOException {
        try (InputStream in = TcpFramingTest.class.getResourceAsStream("/rfc4475/" + name + ".dat")) {
            String s = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (s.indexOf('\r') < 0) {
                s = s.replace("\n", "\r\n");
            }
            Matcher v = TOP_VIA.matcher(s);
            assertTrue(v.find(), name + " has a Via");
            s = s.substring(0, v.start()) + "Via: SIP/2.0/TCP " + LOCAL + ":" + localPort + ";branch=z9hG4bK-" + name
                    + System.nanoTime() + ";rport" + s.substring(v.end());
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private static String options(int localPort, int port, String callId) {
        return "OPTIONS sip:" + LOCAL + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP " + LOCAL + ":" + localPort + ";branch=z9hG4bK" + callId + "\r\n"
                + "From: <sip:test@" + LOCAL + ">;tag=1\r\nTo: <sip:" + LOCAL + ":" + port + ">\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    }

    /** Reads responses (no bodies) until one contains {@code wanted}; returns it, or fails at end of stream. */
    private static String responseWith(Socket s, String wanted) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the server closed the connection; got so far: " + b);
            }
            if (b.length() == 0 && (c == '\r' || c == '\n')) {
                continue;
            }
            b.append((char) c);
            if (b.indexOf("\r\n\r\n") >= 0) {
                String r = b.toString();
                if (r.contains(wanted)) {
                    return r;
                }
                b.setLength(0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "esc01", "dblreq", "wsinv" })
    void aValidTortureMessageOverTcpIsAnsweredAndTheConnectionServesTheNext(String name) throws Exception {
        TestSipConfig c = new TestSipConfig();
        c.port = TestCluster.freePort(32060 + ThreadLocalRandom.current().nextInt(400) * 2);
        endpoint = SipEndpoint.start(SipSettings.from(c, k -> null, k -> null), new Answering());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOCAL, c.port), 5000);
            s.setSoTimeout(5000);
            byte[] message = torture(name, s.getLocalPort());
            Matcher id = CALL_ID.matcher(new String(message, StandardCharsets.ISO_8859_1));
            assertTrue(id.find(), name + " has a Call-ID");
            s.getOutputStream().write(message);
            // the answer to this message (dblreq's trailing INVITE is a second request over TCP, answered in any order)
            String first = responseWith(s, "Call-ID: " + id.group(2) + "\r\n");
            assertTrue(first.startsWith("SIP/2.0 200 "), name + ": " + first);
            String callId = "after-" + name + "-" + c.port;
            s.getOutputStream().write(options(s.getLocalPort(), c.port, callId).getBytes(StandardCharsets.US_ASCII));
            String next = responseWith(s, callId);
            assertTrue(next.startsWith("SIP/2.0 200 OK\r\n") && next.contains("CSeq: 1 OPTIONS"), next);
        }
    }

    private static String filtered(String in, int chunk) throws IOException {
        TcpFramingHeaders f = new TcpFramingHeaders();
        byte[] b = in.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < b.length; i += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(b, i, Math.min(b.length, i + chunk));
            out.writeBytes(f.filter(part));
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void onlyTheNamesOfCallIdAndContentLengthAreRewritten_bodiesPassUntouched_aMissingLengthIsZero() throws IOException {
        String body = "SIP/2.0 200 OK\r\ni: x\r\nl: 0\r\n";
        String in = "\r\n\r\nNOTIFY sip:a@b SIP/2.0\r\nI: abc\r\nSubject: i: l:\r\n x\r\n  l: 3\r\n"
                + "content-LENGTH \t: " + body.length() + "\r\nContent-Type: message/sipfrag\r\n\r\n" + body
                + "OPTIONS sip:a@b SIP/2.0\r\nCall-ID  :q\r\nl:0\r\n\r\n\r\n\r\n";
        String out = "\r\n\r\nNOTIFY sip:a@b SIP/2.0\r\nCall-ID: abc\r\nSubject: i: l:\r\n x\r\n  l: 3\r\n"
                + "Content-Length: " + body.length() + "\r\nContent-Type: message/sipfrag\r\n\r\n" + body
                + "OPTIONS sip:a@b SIP/2.0\r\nCall-ID:q\r\nContent-Length:0\r\n\r\n\r\n\r\n";
        in += "BYE sip:a@b SIP/2.0\r\ni: r\r\n\r\nC\r\n\r\n";
        out += "BYE sip:a@b SIP/2.0\r\nCall-ID: r\r\nContent-Length: 0\r\n\r\nC\r\nContent-Length: 0\r\n\r\n";
        for (int chunk : new int[] { 1, 3, 7, 4096 }) {
            assertEquals(out, filtered(in, chunk), "in chunks of " + chunk);
        }
    }

    @Test
    void anOverlongLineOrAContentLengthBeyondTheMessageLimitEndsTheConnection() {
        String longLine = "INVITE sip:a@b SIP/2.0\r\nX: " + "a".repeat(TcpFramingHeaders.MAX_LINE) + "\r\ni: 1\r\n";
        assertThrows(IOException.class, () -> filtered(longLine, 1000));
        for (String length : new String[] { "2000000000", "-1", Integer.toString(SipEndpoint.MAX_MESSAGE_SIZE + 1) }) {
            String in = "INVITE sip:a@b SIP/2.0\r\ni: 1\r\nl: " + length + "\r\n\r\n";
            IOException e = assertThrows(IOException.class, () -> filtered(in, 7), length);
            assertTrue(e.getMessage().contains("Content-Length " + length), e.getMessage());
        }
        String atTheLimit = "INVITE sip:a@b SIP/2.0\r\ni: 1\r\nl: " + SipEndpoint.MAX_MESSAGE_SIZE + "\r\n\r\n";
        assertDoesNotThrow(() -> filtered(atTheLimit, 7));
    }

    /** Without the cap the stack's reader would allocate the declared body and wait for 2 GB that never come. */
    @Test
    void aHugeContentLengthOverTcpClosesTheConnection_theServerServesTheNext() throws Exception {
        TestSipConfig c = new TestSipConfig();
        c.port = TestCluster.freePort(32060 + ThreadLocalRandom.current().nextInt(400) * 2);
        endpoint = SipEndpoint.start(SipSettings.from(c, k -> null, k -> null), new Answering());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOCAL, c.port), 5000);
            s.setSoTimeout(5000);
            String huge = options(s.getLocalPort(), c.port, "huge-" + c.port)
                    .replace("Content-Length: 0", "Content-Length: 2000000000");
            s.getOutputStream().write(huge.getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, s.getInputStream().read(), "the connection is closed, nothing answered");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOCAL, c.port), 5000);
            s.setSoTimeout(5000);
            String callId = "next-" + c.port;
            s.getOutputStream().write(options(s.getLocalPort(), c.port, callId).getBytes(StandardCharsets.US_ASCII));
            assertTrue(responseWith(s, callId).startsWith("SIP/2.0 200 OK\r\n"));
        }
    }
}
