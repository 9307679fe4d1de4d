package org.callpark.media.internal.rtp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that carries every leg's RTP: a single NIO {@link Selector} for all inbound RTP and RTCP, and
 * absolute-deadline 20 ms pacing for every leg that plays music or a prompt. Leg state is only touched on this thread;
 * other threads hand it work through {@link #execute(Runnable)}.
 *
 * <p>Pacing: tick {@code k} is due at {@code start + k * 20 ms} (absolute, so lateness never accumulates). A tick late
 * by more than 200 ms (a stalled JVM) is not caught up frame by frame: the schedule jumps forward and legs continue with
 * a timestamp gap, as a real sender would after a pause.
 */
public final class RtpLoop implements AutoCloseable {

    public static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final Logger LOG = LoggerFactory.getLogger(RtpLoop.class);

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<RtpLeg> paced = new ArrayList<>();
    private final ByteBuffer in = ByteBuffer.allocateDirect(2048);
    private final ByteBuffer out = ByteBuffer.allocateDirect(2048);
    private final byte[] scratch = new byte[2048];
    private final Executor callbacks;
    private final Transcoder.Factory transcoders;
    private volatile boolean running = true;
    private long tick;
    private final AtomicLong lateTicks = new AtomicLong();
    private final AtomicLong ticks = new AtomicLong();
    /** Gets each tick's lateness (ns from its deadline to its last packet sent); set by the metrics while bound. */
    private volatile LongConsumer lateness = n -> {
    };
    private volatile long lastTickAt = System.nanoTime();

    /**
     * @param name        the thread's name
     * @param callbacks   where prompt-done callbacks run (never on this thread: they may block)
     * @param transcoders makes codec converters for bridges between legs of different codecs
     */
    public RtpLoop(String name, Executor callbacks, Transcoder.Factory transcoders) throws IOException {
        this.selector = Selector.open();
        this.callbacks = callbacks;
        this.transcoders = transcoders;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MAX_PRIORITY);
        this.thread.start();
    }

    /** Runs {@code task} on the loop thread, soon. */
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Ticks that were due more than one period before they ran (a measure of pacing trouble). */
    public long lateTicks() {
        return lateTicks.get();
    }

    public long ticks() {
        return ticks.get();
    }

    /**
     * Hands every tick's lateness to {@code sink} (on this thread: it must be cheap and not allocate), {@code null}
     * to stop. One {@link System#nanoTime()} per tick, nothing per packet.
     */
    public void lateness(LongConsumer sink) {
        this.lateness = sink == null ? n -> {
        } : sink;
    }

    /** Whether the loop runs and ticked within {@code maxNanos} (the health check). */
    public boolean ticking(long maxNanos) {
        return running && thread.isAlive() && System.nanoTime() - lastTickAt <= maxNanos;
    }

    Executor callbacks() {
        return callbacks;
    }

    Transcoder.Factory transcoders() {
        return transcoders;
    }

    long currentTick() {
        return tick;
    }

    void register(RtpLeg leg, DatagramChannel rtp, DatagramChannel rtcp) throws ClosedChannelException {
        rtp.register(selector, SelectionKey.OP_READ, leg);
        if (rtcp != null) {
            rtcp.register(selector, SelectionKey.OP_READ, new RtcpKey(leg));
        }
    }

    /** Lets the selector forget cancelled keys now, so a closed leg's port is really free when close() returns. */
    void flushCancelledKeys() {
        try {
            selector.selectNow();
        } catch (IOException e) {
            LOG.debug("selectNow failed: {}", e.toString());
        }
    }

    void startPacing(RtpLeg leg) {
        if (!paced.contains(leg)) {
            paced.add(leg);
        }
    }

    void stopPacing(RtpLeg leg) {
        paced.remove(leg);
    }

    /** Sends one RTP packet from {@code channel}; the header fields are the caller's. */
    void send(DatagramChannel channel, SocketAddress to, boolean marker, int pt, int seq, long ts, int ssrc,
            byte[] payload, int offset, int length) {
        out.clear();
        out.put((byte) 0x80);
        out.put((byte) ((marker ? 0x80 : 0) | (pt & 0x7f)));
        out.putShort((short) seq);
        out.putInt((int) ts);
        out.putInt(ssrc);
        out.put(payload, offset, length);
        out.flip();
        try {
            channel.send(out, to);
        } catch (IOException e) {
            LOG.debug("RTP send to {} failed: {}", to, e.toString());
        }
    }

    private void run() {
        long start = System.nanoTime();
        long next = start + PERIOD_NANOS;
        while (running) {
            try {
                long wait = next - System.nanoTime();
                if (wait >= 1_000_000) {
                    selector.select(wait / 1_000_000); // whole milliseconds, never past the deadline
                } else {
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // the sub-millisecond rest: sleep, do not spin
                    }
                    selector.selectNow();
                }
                if (!running) {
                    break;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isValid() && key.isReadable()) {
                        receive(key);
                    }
                }
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    runSafely(task);
                }
                long now = System.nanoTime();
                if (now >= next) {
                    if (now - next > PERIOD_NANOS) {
                        lateTicks.incrementAndGet();
                    }
                    if (now - next > 10 * PERIOD_NANOS) {
                        long skip = (now - next) / PERIOD_NANOS;
                        tick += skip;
                        next += skip * PERIOD_NANOS;
                    }
                    tick++;
                    ticks.incrementAndGet();
                    long due = next;
                    next += PERIOD_NANOS;
                    for (int i = paced.size() - 1; i >= 0; i--) {
                        RtpLeg leg = paced.get(i);
                        try {
                            leg.onTick(tick);
                        } catch (RuntimeException e) {
                            LOG.warn("Leg {}: pacing failed: {}", leg.id(), e.toString(), e);
                            paced.remove(leg);
                        }
                    }
                    lastTickAt = System.nanoTime();
                    lateness.accept(lastTickAt - due);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("RTP loop: {}", e.toString(), e);
            }
        }
        for (Runnable task; (task = tasks.poll()) != null;) {
            runSafely(task);
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("RTP loop task failed: {}", e.toString(), e);
        }
    }

    /**
     * Reads one datagram of a ready key. Not until the socket is empty: a relayed or received RTP stream brings one
     * packet per 20 ms, so a second {@code receive} would almost always be a system call that returns nothing (a
     * quarter of a relayed packet's calls). A socket with more waiting is still ready at the next {@code select},
     * which comes at once, so a burst is drained in turn with the other legs and no leg can starve the pacing.
     */
    private void receive(SelectionKey key) {
        DatagramChannel ch = (DatagramChannel) key.channel();
        Object att = key.attachment();
        in.clear();
        SocketAddress from;
        try {
            from = ch.receive(in);
        } catch (IOException e) {
            LOG.debug("RTP receive failed: {}", e.toString());
            return;
        }
        if (from == null) {
            return;
        }
        in.flip();
        int len = in.remaining();
        if (att instanceof RtpLeg leg) {
            in.get(scratch, 0, len);
            leg.onPacket(scratch, len, (InetSocketAddress) from);
        } else if (att instanceof RtcpKey rk) {
            rk.leg().onRtcp(len);
        }
    }

    /** Stops the thread after it has run the tasks already queued (e.g. leg closes). */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private record RtcpKey(RtpLeg leg) {
    }
}
