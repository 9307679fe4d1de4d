package org.callpark.itests;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What a parked SIP caller hears, as the test sees it: a UDP socket on 127.0.0.1 whose port goes into the caller's
 * SDP (sipp's {@code park_hold} scenario, {@code -key rtp_port}), and a thread noting the arrival time of every RTP
 * packet. Sends nothing (the server's hold music needs no packets from the caller).
 */
final class RtpListener implements AutoCloseable {

    private final DatagramSocket socket;
    private final List<Long> arrivals = new ArrayList<>();
    private volatile boolean closed;

    RtpListener() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread receiver = new Thread(this::receive, "itest-rtp-" + socket.getLocalPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void receive() {
        byte[] buf = new byte[2048];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            // RTP version 2, not RTCP (payload types 72-76 with the marker bit: 200-204)
            int pt = buf[1] & 0x7F;
            if (p.getLength() >= 12 && (buf[0] & 0xC0) == 0x80 && (pt < 72 || pt > 76)) {
                synchronized (arrivals) {
                    arrivals.add(System.nanoTime());
                }
            }
        }
    }

    /** Packets that arrived at or after {@code fromNanos} ({@link System#nanoTime()}). */
    int packetsSince(long fromNanos) {
        synchronized (arrivals) {
            int n = 0;
            for (int i = arrivals.size() - 1; i >= 0 && arrivals.get(i) >= fromNanos; i--) {
                n++;
            }
            return n;
        }
    }

    /** Waits until {@code count} packets in all have arrived; false at the timeout. */
    boolean awaitPackets(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            synchronized (arrivals) {
                if (arrivals.size() >= count) {
                    return true;
                }
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** The longest time without a packet between {@code fromNanos} and {@code toNanos}, the edges included, in ms. */
    long longestSilenceMillis(long fromNanos, long toNanos) {
        long prev = fromNanos;
        long max = 0;
        synchronized (arrivals) {
            for (long t : arrivals) {
                if (t < fromNanos || t > toNanos) {
                    continue;
                }
                max = Math.max(max, t - prev);
                prev = t;
            }
        }
        return Math.max(max, toNanos - prev) / 1_000_000;
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }
}
