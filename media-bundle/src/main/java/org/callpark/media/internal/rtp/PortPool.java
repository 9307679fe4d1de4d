package org.callpark.media.internal.rtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.BitSet;

/**
 * Hands out even RTP ports (RTCP on port + 1) in {@code [min, max]}, round robin so a just-freed port is reused last.
 * A port another process holds is skipped.
 */
public final class PortPool {

    /** A bound RTP/RTCP channel pair. */
    public record Bound(int port, DatagramChannel rtp, DatagramChannel rtcp) {
    }

    private final InetAddress address;
    private final int min;
    private final int max;
    private final BitSet used = new BitSet();
    private int next;

    public PortPool(InetAddress address, int min, int max) {
        if (min < 1024 || max > 65534 || min >= max) {
            throw new IllegalArgumentException("RTP port range " + min + ".." + max + " is invalid");
        }
        this.address = address;
        this.min = min + (min & 1);
        this.max = max;
        this.next = this.min;
    }

    public InetAddress address() {
        return address;
    }

    /** Binds the next free pair, or throws if the whole range is taken. */
    public synchronized Bound bind() throws IOException {
        int count = (max - min) / 2 + 1;
        for (int i = 0; i < count; i++) {
            int port = next;
            next = next + 2 > max - 1 ? min : next + 2;
            if (used.get(port) || port + 1 > max + 1) {
                continue;
            }
            DatagramChannel rtp = null;
            DatagramChannel rtcp = null;
            try {
                rtp = DatagramChannel.open();
                rtp.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                rtp.bind(new InetSocketAddress(address, port));
                rtcp = DatagramChannel.open();
                rtcp.bind(new InetSocketAddress(address, port + 1));
                rtp.configureBlocking(false);
                rtcp.configureBlocking(false);
                used.set(port);
                return new Bound(port, rtp, rtcp);
            } catch (IOException e) {
                closeQuietly(rtp);
                closeQuietly(rtcp);
            }
        }
        throw new IOException("no free RTP port in " + min + ".." + max);
    }

    public synchronized void release(int port) {
        used.clear(port);
    }

    public synchronized int inUse() {
        return used.cardinality();
    }

    static void closeQuietly(DatagramChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
