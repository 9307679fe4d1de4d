package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14 R1 against the real assembly and its real RTP loop: an unauthenticated park INVITE cannot make the server
 * stream hold music to a third party. The attacker is raw UDP from 127.0.0.1 (sipp would ACK); the third party is a
 * socket on another loopback address, 127.0.0.5, named in the attacker's SDP. The ordinary parks of the other system
 * tests (sipp, SDP = its own address) show that music still flows where it should.
 */
class MediaSafetyST {

    private static final String ATTACKER = "127.0.0.1";
    /** The never-ACKing sender: an address of its own, so its parks in progress do not count against the other test. */
    private static final String FLOODER = "127.0.0.3";
    private static final String THIRD_PARTY = "127.0.0.5";
    /** The shipped default of {@code parksInProgressPerSource}. */
    private static final int LIMIT = 20;
    private static final Pattern STATUS = Pattern.compile("^SIP/2.0 (\\d{3})");
    private static final Pattern CALL_ID = Pattern.compile("(?m)^Call-ID: *(\\S+)");
    private static final Pattern TO_TAG = Pattern.compile("(?m)^To: [^\\r\\n]*;tag=([^;\\s>]+)");
    private static final Pattern SDP_PORT = Pattern.compile("(?m)^m=audio (\\d+) ");
    private static final Pattern SDP_ADDRESS = Pattern.compile("(?m)^c=IN IP4 (\\S+)");

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer();

    /**
     * 25 park INVITEs that are never ACKed, each naming the third party's RTP port: the first 20 are answered 200,
     * the rest 503 (parks in progress per source), and for 4 s — the 200s' retransmissions included — not one RTP
     * packet reaches the third party.
     */
    @Test
    void neverAckedParksNamingAThirdPartySendItNothing() throws Exception {
        try (DatagramSocket sip = new DatagramSocket(Sipp.freeUdpPort(), InetAddress.getByName(FLOODER));
                RtpPeer victim = new RtpPeer(THIRD_PARTY)) {
            for (int i = 0; i < LIMIT + 5; i++) {
                send(sip, invite(sip, "noack-" + i + "-" + UUID.randomUUID(), THIRD_PARTY, victim.port()));
            }
            Map<String, String> finals = finals(sip, LIMIT + 5, 10_000);
            long ok = finals.values().stream().filter(s -> s.startsWith("SIP/2.0 200")).count();
            long refused = finals.values().stream().filter(s -> s.startsWith("SIP/2.0 503")).count();
            System.out.printf("[systests] %d never-ACKed park INVITEs: %d answered 200, %d refused 503%n",
                    LIMIT + 5, ok, refused);
            assertEquals(LIMIT, ok, "answered: at most parksInProgressPerSource");
            assertEquals(5, refused, "the others: 503");
            assertTrue(!victim.awaitPackets(1, 4000), "the third party received RTP: " + victim.packets().size()
                    + " packets from " + victim.serverAddress());
        }
    }

    /**
     * A park whose SDP names the third party, ACKed, whose caller then sends its own RTP from 127.0.0.1: the music
     * goes to that source (latched), never to the address in the SDP.
     */
    @Test
    void ackedParkNamingAThirdPartyGetsMusicAtItsOwnRtpSourceOnly() throws Exception {
        try (DatagramSocket sip = new DatagramSocket(Sipp.freeUdpPort(), InetAddress.getByName(ATTACKER));
                RtpPeer victim = new RtpPeer(THIRD_PARTY); RtpPeer caller = new RtpPeer(ATTACKER)) {
            String callId = "latch-" + UUID.randomUUID();
            send(sip, invite(sip, callId, THIRD_PARTY, victim.port()));
            String ok = finals(sip, 1, 10_000).get(callId);
            assertTrue(ok != null && ok.startsWith("SIP/2.0 200"), String.valueOf(ok));
            send(sip, inDialog(sip, "ACK", callId, ok));
            assertTrue(!victim.awaitPackets(1, 1500), "RTP to the SDP's third-party address after the ACK");

            InetSocketAddress leg = new InetSocketAddress(group(SDP_ADDRESS, ok), Integer.parseInt(group(SDP_PORT,
                    ok)));
            caller.startTone(1000, 0, leg); // the caller's own RTP, from 127.0.0.1
            assertTrue(caller.awaitPackets(50, 5000), "music at the caller's RTP source: " + caller.packets().size());
            caller.stopTone();
            List<RtpPeer.Packet> got = caller.packets();
            System.out.printf("[systests] latched: %d packets at the caller's own RTP source from %s, %d at the"
                    + " SDP's third party%n", got.size(), caller.serverAddress(), victim.packets().size());
            assertEquals(leg.getPort(), caller.serverAddress().getPort(), "from the parked leg");
            assertEquals(0, victim.packets().size(), "nothing ever reached the third party");
            send(sip, inDialog(sip, "BYE", callId, ok));
        }
    }

    // ------------------------------------------------------------------------------------------ raw SIP over UDP

    private static String invite(DatagramSocket from, String callId, String sdpAddress, int sdpPort) {
        String sdp = "v=0\r\no=- 1 1 IN IP4 " + sdpAddress + "\r\ns=-\r\nc=IN IP4 " + sdpAddress + "\r\nt=0 0\r\n"
                + "m=audio " + sdpPort + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return "INVITE sip:*68101@" + SERVER.address() + ":" + SERVER.sipPort() + " SIP/2.0\r\n"
                + via(from, callId + "-1") + dialogHeaders(callId, null) + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:+4930999@" + host(from) + ":" + from.getLocalPort() + ">\r\n"
                + "Referred-By: <sip:101@" + SERVER.address() + ">\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    private static String inDialog(DatagramSocket from, String method, String callId, String ok) {
        String tag = group(TO_TAG, ok);
        String cseq = method.equals("ACK") ? "1 ACK" : "2 BYE";
        return method + " sip:*68101@" + SERVER.address() + ":" + SERVER.sipPort() + " SIP/2.0\r\n"
                + via(from, callId + "-" + method) + dialogHeaders(callId, tag) + "CSeq: " + cseq + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String via(DatagramSocket from, String branch) {
        return "Via: SIP/2.0/UDP " + host(from) + ":" + from.getLocalPort() + ";branch=z9hG4bK" + branch.hashCode()
                + "\r\nMax-Forwards: 70\r\n";
    }

    private static String host(DatagramSocket s) {
        return s.getLocalAddress().getHostAddress();
    }

    private static String dialogHeaders(String callId, String toTag) {
        return "From: \"Outsider\" <sip:+4930999@" + ATTACKER + ">;tag=t" + callId.hashCode() + "\r\n"
                + "To: <sip:*68101@" + SERVER.address() + ">" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: " + callId + "\r\n";
    }

    private static String group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " in " + text);
        return m.group(1);
    }

    private static void send(DatagramSocket s, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, InetAddress.getByName(SERVER.address()), SERVER.sipPort()));
    }

    /** The first final response per Call-ID until {@code count} Call-IDs have one or {@code millis} passed. */
    private static Map<String, String> finals(DatagramSocket s, int count, long millis) throws IOException {
        Map<String, String> finals = new LinkedHashMap<>();
        long end = System.currentTimeMillis() + millis;
        byte[] buf = new byte[8192];
        while (finals.size() < count && System.currentTimeMillis() < end) {
            s.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            Matcher status = STATUS.matcher(text);
            Matcher id = CALL_ID.matcher(text);
            if (status.find() && Integer.parseInt(status.group(1)) >= 200 && id.find()) {
                finals.putIfAbsent(id.group(1), text);
            }
        }
        return finals;
    }
}
