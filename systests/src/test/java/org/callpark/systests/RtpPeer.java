package org.callpark.systests;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test-owned RTP endpoint: a UDP socket on an even port whose number goes into the SDP offer sipp sends, a
 * receiver thread recording every packet with its arrival time, and an optional 20 ms paced tone sender (G.711),
 * sent from the same socket (symmetric RTP) to where the server's packets come from.
 */
public final class RtpPeer implements AutoCloseable {

    /** One received RTP packet. */
    public record Packet(long nanos, long epochMicros, int pt, boolean marker, int seq, long ts, long ssrc,
            byte[] payload, InetSocketAddress source) {
    }

    private final DatagramSocket socket;
    private final List<Packet> packets = new ArrayList<>();
    private final Thread receiver;
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rtp-sender");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> tone;
    private volatile boolean closed;

    public RtpPeer(String address) throws IOException {
        socket = bindEven(address);
        receiver = new Thread(this::receive, "rtp-receiver-" + socket.getLocalPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    private static DatagramSocket bindEven(String address) throws IOException {
        for (int i = 0; i < 200; i++) {
            int port = Sipp.freeUdpPort();
            try {
                return new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), port));
            } catch (SocketException e) {
                // raced, next
            }
        }
        throw new IOException("no free RTP port");
    }

    public int port() {
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
            long nanos = System.nanoTime();
            Instant now = Instant.now();
            if (p.getLength() < 12 || (buf[0] & 0xC0) != 0x80) {
                continue;
            }
            int pt = buf[1] & 0x7F;
            if (pt >= 72 && pt <= 76) {
                continue; // RTCP
            }
            int cc = buf[0] & 0x0F;
            int off = 12 + 4 * cc;
            int seq = ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF);
            long ts = u32(buf, 4);
            long ssrc = u32(buf, 8);
            byte[] payload = java.util.Arrays.copyOfRange(buf, off, p.getLength());
            Packet packet = new Packet(nanos, now.getEpochSecond() * 1_000_000L + now.getNano() / 1000, pt,
                    (buf[1] & 0x80) != 0, seq, ts, ssrc, payload, (InetSocketAddress) p.getSocketAddress());
            synchronized (packets) {
                packets.add(packet);
                packets.notifyAll();
            }
        }
    }

    private static long u32(byte[] b, int o) {
        return ((long) (b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }

    /** Waits (bounded) until at least {@code n} packets arrived; returns whether they did. */
    public boolean awaitPackets(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (packets) {
            while (packets.size() < n) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                packets.wait(left);
            }
            return true;
        }
    }

    public List<Packet> packets() {
        synchronized (packets) {
            return new ArrayList<>(packets);
        }
    }

    /** Packets that arrived after {@code fromNanos}. */
    public List<Packet> packetsSince(long fromNanos) {
        return packets().stream().filter(p -> p.nanos() >= fromNanos).toList();
    }

    public void clear() {
        synchronized (packets) {
            packets.clear();
        }
    }

    /** Where the server's RTP comes from (its leg's port): null before the first packet. */
    public InetSocketAddress serverAddress() {
        List<Packet> ps = packets();
        return ps.isEmpty() ? null : ps.get(0).source();
    }

    /** Sends a sine tone as G.711 (PT 0 or 8), 160 samples every 20 ms, to {@code dest}. */
    public synchronized void startTone(double hz, int pt, InetSocketAddress dest) {
        stopTone();
        long ssrc = 0x1234_0000L + port();
        int[] seq = {1000};
        long[] ts = {5000};
        long[] sample = {0};
        tone = sender.scheduleAtFixedRate(() -> {
            byte[] b = new byte[12 + 160];
            b[0] = (byte) 0x80;
            b[1] = (byte) (pt | (seq[0] == 1000 ? 0x80 : 0));
            b[2] = (byte) (seq[0] >> 8);
            b[3] = (byte) seq[0];
            put32(b, 4, ts[0]);
            put32(b, 8, ssrc);
            for (int i = 0; i < 160; i++) {
                double v = 8000 * Math.sin(2 * Math.PI * hz * (sample[0]++) / 8000.0);
                b[12 + i] = pt == 8 ? Audio.linearToAlaw((short) v) : Audio.linearToUlaw((short) v);
            }
            seq[0] = (seq[0] + 1) & 0xFFFF;
            ts[0] += 160;
            try {
                socket.send(new DatagramPacket(b, b.length, dest));
            } catch (IOException e) {
                // closed
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
    }

    public synchronized void stopTone() {
        if (tone != null) {
            tone.cancel(false);
            tone = null;
        }
    }

    private static void put32(byte[] b, int o, long v) {
        b[o] = (byte) (v >> 24);
        b[o + 1] = (byte) (v >> 16);
        b[o + 2] = (byte) (v >> 8);
        b[o + 3] = (byte) v;
    }

    @Override
    public void close() {
        closed = true;
        stopTone();
        sender.shutdownNow();
        socket.close();
    }
}
