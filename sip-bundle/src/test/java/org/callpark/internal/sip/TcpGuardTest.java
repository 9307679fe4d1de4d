package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

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
import org.junit.jupiter.api.parallel.ResourceLock;

import gov.nist.javax.sip.message.MessageFactoryImpl;

/**
 * SIP over TCP under load and abuse (issue 14 R5), against a real JAIN-SIP stack as {@link SipEndpoint} starts it for
 * the SIP server (the same stack properties and {@link GuardedTcpFactory}), with a listener that answers every request
 * 200, and real sockets: idle connections cost no threads, connections without a complete message are closed after
 * {@code tcpIdleTimeout}, complete requests over TCP (and UDP) are answered, connections beyond
 * {@code tcpMaxConnections} are closed. Figures are printed, not asserted.
 */
class TcpGuardTest {

    private static final String LOCAL = "127.0.0.1";
    private SipEndpoint endpoint;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // gone
            }
        }
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

    private int start(int idleSeconds, int maxConnections) throws IOException {
        TestSipConfig c = new TestSipConfig();
        c.port = TestCluster.freePort(31060 + ThreadLocalRandom.current().nextInt(400) * 2);
        c.tcpIdleTimeout = idleSeconds;
        c.tcpMaxConnections = maxConnections;
        SipSettings settings = SipSettings.from(c, k -> null, k -> null);
        endpoint = SipEndpoint.start(settings, new Answering());
        return c.port;
    }

    private Socket connect(int port) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress(LOCAL, port), 5000);
        return s;
    }

    private static String options(String transport, int localPort, int port, String callId) {
        return "OPTIONS sip:" + LOCAL + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + LOCAL + ":" + localPort + ";branch=z9hG4bK" + callId + "\r\n"
                + "From: <sip:test@" + LOCAL + ">;tag=1\r\nTo: <sip:" + LOCAL + ":" + port + ">\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    }

    /** Sends an OPTIONS on {@code s} and returns the status line of the answer. */
    private static String ask(Socket s, int port, String callId) throws IOException {
        s.getOutputStream().write(options("TCP", s.getLocalPort(), port, callId).getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(5000);
        StringBuilder b = new StringBuilder();
        InputStream in = s.getInputStream();
        while (b.indexOf("\r\n\r\n") < 0) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            if (b.length() == 0 && (c == '\r' || c == '\n')) {
                continue; // the stack's answers to CRLF keep-alives (RFC 5626 pongs)
            }
            b.append((char) c);
        }
        return b.toString().split("\r\n")[0];
    }

    /** Milliseconds until the server closes {@code s} (end of stream or reset), or -1 if open after {@code max}. */
    private static long closedWithin(Socket s, long t0, long maxMillis) throws IOException {
        s.setSoTimeout(100);
        while (System.nanoTime() - t0 < maxMillis * 1_000_000) {
            try {
                if (s.getInputStream().read() < 0) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                return (System.nanoTime() - t0) / 1_000_000; // reset
            }
        }
        return -1;
    }

    @Test
    @ResourceLock(ParkMediaSafetyTest.THREAD_COUNT) // it counts the JVM's threads: not while that class runs
    void twoThousandIdleConnectionsCostNoThreadPerConnection() throws Exception {
        int port = start(30, 2100);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Runtime rt = Runtime.getRuntime();
        System.gc();
        int before = threads.getThreadCount();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        long t0 = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            connect(port);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        // the last connection is answered: the selector has accepted every connection before it
        assertEquals("SIP/2.0 200 OK", ask(sockets.get(sockets.size() - 1), port, "last-" + port));
        System.gc();
        int after = threads.getThreadCount();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        System.out.printf("[tcp] 2000 idle TCP connections: threads %d -> %d (+%d), heap %+.1f MB, connected at %.0f/s%n",
                before, after, after - before, (heapAfter - heapBefore) / 1048576.0, 2000 / seconds);
        assertTrue(after - before < 50, "threads grew by " + (after - before) + " for 2000 idle connections");
    }

    @Test
    void connectionsWithoutACompleteMessageAreClosedAfterTheIdleTimeout() throws Exception {
        assertTrue((int) SipConfig.class.getMethod("tcpIdleTimeout").getDefaultValue() <= 30, "default ≤ 30 s");
        int port = start(2, 100);
        Socket idle = connect(port);
        long t0 = System.nanoTime();
        Socket slow = connect(port);
        Socket phone = connect(port);
        assertEquals("SIP/2.0 200 OK", ask(phone, port, "phone-" + port));
        byte[] partial = options("TCP", slow.getLocalPort(), port, "slow-" + port).getBytes(StandardCharsets.US_ASCII);
        OutputStream out = slow.getOutputStream();
        long slowClosed = -1;
        // a slowloris: one byte every 300 ms, never a whole message (the stack's idle timer alone would never fire)
        for (int i = 0; i < 40 && slowClosed < 0; i++) {
            try {
                out.write(partial[i]);
                out.flush();
            } catch (IOException e) {
                slowClosed = (System.nanoTime() - t0) / 1_000_000;
                break;
            }
            slowClosed = closedWithin(slow, System.nanoTime(), 300);
            if (slowClosed >= 0) {
                slowClosed = (System.nanoTime() - t0) / 1_000_000;
            }
        }
        long idleClosed = closedWithin(idle, t0, 6000);
        System.out.printf("[tcp] tcpIdleTimeout 2 s: idle connection closed after %d ms, slowloris after %d ms%n",
                idleClosed, slowClosed);
        assertTrue(idleClosed >= 1500 && idleClosed <= 6000, "idle connection closed after " + idleClosed + " ms");
        assertTrue(slowClosed >= 1500 && slowClosed <= 6000, "slowloris closed after " + slowClosed + " ms");
        // a phone that sent a request and keeps the connection with CRLF keep-alives stays connected
        for (int i = 0; i < 6; i++) {
            phone.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(500);
        }
        assertEquals("SIP/2.0 200 OK", ask(phone, port, "phone2-" + port), "the phone's connection is still served");
    }

    @Test
    void requestsOverTcpAndUdpAreAnsweredAndConnectionsOverTheLimitAreClosed() throws Exception {
        int port = start(30, 5);
        List<Socket> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Socket s = connect(port);
            five.add(s);
            assertEquals("SIP/2.0 200 OK", ask(s, port, "c" + i + "-" + port));
        }
        Socket sixth = connect(port); // the kernel completes the handshake; the server closes it on accept
        long closed = closedWithin(sixth, System.nanoTime(), 3000);
        assertTrue(closed >= 0, "the sixth connection was not closed");
        five.get(0).close();
        Thread.sleep(200); // the server sees the close
        Socket again = connect(port);
        assertEquals("SIP/2.0 200 OK", ask(again, port, "again-" + port), "a free slot is used again");
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOCAL, 0))) {
            byte[] b = options("UDP", udp.getLocalPort(), port, "udp-" + port).getBytes(StandardCharsets.US_ASCII);
            udp.send(new DatagramPacket(b, b.length, InetAddress.getByName(LOCAL), port));
            udp.setSoTimeout(5000);
            DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
            udp.receive(p);
            assertTrue(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)
                    .startsWith("SIP/2.0 200 OK"), "UDP is answered as before");
        }
    }

    @Test
    void theTcpKeysAreValidatedAndOverriddenLikeEveryOther() {
        TestSipConfig c = new TestSipConfig();
        SipSettings d = SipSettings.from(c, k -> null, k -> null);
        assertEquals(new SipSettings.Tcp(30, 1000), d.tcp(), "the shipped defaults");
        SipSettings env = SipSettings.from(c, k -> null, k -> switch (k) {
            case "CALLPARK_SIP_TCP_IDLE_TIMEOUT" -> "5";
            case "CALLPARK_SIP_TCP_MAX_CONNECTIONS" -> "200";
            default -> null;
        });
        assertEquals(new SipSettings.Tcp(5, 200), env.tcp());
        assertTrue(!d.sameNetwork(env), "a change of the TCP guards restarts the stack");
        c.tcpIdleTimeout = 0;
        c.tcpMaxConnections = 0;
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SipSettings.from(c, k -> null, k -> null));
        assertTrue(e.getMessage().contains("tcpIdleTimeout") && e.getMessage().contains("tcpMaxConnections"),
                e.getMessage());
        c.tcpIdleTimeout = 301;
        c.tcpMaxConnections = 10;
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SipSettings.from(c, k -> null, k -> null)).getMessage().startsWith("tcpIdleTimeout: must be"));
    }
}
