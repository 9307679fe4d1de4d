package org.callpark.internal.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Response;

import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;

/**
 * A phone that is a bare UDP socket on a loopback address of its choice (127.0.0.x): sends request text as written (so
 * a test can replay a captured {@code Authorization} exactly) and reads the final response with the stack's parser.
 * Answers digest challenges like a phone ({@code qop=auth}, {@code nc} counted per nonce).
 */
final class RawSipPhone implements AutoCloseable {

    private static final AtomicInteger BRANCH = new AtomicInteger();

    private final DatagramSocket socket;
    private final String user;
    private final String password;
    private int cseq = 1;

    RawSipPhone(String address, String user, String password) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
        this.socket.setSoTimeout(5_000);
        this.user = user;
        this.password = password;
    }

    String address() {
        return socket.getLocalAddress().getHostAddress();
    }

    String user() {
        return user;
    }

    int port() {
        return socket.getLocalPort();
    }

    /**
     * The text of a request from this phone; {@code authorization} is a header value or {@code null}.
     *
     * @param toUri the To URI (REGISTER: the AOR)
     */
    String request(String method, String requestUri, String toUri, String callId, String contact,
            String authorization) {
        return method + " " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + address() + ":" + port() + ";rport;branch=z9hG4bK-raw-"
                + BRANCH.incrementAndGet() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + user + "@127.0.0.1>;tag=raw" + port() + "\r\n"
                + "To: <" + toUri + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + (cseq++) + " " + method + "\r\n"
                + "Contact: <" + contact + ">\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + (method.equals("INVITE") ? "Content-Type: application/sdp\r\nContent-Length: " + sdp().length()
                        + "\r\n\r\n" + sdp() : "Content-Length: 0\r\n\r\n");
    }

    /**
     * Sends {@code text} to {@code port} on 127.0.0.1 and returns its final response (provisionals and answers to other
     * transactions skipped); a failed INVITE is ACKed, as a phone does.
     */
    Response send(int serverPort, String text) throws Exception {
        SIPRequest request = (SIPRequest) new MessageFactoryImpl().createRequest(text);
        String branch = request.getTopmostVia().getBranch();
        transmit(serverPort, text);
        while (true) {
            DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no final response to:\n" + text, e);
            }
            String answer = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            if (!answer.startsWith("SIP/2.0 ")) {
                continue; // a request from the server (not expected here)
            }
            Response r = new MessageFactoryImpl().createResponse(answer);
            if (r.getStatusCode() >= 200 && branch.equals(((ViaHeader) r.getHeader(ViaHeader.NAME)).getBranch())) {
                if (request.getMethod().equals("INVITE") && r.getStatusCode() >= 300) {
                    transmit(serverPort, request.createErrorAck((To) r.getHeader(ToHeader.NAME)).encode());
                }
                return r;
            }
        }
    }

    private void transmit(int serverPort, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), serverPort));
    }

    /** The {@code Authorization} value answering {@code challenge} (a 401) for {@code method} on {@code uri}. */
    String authorization(Response challenge, String method, String uri, int nc) {
        Map<String, String> c = DigestAuth.parseCredentials(SipMessages.valueOf(challenge.getHeader(
                "WWW-Authenticate")));
        String realm = c.get("realm");
        String nonce = c.get("nonce");
        String ncHex = String.format("%08x", nc);
        String cnonce = "c" + Integer.toHexString(BRANCH.incrementAndGet());
        String response = DigestAuth.md5(DigestAuth.md5(user + ":" + realm + ":" + password) + ":" + nonce + ":"
                + ncHex + ":" + cnonce + ":auth:" + DigestAuth.md5(method + ":" + uri));
        return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=MD5, qop=auth, nc=" + ncHex + ", cnonce=\"" + cnonce
                + "\"";
    }

    private String sdp() {
        return "v=0\r\no=raw 1 1 IN IP4 " + address() + "\r\ns=-\r\nc=IN IP4 " + address() + "\r\nt=0 0\r\n"
                + "m=audio " + (port() + 1) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    }

    @Override
    public void close() {
        socket.close();
    }
}
