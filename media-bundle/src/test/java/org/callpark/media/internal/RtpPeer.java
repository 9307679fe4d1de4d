package org.callpark.media.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A test RTP endpoint on 127.0.0.1: receives with arrival times, sends hand-made packets. */
final class RtpPeer implements AutoCloseable {

    record Packet(long nanos, boolean marker, int pt, int seq, long ts, int ssrc, byte[] payload) {
    }

    final DatagramSocket socket;

    RtpPeer() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setReceiveBufferSize(1 << 20);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Receives until {@code count} packets or {@code timeoutMillis} have passed. */
    List<Packet> receive(int count, long timeoutMillis) throws IOException {
        List<Packet> out = new ArrayList<>();
        long end = System.currentTimeMillis() + timeoutMillis;
        byte[] buf = new byte[2048];
        while (out.size() < count) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            out.add(parse(buf, p.getLength(), System.nanoTime()));
        }
        return out;
    }

    /** Reads and throws away whatever is queued or arrives within {@code millis}. */
    void drain(long millis) throws IOException {
        receive(Integer.MAX_VALUE, millis);
    }

    static Packet parse(byte[] b, int len, long nanos) {
        int seq = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        long ts = ((b[4] & 0xffL) << 24) | ((b[5] & 0xffL) << 16) | ((b[6] & 0xffL) << 8) | (b[7] & 0xffL);
        int ssrc = ((b[8] & 0xff) << 24) | ((b[9] & 0xff) << 16) | ((b[10] & 0xff) << 8) | (b[11] & 0xff);
        return new Packet(nanos, (b[1] & 0x80) != 0, b[1] & 0x7f, seq, ts, ssrc, Arrays.copyOfRange(b, 12, len));
    }

    void send(InetSocketAddress to, boolean marker, int pt, int seq, long ts, int ssrc, byte[] payload)
            throws IOException {
        byte[] b = new byte[12 + payload.length];
        b[0] = (byte) 0x80;
        b[1] = (byte) ((marker ? 0x80 : 0) | pt);
        b[2] = (byte) (seq >> 8);
        b[3] = (byte) seq;
        for (int i = 0; i < 4; i++) {
            b[4 + i] = (byte) (ts >> (24 - 8 * i));
            b[8 + i] = (byte) (ssrc >> (24 - 8 * i));
        }
        System.arraycopy(payload, 0, b, 12, payload.length);
        socket.send(new DatagramPacket(b, b.length, to));
    }

    /** A datagram as given (e.g. an RTCP packet). */
    void sendRaw(InetSocketAddress to, byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, to));
    }

    @Override
    public void close() {
        socket.close();
    }
}
