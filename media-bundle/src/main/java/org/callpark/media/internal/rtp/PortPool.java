package org.callpark.media.internal.rtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.BitSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out even RTP ports (RTCP on port + 1) in {@code [min, max]}, round robin so a just-freed port is reused last.
 * A port another process holds is skipped.
 *
 * <p>Capacity: {@code (max - min + 1) / 2} legs, each holding two ports and two file descriptors, or one of each
 * without RTCP sockets (port + 1 is then left unbound: the peer's RTCP sent there is refused by the kernel, never read
 * by another leg). When no pair can be
 * bound the caller gets a {@link PortsExhaustedException} (the range is full, or the process is out of file
 * descriptors — then the scan stops at once instead of failing on every port); the first refusal of an episode is
 * logged as one WARN naming the range and the fix, the first bind after it as one INFO with the number refused.
 */
public final class PortPool {

    /** A bound RTP channel and its RTCP channel (null without RTCP sockets). */
    public record Bound(int port, DatagramChannel rtp, DatagramChannel rtcp) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PortPool.class);

    private final InetAddress address;
    private final int min;
    private final int max;
    private final boolean rtcpSockets;
    private final BitSet used = new BitSet();
    private int next;
    /** Refusals since the last successful bind; 0 while ports are available. */
    private long refused;

    public PortPool(InetAddress address, int min, int max) {
        this(address, min, max, true);
    }

    public PortPool(InetAddress address, int min, int max, boolean rtcpSockets) {
        if (min < 1024 || max > 65534 || min >= max) {
            throw new IllegalArgumentException("RTP port range " + min + ".." + max + " is invalid");
        }
        this.rtcpSockets = rtcpSockets;
        this.address = address;
        this.min = min + (min & 1);
        this.max = max;
        this.next = this.min;
    }

    public InetAddress address() {
        return address;
    }

    /** How many legs the range holds. */
    public int capacity() {
        return (max - min) / 2 + 1;
    }

    /**
     * Binds the next free pair.
     *
     * @throws PortsExhaustedException if the whole range is taken or no socket can be opened; nothing is left bound
     */
    public synchronized Bound bind() throws PortsExhaustedException {
        int count = capacity();
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
                rtcp = rtcpSockets ? DatagramChannel.open() : null;
            } catch (IOException e) {
                closeQuietly(rtp);
                int perLeg = rtcpSockets ? 2 : 1;
                throw refuse(PortsExhaustedException.Cause.NO_FILE_DESCRIPTORS, "cannot open an RTP socket ("
                        + e.getMessage() + "): the process is out of file descriptors; each leg needs " + perLeg
                        + ", raise 'ulimit -n' (LimitNOFILE) above " + (perLeg * capacity() + 2048)
                        + (rtcpSockets ? " or set rtcpSockets = false" : ""));
            }
            try {
                rtp.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                rtp.bind(new InetSocketAddress(address, port));
                rtp.configureBlocking(false);
                if (rtcp != null) {
                    rtcp.bind(new InetSocketAddress(address, port + 1));
                    rtcp.configureBlocking(false);
                }
            } catch (IOException e) {
                // held by another process (or just released and not yet reusable): try the next pair
                closeQuietly(rtp);
                closeQuietly(rtcp);
                continue;
            }
            used.set(port);
            if (refused > 0) {
                LOG.info("RTP ports available again ({} of {} legs in use) after {} refused legs", used.cardinality(),
                        capacity(), refused);
                refused = 0;
            }
            return new Bound(port, rtp, rtcp);
        }
        int ours = used.cardinality();
        throw refuse(PortsExhaustedException.Cause.RANGE_FULL, "no free RTP port pair in " + min + ".." + max
                + " (" + ours + " of " + capacity() + " legs in use by this node"
                + (ours < capacity() ? ", the other ports held by other processes" : "")
                + "): widen rtpPortMin/rtpPortMax in etc/org.callpark.media.cfg");
    }

    private PortsExhaustedException refuse(PortsExhaustedException.Cause cause, String message) {
        if (refused++ == 0) {
            LOG.warn("New calls are refused with 503 until RTP legs end: {}", message);
        }
        return new PortsExhaustedException(cause, message);
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
