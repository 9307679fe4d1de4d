package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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

/**
 * {@link HeaderRules} through a real {@link SipServer} on loopback, spoken to with raw UDP datagrams (sipp and the
 * stack's own message factory cannot send these defects): the four RFC 4475 §3.1.2 messages JAIN-SIP accepted
 * ({@code baddate}, {@code baddn}, {@code badaspec}, {@code regbadct}) and other instances of the same RFC 3261 rules
 * get {@code 400 Bad Request (<the rule>)}; the valid neighbours of each rule (quoted names with the same characters,
 * token display names, a GMT Date, addr-spec without {@code ;,?}) are served as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipHeaderRulesTest {

    /** RFC 3261 §25.1 Status-Line: one line, reason-phrase without control characters, {@code <>} or quotes. */
    private static final Pattern STATUS_LINE = Pattern.compile("SIP/2\\.0 [1-6][0-9]{2} [\\x20-\\x7e&&[^<>\"]]*");
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
            port = freePort(29060 + ThreadLocalRandom.current().nextInt(400) * 2);
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
        socket.setSoTimeout(3000);
    }

    @AfterAll
    void stop() {
        if (socket != null) {
            socket.close();
        }
        SipTests.stopAll(server, core, media, null);
    }

    @AfterEach
    void nothingParked() throws ParkException, IOException {
        assertTrue(core.service().list().isEmpty(), "nothing parked");
        drain();
    }

    // ---------------------------------------------------------------------------------------- Date (baddate)

    @Test
    void baddate_anInviteWhoseDateIsNotGmt_is400_andParksNothing() throws Exception {
        assertRefused("INVITE", "*68", "Date: Fri, 01 Jan 2010 16:00:00 EST", "malformed Date header");
        assertRefused("INVITE", "*68", "Date: Fri, 1 Jan 2010 16:00:00 GMT", "malformed Date header"); // date1 2DIGIT
        assertRefused("OPTIONS", "probe", "Date: 2010-01-01T16:00:00Z", "malformed Date header");
    }

    @Test
    void anRfc1123GmtDate_isServed() throws Exception {
        assertServed("OPTIONS", "probe", "Date: Sat, 13 Nov 2010 23:29:00 GMT", "SIP/2.0 200 OK");
        assertServed("OPTIONS", "probe", "Date: sat, 13 nov 2010 23:29:00 gmt", "SIP/2.0 200 OK"); // ABNF: any case
    }

    // ---------------------------------------------------------------------------------------- display name (baddn)

    @Test
    void baddn_unquotedDisplayNamesWithNonTokenCharacters_are400() throws Exception {
        assertRefused("OPTIONS", "probe", "From: Bell, Alexander <sip:a.g.bell@127.0.0.1>;tag=43",
                "unquoted display name with special characters in From header");
        assertRefused("OPTIONS", "probe", "To: Watson, Thomas <sip:probe@127.0.0.1>",
                "unquoted display name with special characters in To header");
        assertRefused("OPTIONS", "probe", "Contact: <sip:a@127.0.0.1>, Front Desk (2) <sip:b@127.0.0.1>",
                "unquoted display name with special characters in Contact header");
    }

    @Test
    void quotedDisplayNamesWithAnyCharacters_andUnquotedTokenNames_areServed() throws Exception {
        assertServed("OPTIONS", "probe", "From: \"Bell, Alexander <AGB>\" <sip:a.g.bell@127.0.0.1>;tag=43",
                "SIP/2.0 200 OK");
        assertServed("OPTIONS", "probe", "From: \"J\\\"urgen \u00c4\" <sip:j@127.0.0.1>;tag=44", "SIP/2.0 200 OK");
        assertServed("OPTIONS", "probe", "From: Bob  Smith-Jr. <sip:b@127.0.0.1>;tag=45", "SIP/2.0 200 OK");
        // Not token by the grammar, but not ambiguous either: carriers send it, and a customer's call is not refused
        // for it.
        assertServed("OPTIONS", "probe", "From: J\u00fcrgen M\u00fcller <sip:j@127.0.0.1>;tag=46", "SIP/2.0 200 OK");
    }

    // ---------------------------------------------------------------------------------------- <> (badaspec)

    @Test
    void badaspec_whiteSpaceInsideAngleBrackets_is400() throws Exception {
        assertRefused("OPTIONS", "probe", "To: \"Watson, Thomas\" < sip:probe@127.0.0.1 >",
                "white space inside angle brackets in To header");
        assertRefused("OPTIONS", "probe", "Contact: <sip:a@127.0.0.1\t>",
                "white space inside angle brackets in Contact header");
    }

    @Test
    void whiteSpaceAroundAngleBrackets_andAngleBracketsInQuotes_areServed() throws Exception {
        assertServed("OPTIONS", "probe", "To: \"< spaced >\"   <sip:probe@127.0.0.1>  ", "SIP/2.0 200 OK");
        assertServed("OPTIONS", "probe",
                "Contact: <sip:a@127.0.0.1>;+sip.instance=\"< urn:uuid:0 >\"", "SIP/2.0 200 OK");
    }

    // ---------------------------------------------------------------------------------------- addr-spec (regbadct)

    @Test
    void regbadct_aUriWithHeadersOutsideAngleBrackets_is400_andRegistersNothing() throws Exception {
        assertRefused("REGISTER", "", "Contact: sip:user@127.0.0.1?Route=%3Csip:sip.example.com%3E",
                "URI with , ; or ? outside angle brackets in Contact header");
        assertRefused("OPTIONS", "probe", "From: sip:a@127.0.0.1?Subject=x;tag=9",
                "URI with , ; or ? outside angle brackets in From header");
    }

    @Test
    void addrSpecWithHeaderParameters_andUriHeadersInsideAngleBrackets_areServed() throws Exception {
        // RFC 4475 inv2543's To: the ;user=phone outside <> is a header parameter, which is legal
        assertServed("OPTIONS", "probe", "To: sip:+16505552222@127.0.0.1;user=phone", "SIP/2.0 200 OK");
        assertServed("REGISTER", "", "Contact: <sip:user@127.0.0.1?Route=%3Csip:sip.example.com%3E>",
                "SIP/2.0 401 Unauthorized");
    }

    // ---------------------------------------------------------------------------------------- RFC 2543 (inv2543)

    /**
     * RFC 4475 §3.4 {@code inv2543}'s backwards-compatible traits: no Via branch, no From tag, no Max-Forwards, no
     * Content-Length (the body is the rest of the datagram). With a Contact (which {@code inv2543} lacks, see
     * docs/security/malformed-sip.md) such an INVITE parks.
     */
    @Test
    void rfc2543StyleInvite_noBranchNoFromTagNoMaxForwardsNoContentLength_parks() throws Exception {
        int lp = socket.getLocalPort();
        String id = "rfc2543";
        String sdp = "v=0\r\no=- 123 1 IN IP4 127.0.0.1\r\ns=park\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        send("INVITE sip:*68@" + LOCAL + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + LOCAL + ":" + lp + "\r\n"
                + "From: <sip:+4930123@" + LOCAL + ":" + lp + ";user=phone>\r\n"
                + "To: sip:*68@" + LOCAL + ";user=phone\r\n"
                + "Call-ID: " + id + "-" + System.nanoTime() + "\r\n"
                + "CSeq: 56 INVITE\r\n"
                + "Contact: <sip:+4930123@" + LOCAL + ":" + lp + ">\r\n"
                + "Referred-By: <sip:101@" + LOCAL + ">\r\n"
                + "Content-Type: application/sdp\r\n\r\n" + sdp);
        String answer = finalAnswer(id);
        assertEquals("SIP/2.0 200 OK", firstLine(answer), answer);
        assertTrue(answer.contains("m=audio"), "our answer carries SDP: " + answer);
        SipTests.awaitParked(core.service(), SlotId.extension(TenantId.DEFAULT, "101"), media.log);
        StringBuilder ack = new StringBuilder("ACK sip:*68@" + LOCAL + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + LOCAL + ":" + lp + ";branch=z9hG4bK-ack-" + System.nanoTime() + "\r\n");
        for (String h : answer.split("\r\n")) {
            if (h.startsWith("From:") || h.startsWith("To:") || h.startsWith("Call-ID:")) {
                ack.append(h).append("\r\n");
            }
        }
        send(ack.append("CSeq: 56 ACK\r\nContent-Length: 0\r\n\r\n").toString());
        SipTests.endAll(core.service());
    }

    /**
     * {@code inv2543} as published has no Contact: JAIN-SIP refuses a server transaction for it (RFC 3261 §8.1.1.8)
     * and we would have no target for our BYE, so it stays a stateless 400 that says why (left so on purpose).
     */
    @Test
    void inv2543_withoutContact_isOneWellFormed400SayingSo() throws Exception {
        int lp = socket.getLocalPort();
        send("INVITE sip:UserB@" + LOCAL + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + LOCAL + ":" + lp + "\r\n"
                + "From: <sip:+13035551111@ift.client.example.net;user=phone>\r\n"
                + "Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>\r\n"
                + "To: sip:+16505552222@ss1.example.net;user=phone\r\n"
                + "Call-ID: inv2543-" + System.nanoTime() + "@ift.client.example.com\r\n"
                + "CSeq: 56 INVITE\r\n"
                + "Content-Type: application/sdp\r\n\r\n"
                + "v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
                + "m=audio 49217 RTP/AVP 0\r\n");
        String answer = finalAnswer("inv2543");
        assertEquals("SIP/2.0 400 Bad request", firstLine(answer), answer);
        assertTrue(answer.contains("Warning: 399 127.0.0.1 \"an INVITE needs a Contact\""), answer);
    }

    // ---------------------------------------------------------------------------------------- helpers

    private void assertRefused(String method, String user, String header, String reason) throws IOException {
        String id = "hr-" + Integer.toHexString(header.hashCode());
        send(request(method, user, id, header));
        String answer = finalAnswer(id);
        String line = firstLine(answer);
        assertTrue(STATUS_LINE.matcher(line).matches(), "one well-formed status line: " + line);
        assertTrue(answer.startsWith(line + "\r\n"), "CRLF ends the status line: " + answer);
        assertEquals("SIP/2.0 400 Bad Request (" + reason + ")", line, header);
    }

    private void assertServed(String method, String user, String header, String expected) throws IOException {
        String id = "hs-" + Integer.toHexString(header.hashCode());
        send(request(method, user, id, header));
        assertEquals(expected, firstLine(finalAnswer(id)), header);
    }

    /**
     * A request to {@code user} (REGISTER: to the domain) whose header of {@code header}'s name is replaced by it, or
     * which gets it added.
     */
    private String request(String method, String user, String id, String header) {
        int lp = socket.getLocalPort();
        String ruri = user.isEmpty() ? "sip:" + LOCAL + ":" + port : "sip:" + user + "@" + LOCAL + ":" + port;
        String to = user.isEmpty() ? "<sip:user@" + LOCAL + ">" : "<sip:" + user + "@" + LOCAL + ":" + port + ">";
        String msg = method + " " + ruri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + LOCAL + ":" + lp + ";branch=z9hG4bK-" + id + "-" + System.nanoTime()
                + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: \"Customer\" <sip:+4930123@" + LOCAL + ":" + lp + ">;tag=" + id + "\r\n"
                + "To: " + to + "\r\n"
                + "Call-ID: " + id + "-" + System.nanoTime() + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + "Contact: <sip:+4930123@" + LOCAL + ":" + lp + ">\r\n";
        String name = header.substring(0, header.indexOf(':'));
        msg = msg.contains("\r\n" + name + ":")
                ? msg.replaceFirst("\r\n" + name + ":[^\r]*", "\r\n" + java.util.regex.Matcher.quoteReplacement(header))
                : msg + header + "\r\n";
        String sdp = "v=0\r\no=- 123 1 IN IP4 127.0.0.1\r\ns=park\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return "INVITE".equals(method)
                ? msg + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp
                : msg + "Content-Length: 0\r\n\r\n";
    }

    private void send(String message) throws IOException {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, InetAddress.getByName(LOCAL), port));
    }

    /** The first final response to the request with Call-ID {@code id-...} (1xx and other answers skipped). */
    private String finalAnswer(String id) throws IOException {
        while (true) {
            byte[] buf = new byte[65_535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            String a = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
            if (a.contains("Call-ID: " + id + "-") && !a.startsWith("SIP/2.0 1")) {
                return a;
            }
        }
    }

    private void drain() throws IOException {
        socket.setSoTimeout(200);
        try {
            while (true) {
                socket.receive(new DatagramPacket(new byte[65_535], 65_535));
            }
        } catch (SocketTimeoutException e) {
            // all there is
        } finally {
            socket.setSoTimeout(3000);
        }
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
}
