package org.callpark.internal.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import javax.sip.header.ToHeader;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;

/**
 * A phone with one dialog at a time on a bare UDP socket (127.0.0.1), for tests that must know and name the dialog's
 * identifiers (Call-ID and both tags, as an attended transfer's {@code Replaces} does): sends INVITE (answering a
 * digest challenge when it has a password), ACKs, re-INVITEs, BYE, REFER as a phone writes them, answers the
 * server's requests, and reads every message with the stack's parser. Its RTP port (named in its SDP) is a real
 * socket ({@link #rtp}), so a test can see what the server sends there.
 */
final class DialogPhone implements AutoCloseable {

    private static final AtomicInteger BRANCH = new AtomicInteger();

    final DatagramSocket socket;
    final DatagramSocket rtp;
    private final String user;
    private final String password;
    private final int serverPort;
    private final List<SIPMessage> unread = new ArrayList<>();
    private int cseq = 1;
    String callId;
    String fromTag;
    String toTag;
    String requestUri;

    DialogPhone(String user, String password, int serverPort) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.rtp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.socket.setSoTimeout(200);
        this.rtp.setSoTimeout(3_000);
        this.user = user;
        this.password = password;
        this.serverPort = serverPort;
    }

    int port() {
        return socket.getLocalPort();
    }

    /**
     * A new dialog: INVITE {@code uri} with {@code extraHeaders} (CRLF-terminated lines) and an SDP saying
     * {@code direction}; a 401 is answered with credentials when this phone has a password (else returned). A 2xx is
     * ACKed and its To tag kept; a failure is ACKed too. Returns the final response.
     */
    private String lastAck;

    SIPResponse invite(String uri, String extraHeaders, String direction) throws Exception {
        callId = "dp-" + UUID() + "@127.0.0.1";
        fromTag = "dp" + BRANCH.incrementAndGet();
        toTag = null;
        requestUri = uri;
        SIPResponse r = sendInvite(uri, extraHeaders, direction, null);
        if (r.getStatusCode() == 401 && password != null) {
            r = sendInvite(uri, extraHeaders, direction, authorization(r, "INVITE", uri));
        }
        if (r.getStatusCode() < 300) {
            toTag = ((ToHeader) r.getHeader(ToHeader.NAME)).getTag();
        }
        return r;
    }

    private SIPResponse sendInvite(String uri, String extra, String direction, String auth) throws Exception {
        int n = cseq++;
        String branch = branch();
        String sdp = sdp(direction);
        send("INVITE " + uri + " SIP/2.0\r\n" + via(branch) + "From: <sip:" + user + "@127.0.0.1>;tag=" + fromTag
                + "\r\nTo: <" + uri + ">\r\nCall-ID: " + callId + "\r\nCSeq: " + n + " INVITE\r\n" + contact()
                + "Max-Forwards: 70\r\n" + extra + (auth == null ? "" : "Authorization: " + auth + "\r\n")
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp);
        SIPResponse r = finalResponse(branch);
        String to = ((ToHeader) r.getHeader(ToHeader.NAME)).toString().trim();
        lastAck = "ACK " + uri + " SIP/2.0\r\n" + via(r.getStatusCode() < 300 ? branch() : branch) + "From: <sip:"
                + user + "@127.0.0.1>;tag=" + fromTag + "\r\n" + to + "\r\nCall-ID: " + callId + "\r\nCSeq: " + n
                + " ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        send(lastAck);
        return r;
    }

    /** The last INVITE's ACK again, byte for byte (as a phone does when our 200 OK comes again). */
    void repeatAck() throws IOException {
        send(lastAck);
    }

    /**
     * The last INVITE's ACK with another From tag: the stack finds no dialog for it and hands it to the listener as it
     * does an ACK that overtook the dialog's state (the same Call-ID, so a listener that matched by Call-ID only would
     * take it for the leg's).
     */
    void strayAck() throws IOException {
        send(lastAck.replace(";tag=" + fromTag, ";tag=stray" + fromTag));
    }

    /** A re-INVITE in the dialog whose SDP says {@code direction}; ACKed; returns the final response. */
    SIPResponse reInvite(String direction) throws Exception {
        int n = cseq++;
        String branch = branch();
        String sdp = sdp(direction);
        send("INVITE " + requestUri + " SIP/2.0\r\n" + via(branch) + dialogHeaders() + "CSeq: " + n + " INVITE\r\n"
                + contact() + "Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: " + sdp.length()
                + "\r\n\r\n" + sdp);
        SIPResponse r = finalResponse(branch);
        send("ACK " + requestUri + " SIP/2.0\r\n" + via(branch()) + dialogHeaders() + "CSeq: " + n
                + " ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        return r;
    }

    /** An in-dialog request without a body ({@code BYE}, {@code REFER} with its headers); its final response. */
    SIPResponse request(String method, String extraHeaders) throws Exception {
        String branch = branch();
        send(method + " " + requestUri + " SIP/2.0\r\n" + via(branch) + dialogHeaders() + "CSeq: " + (cseq++) + " "
                + method + "\r\n" + contact() + "Max-Forwards: 70\r\n" + extraHeaders + "Content-Length: 0\r\n\r\n");
        return finalResponse(branch);
    }

    /**
     * Waits up to {@code millis} for a request of {@code method} and returns it, answered {@code 200} unless it is an
     * INVITE (see {@link #accept}) or an ACK.
     */
    SIPRequest await(String method, long millis) throws Exception {
        SIPRequest r = (SIPRequest) next(m -> m instanceof SIPRequest q && q.getMethod().equals(method), millis);
        if (r == null) {
            throw new AssertionError(user + " received no " + method + " within " + millis + " ms");
        }
        if (!method.equals("INVITE") && !method.equals("ACK")) {
            answer(r, 200);
        }
        return r;
    }

    /**
     * Answers a received INVITE {@code 200} with this phone's SDP ({@code sendrecv}) and waits for its ACK: the
     * INVITE's dialog is this phone's from now on (a BYE by {@link #request} goes to the INVITE's Contact).
     */
    void accept(SIPRequest invite) throws Exception {
        fromTag = "dp" + BRANCH.incrementAndGet();
        callId = invite.getCallId().getCallId();
        toTag = invite.getFrom().getTag();
        requestUri = ((javax.sip.header.ContactHeader) invite.getHeader("Contact")).getAddress().getURI().toString();
        SIPResponse ok = invite.createResponse(200);
        ok.getTo().setTag(fromTag);
        gov.nist.javax.sip.header.HeaderFactoryImpl headers = new gov.nist.javax.sip.header.HeaderFactoryImpl();
        ok.setHeader(headers.createHeader("Contact", "<sip:" + user + "@127.0.0.1:" + port() + ">"));
        ok.setContent(sdp("sendrecv"), headers.createContentTypeHeader("application", "sdp"));
        send(ok.encode());
        await("ACK", 5_000);
    }

    /** Whether a request of {@code method} arrives within {@code millis} (answered 200 if so). */
    boolean receives(String method, long millis) throws Exception {
        SIPRequest r = (SIPRequest) next(m -> m instanceof SIPRequest q && q.getMethod().equals(method), millis);
        if (r != null) {
            answer(r, 200);
        }
        return r != null;
    }

    void answer(SIPRequest request, int status) throws IOException {
        send(request.createResponse(status).encode());
    }

    /**
     * A 2xx to this phone's last INVITE received within {@code millis} after it was ACKed (our 200 OK sent again), or
     * null.
     */
    SIPResponse okAgain(long millis) throws Exception {
        long invite = cseq - 1;
        return (SIPResponse) next(m -> m instanceof SIPResponse r && r.getStatusCode() / 100 == 2
                && r.getCSeq().getSeqNumber() == invite && r.getCSeq().getMethod().equals("INVITE"), millis);
    }

    /** The {@code Replaces} value naming this phone's dialog as the server sees it (to-tag = the server's). */
    String replacesValue() {
        return callId + ";to-tag=" + toTag + ";from-tag=" + fromTag;
    }

    private SIPResponse finalResponse(String branch) throws Exception {
        SIPMessage m = next(x -> x instanceof SIPResponse r && r.getStatusCode() >= 200
                && branch.equals(r.getTopmostVia().getBranch()), 5_000);
        if (m == null) {
            throw new AssertionError(user + ": no final response on branch " + branch);
        }
        return (SIPResponse) m;
    }

    /** The next message matching {@code which} (earlier unmatched ones are kept for later), or null. */
    private SIPMessage next(Predicate<SIPMessage> which, long millis) throws Exception {
        long end = System.currentTimeMillis() + millis;
        while (true) {
            for (Iterator<SIPMessage> i = unread.iterator(); i.hasNext();) {
                SIPMessage m = i.next();
                if (which.test(m)) {
                    i.remove();
                    return m;
                }
            }
            if (System.currentTimeMillis() > end) {
                return null;
            }
            DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            SIPMessage m = text.startsWith("SIP/2.0 ") ? (SIPMessage) new MessageFactoryImpl().createResponse(text)
                    : (SIPMessage) new MessageFactoryImpl().createRequest(text);
            if (m instanceof SIPResponse r && r.getStatusCode() < 200) {
                continue;
            }
            unread.add(m);
        }
    }

    private String dialogHeaders() {
        return "From: <sip:" + user + "@127.0.0.1>;tag=" + fromTag + "\r\nTo: <" + requestUri + ">;tag=" + toTag
                + "\r\nCall-ID: " + callId + "\r\n";
    }

    private String via(String branch) {
        return "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";rport;branch=" + branch + "\r\n";
    }

    private String contact() {
        return "Contact: <sip:" + user + "@127.0.0.1:" + port() + ">\r\n";
    }

    private static String branch() {
        return "z9hG4bK-dp-" + BRANCH.incrementAndGet();
    }

    private static String UUID() {
        return java.util.UUID.randomUUID().toString();
    }

    private String sdp(String direction) {
        return "v=0\r\no=dp 1 " + cseq + " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + rtp.getLocalPort() + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=" + direction + "\r\n";
    }

    private void send(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), serverPort));
    }

    /** The {@code Authorization} answering {@code challenge} for {@code method} on {@code uri}. */
    private String authorization(SIPResponse challenge, String method, String uri) {
        Map<String, String> c = DigestAuth.parseCredentials(SipMessages.valueOf(challenge.getHeader(
                "WWW-Authenticate")));
        String realm = c.get("realm");
        String nonce = c.get("nonce");
        String cnonce = "c" + Integer.toHexString(BRANCH.incrementAndGet());
        String response = DigestAuth.md5(DigestAuth.md5(user + ":" + realm + ":" + password) + ":" + nonce
                + ":00000001:" + cnonce + ":auth:" + DigestAuth.md5(method + ":" + uri));
        return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"" + cnonce
                + "\"";
    }

    @Override
    public void close() {
        socket.close();
        rtp.close();
    }
}
