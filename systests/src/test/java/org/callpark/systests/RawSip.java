package org.callpark.systests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw SIP bytes to the server over UDP or TCP, for what sipp cannot send (the RFC 4475 torture messages, fuzzed
 * messages): the top Via is made ours (transport, a loopback sent-by, a branch unique per send, {@code rport}) so
 * that answers come back to the sending socket; everything else is sent as it is.
 */
final class RawSip {

    /** RFC 3261 §25.1 Status-Line: SIP/2.0, a 3-digit code, a reason phrase without CR/LF or other controls. */
    static final Pattern STATUS_LINE = Pattern.compile("SIP/2\\.0 [1-6][0-9]{2} [^\\x00-\\x08\\x0a-\\x1f\\x7f]*");

    private static final Pattern TOP_VIA = Pattern.compile("(?im)^(via|v)[ \\t]*:[^\\r\\n]*(\\r?\\n[ \\t][^\\r\\n]*)*");
    private static final AtomicLong BRANCHES = new AtomicLong();

    private final InetSocketAddress server;

    RawSip(AssemblyServer server) {
        this.server = new InetSocketAddress(server.address(), server.sipPort());
    }

    /** The message with its top Via replaced by ours (or one added after the first line if it has none). */
    static byte[] ownVia(byte[] message, String transport, int localPort) {
        String m = new String(message, StandardCharsets.ISO_8859_1);
        String via = "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=z9hG4bK-raw"
                + BRANCHES.incrementAndGet() + "-" + System.nanoTime() + ";rport";
        Matcher v = TOP_VIA.matcher(m);
        if (v.find()) {
            m = m.substring(0, v.start()) + via + m.substring(v.end());
        } else {
            int eol = m.indexOf('\n');
            m = eol < 0 ? m : m.substring(0, eol + 1) + via + "\r\n" + m.substring(eol + 1);
        }
        return m.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends over UDP from a fresh socket and collects what comes back until a final answer or {@code waitMillis}. */
    List<String> udp(byte[] message, long waitMillis) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            byte[] b = ownVia(message, "UDP", s.getLocalPort());
            s.send(new DatagramPacket(b, b.length, server));
            List<String> answers = new ArrayList<>();
            long end = System.currentTimeMillis() + waitMillis;
            byte[] buf = new byte[65_535];
            while (System.currentTimeMillis() < end) {
                s.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                String a = new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
                answers.add(a);
                if (isFinal(a)) {
                    break;
                }
            }
            return answers;
        }
    }

    /**
     * Sends over a new TCP connection and reads what comes back until a final answer, the server closing, or
     * {@code waitMillis}; then closes the connection.
     */
    List<String> tcp(byte[] message, long waitMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, 2000);
            byte[] b = ownVia(message, "TCP", s.getLocalPort());
            OutputStream out = s.getOutputStream();
            out.write(b);
            out.flush();
            StringBuilder got = new StringBuilder();
            InputStream in = s.getInputStream();
            long end = System.currentTimeMillis() + waitMillis;
            byte[] buf = new byte[8192];
            while (System.currentTimeMillis() < end && !hasFinal(got.toString())) {
                s.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (IOException e) {
                    break; // reset by the server: a drop
                }
                if (n < 0) {
                    break;
                }
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            return split(got.toString());
        }
    }

    /** An OPTIONS probe over the transport: the status line of the answer, or null if none within 3 s. */
    String probe(String transport) throws IOException {
        String options = "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060\r\nMax-Forwards: 70\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=p" + System.nanoTime() + "\r\nTo: <sip:probe@127.0.0.1>\r\n"
                + "Call-ID: probe-" + System.nanoTime() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        byte[] b = options.getBytes(StandardCharsets.ISO_8859_1);
        List<String> a = "TCP".equals(transport) ? tcp(b, 3000) : udp(b, 3000);
        return a.isEmpty() ? null : firstLine(a.get(a.size() - 1));
    }

    static boolean isFinal(String answer) {
        return answer.startsWith("SIP/2.0 ") && !answer.startsWith("SIP/2.0 1");
    }

    private static boolean hasFinal(String stream) {
        return split(stream).stream().anyMatch(RawSip::isFinal);
    }

    /**
     * The messages of a TCP stream, cut at each status line (our answers carry no bodies but SDP/sipfrag). CR/LF before
     * the first status line are skipped: the stack's RFC 5626 keep-alive pong (a CRLF for a CRLF CRLF, e.g. after
     * {@code dblreq}'s REGISTER), which RFC 3261 §7.5 has a reader ignore before a start line.
     */
    static List<String> split(String stream) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (from < stream.length() && (stream.charAt(from) == '\r' || stream.charAt(from) == '\n')) {
            from++;
        }
        while (from < stream.length()) {
            int next = stream.indexOf("\r\nSIP/2.0 ", from + 1);
            out.add(stream.substring(from, next < 0 ? stream.length() : next + 2));
            from = next < 0 ? stream.length() : next + 2;
        }
        return out;
    }

    static String firstLine(String message) {
        int crlf = message.indexOf("\r\n");
        return crlf < 0 ? message : message.substring(0, crlf);
    }
}
