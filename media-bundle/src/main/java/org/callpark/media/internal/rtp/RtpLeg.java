package org.callpark.media.internal.rtp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.callpark.media.internal.audio.AudioCodec;
import org.callpark.media.internal.audio.AudioLibrary;
import org.callpark.media.internal.audio.EncodedAudio;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One anchored RTP leg: its own port pair, SSRC, sequence and timestamp, and what it currently sends — nothing, looped
 * music, a prompt, or the payloads relayed from its peer. All state below the constructor's is owned by the
 * {@link RtpLoop} thread; the public methods only hand work to it.
 *
 * <p><b>Symmetric RTP:</b> packets go to the address from the SDP until the first valid RTP packet arrives; from then
 * on they go to that packet's source (latched once — NAT-friendly, and a later stray source cannot take the stream
 * over). <b>RTCP:</b> inbound RTCP on port + 1 (and multiplexed RTCP, PT 200–204) is read and ignored; none is sent.
 */
public final class RtpLeg implements MediaLeg {

    private static final Logger LOG = LoggerFactory.getLogger(RtpLeg.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final RtpLoop loop;
    private final PortPool pool;
    private final PortPool.Bound bound;
    private final InetSocketAddress local;
    // Set at construction, or once by connect() on the loop thread (a leg this server offered: a recall).
    private volatile Codec negotiated;
    private volatile AudioCodec codec;
    private volatile int pt;
    private final int tePt;
    private final int teClock;
    private final AudioLibrary sounds;
    private final Consumer<RtpLeg> onClosed;

    // --- owned by the loop thread ---
    private volatile InetSocketAddress remote;
    private boolean latched;
    private final int ssrc = RANDOM.nextInt();
    private int seq = RANDOM.nextInt(0x10000);
    private long lastTs = RANDOM.nextInt() & 0xffffffffL;
    private long lastTick = -1;
    private long lastSendNanos = -1;
    private boolean newSource = true;
    private EncodedAudio playing;
    private boolean looping;
    private int position;
    private Runnable done;
    private RtpLeg peer;
    private Transcoder toPeer;
    private boolean peerSourceNew = true;
    private long lastInTs;
    private int lastInSsrc;
    private long lastDtmfEndTs = -1;
    private volatile boolean closed;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dtmfEvents = new AtomicLong();
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong rtcp = new AtomicLong();

    /**
     * @param negotiated the audio codec as the remote offered it (its payload type)
     * @param te         the remote's telephone-event format, or null
     * @param remote     where the remote receives RTP (null or port 0: wait for its first packet)
     */
    public RtpLeg(String id, RtpLoop loop, PortPool pool, Codec negotiated, Codec te, InetSocketAddress remote,
            AudioLibrary sounds, Consumer<RtpLeg> onClosed) throws IOException {
        this.id = id;
        this.loop = loop;
        this.pool = pool;
        this.negotiated = negotiated;
        this.codec = AudioCodec.bySdpName(negotiated.name());
        this.pt = negotiated.payloadType();
        this.tePt = te == null ? -1 : te.payloadType();
        this.teClock = te == null ? 0 : te.clockRate();
        this.sounds = sounds;
        this.onClosed = onClosed;
        this.remote = remote == null || remote.getPort() == 0 || remote.isUnresolved() ? null : remote;
        this.bound = pool.bind();
        this.local = new InetSocketAddress(pool.address(), bound.port());
        CountDownLatch registered = new CountDownLatch(1);
        IOException[] failure = new IOException[1];
        loop.execute(() -> {
            try {
                loop.register(this, bound.rtp(), bound.rtcp());
            } catch (IOException e) {
                failure[0] = e;
            }
            registered.countDown();
        });
        await(registered);
        if (failure[0] != null) {
            releasePort();
            throw failure[0];
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public Codec codec() {
        return negotiated;
    }

    /**
     * For a leg this server offered (a recall INVITE): the answerer's address and the codec it picked from our offer.
     * Applied on the loop thread, before any bridge queued after it.
     */
    @Override
    public void connect(InetSocketAddress to, Codec answered) {
        AudioCodec ac = AudioCodec.bySdpName(answered.name());
        if (ac == null || ac.clockRate() != answered.clockRate()) {
            throw new IllegalArgumentException("leg " + id + ": the answer's codec " + answered + " is not supported");
        }
        if (to == null || to.isUnresolved() || to.getPort() == 0) {
            throw new IllegalArgumentException("leg " + id + ": no usable RTP address in the answer: " + to);
        }
        loop.execute(() -> {
            negotiated = answered;
            codec = ac;
            pt = answered.payloadType();
            if (!latched) {
                remote = to; // a packet from the answerer that came first wins (symmetric RTP)
            }
        });
    }

    public AudioCodec audioCodec() {
        return codec;
    }

    /** Where packets go now (the SDP address, or the latched source). */
    public InetSocketAddress remote() {
        return remote;
    }

    public long sentPackets() {
        return sent.get();
    }

    public long receivedPackets() {
        return received.get();
    }

    /** Completed RFC 4733 events received (counted once per event, at its first end packet). */
    public long dtmfEvents() {
        return dtmfEvents.get();
    }

    public long relayedPackets() {
        return relayed.get();
    }

    public long rtcpPackets() {
        return rtcp.get();
    }

    @Override
    public void hold(String music) {
        loop.execute(() -> {
            if (closed) {
                return;
            }
            unlink();
            finishPrompt();
            play(sounds.music(music, codec), true, null);
        });
    }

    @Override
    public void prompt(String prompt, Runnable done) {
        loop.execute(() -> {
            EncodedAudio p = closed ? null : sounds.prompt(prompt, codec);
            if (p == null) {
                if (!closed) {
                    LOG.warn("Leg {}: no prompt named '{}'", id, prompt);
                }
                fire(done);
                return;
            }
            unlink();
            finishPrompt();
            play(p, false, done);
        });
    }

    @Override
    public void bridge(MediaLeg other) {
        if (!(other instanceof RtpLeg o) || o.loop != loop) {
            throw new IllegalArgumentException("leg " + other.id() + " is not a leg of this media controller");
        }
        if (o == this) {
            throw new IllegalArgumentException("a leg cannot be bridged to itself");
        }
        // Synchronous: when bridge() returns the relay is in place, so the first packets either side sends after
        // the answer are relayed, not dropped as unbridged.
        CountDownLatch bridged = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                link(o);
            } finally {
                bridged.countDown();
            }
        });
        if (!loop.inLoop()) {
            await(bridged);
        }
    }

    /** Stops music, prompt and relay (both ways: the peer is unlinked too); RTP from the remote is still read. */
    @Override
    public void silence() {
        loop.execute(() -> {
            if (closed) {
                return;
            }
            unlink();
            finishPrompt();
            stopPlaying();
        });
    }

    /**
     * The remote moved its media: packets go to {@code to} from now on (and stay there: packets still in flight from
     * the old address must not take the stream back); with {@code null} nothing is sent until the next valid RTP
     * packet arrives, whose source is latched as at the start.
     */
    @Override
    public void moveTo(InetSocketAddress to) {
        InetSocketAddress target = to == null || to.isUnresolved() || to.getPort() == 0 ? null : to;
        loop.execute(() -> {
            remote = target;
            latched = target != null;
            newSource = true;
        });
    }

    private void link(RtpLeg o) {
        if (closed || o.closed) {
            return;
        }
        unlink();
        o.unlink();
        finishPrompt();
        o.finishPrompt();
        stopPlaying();
        o.stopPlaying();
        peer = o;
        o.peer = this;
        toPeer = transcoder(codec, o.codec);
        o.toPeer = transcoder(o.codec, codec);
        peerSourceNew = true;
        o.peerSourceNew = true;
    }

    private Transcoder transcoder(AudioCodec from, AudioCodec to) {
        if (from == to) {
            return null;
        }
        Transcoder t = Transcoder.g711(from, to);
        if (t == null && loop.transcoders() != null) {
            try {
                t = loop.transcoders().create(from, to);
            } catch (RuntimeException e) {
                LOG.warn("Leg {}: {} to {} transcoder failed: {}", id, from, to, e.toString());
            }
        }
        if (t == null) {
            LOG.warn("Leg {}: cannot transcode {} to {}; audio in that direction is dropped", id, from, to);
        }
        return t;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        Runnable task = () -> {
            doClose();
            done.countDown();
        };
        if (loop.inLoop()) {
            task.run();
        } else {
            loop.execute(task);
            await(done);
        }
    }

    private void doClose() {
        if (closed) {
            return;
        }
        closed = true;
        unlink();
        finishPrompt();
        stopPlaying();
        PortPool.closeQuietly(bound.rtp());
        PortPool.closeQuietly(bound.rtcp());
        loop.flushCancelledKeys();
        releasePort();
        if (onClosed != null) {
            onClosed.accept(this);
        }
    }

    private void releasePort() {
        PortPool.closeQuietly(bound.rtp());
        PortPool.closeQuietly(bound.rtcp());
        pool.release(bound.port());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.SECONDS)) {
                LOG.warn("RTP loop did not answer within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- loop thread from here

    private void play(EncodedAudio audio, boolean loopIt, Runnable whenDone) {
        playing = audio;
        looping = loopIt;
        position = 0;
        done = whenDone;
        newSource = true;
        loop.startPacing(this);
    }

    private void stopPlaying() {
        playing = null;
        loop.stopPacing(this);
    }

    /** Ends a running prompt early (its callback still fires: "also if the prompt could not be played"). */
    private void finishPrompt() {
        if (playing != null && !looping) {
            stopPlaying();
        }
        Runnable d = done;
        done = null;
        if (d != null) {
            fire(d);
        }
    }

    private void unlink() {
        RtpLeg p = peer;
        if (p != null) {
            closeTranscoder();
            p.closeTranscoder();
            p.peer = null;
            peer = null;
        }
    }

    private void closeTranscoder() {
        if (toPeer != null) {
            toPeer.close();
            toPeer = null;
        }
    }

    private void fire(Runnable r) {
        if (r != null) {
            loop.callbacks().execute(r);
        }
    }

    void onTick(long tick) {
        EncodedAudio a = playing;
        if (a == null) {
            loop.stopPacing(this);
            return;
        }
        byte[] frame;
        if (looping) {
            // Shared position: every caller on this music hears the same frame at the same tick.
            frame = a.frame((int) Math.floorMod(tick, (long) a.frameCount()));
        } else if (position < a.frameCount()) {
            frame = a.frame(position++);
        } else {
            stopPlaying();
            Runnable d = done;
            done = null;
            fire(d);
            return;
        }
        long ts = lastTick >= 0 ? lastTs + (tick - lastTick) * codec.samplesPerFrame() : advance(System.nanoTime());
        sendOut(pt, frame, 0, frame.length, newSource, ts);
        newSource = false;
        lastTick = tick;
    }

    /** The timestamp for a packet from a new source: at least one frame after the last one, by the wall clock. */
    private long advance(long now) {
        if (lastSendNanos < 0) {
            return lastTs;
        }
        long frames = Math.max(1, Math.round((now - lastSendNanos) / (double) RtpLoop.PERIOD_NANOS));
        return lastTs + frames * codec.samplesPerFrame();
    }

    private void sendOut(int payloadType, byte[] payload, int off, int len, boolean marker, long ts) {
        InetSocketAddress to = remote;
        ts &= 0xffffffffL;
        lastTs = ts;
        lastSendNanos = System.nanoTime();
        if (to == null || closed) {
            return;
        }
        loop.send(bound.rtp(), to, marker, payloadType, seq, ts, ssrc, payload, off, len);
        seq = (seq + 1) & 0xffff;
        sent.incrementAndGet();
    }

    void onRtcp(int length) {
        rtcp.incrementAndGet();
    }

    void onPacket(byte[] b, int len, InetSocketAddress from) {
        if (closed || len < 8 || (b[0] & 0xc0) != 0x80) {
            dropped.incrementAndGet();
            return;
        }
        int payloadType = b[1] & 0x7f;
        if (payloadType >= 72 && payloadType <= 76) { // RTCP multiplexed on the RTP port (RFC 5761): ignored
            rtcp.incrementAndGet();
            return;
        }
        if (len < 12) {
            dropped.incrementAndGet();
            return;
        }
        int header = 12 + 4 * (b[0] & 0x0f);
        if ((b[0] & 0x10) != 0) {
            if (len < header + 4) {
                dropped.incrementAndGet();
                return;
            }
            header += 4 + 4 * (((b[header + 2] & 0xff) << 8) | (b[header + 3] & 0xff));
        }
        int padding = (b[0] & 0x20) != 0 ? b[len - 1] & 0xff : 0;
        int length = len - header - padding;
        if (length < 0) {
            dropped.incrementAndGet();
            return;
        }
        if (!latched) {
            latched = true;
            if (!from.equals(remote)) {
                LOG.debug("Leg {}: symmetric RTP, sending to {} (SDP said {})", id, from, remote);
                remote = from;
            }
        }
        received.incrementAndGet();
        boolean marker = (b[1] & 0x80) != 0;
        long ts = ((b[4] & 0xffL) << 24) | ((b[5] & 0xffL) << 16) | ((b[6] & 0xffL) << 8) | (b[7] & 0xffL);
        int inSsrc = ((b[8] & 0xff) << 24) | ((b[9] & 0xff) << 16) | ((b[10] & 0xff) << 8) | (b[11] & 0xff);
        RtpLeg p = peer;
        if (payloadType == pt) {
            if (p == null) {
                return;
            }
            byte[] payload = b;
            int off = header;
            if (codec != p.codec) {
                if (toPeer == null) {
                    dropped.incrementAndGet();
                    return;
                }
                payload = toPeer.transcode(b, header, length);
                if (payload == null) {
                    return;
                }
                off = 0;
                length = payload.length;
            }
            relay(p, p.pt, payload, off, length, marker, ts, inSsrc, codec.clockRate());
        } else if (payloadType == tePt && length >= 4) {
            boolean end = (b[header + 1] & 0x80) != 0;
            if (end && ts != lastDtmfEndTs) {
                lastDtmfEndTs = ts;
                dtmfEvents.incrementAndGet();
                LOG.debug("Leg {}: DTMF event {}", id, b[header] & 0xff);
            }
            if (p != null && p.tePt >= 0 && p.teClock == teClock) {
                relay(p, p.tePt, b, header, length, marker, ts, inSsrc, teClock);
            }
        } else {
            dropped.incrementAndGet(); // comfort noise, unnegotiated formats: never relayed as audio
        }
    }

    /** Sends a payload received on this leg out of {@code p}, in p's own SSRC, sequence and timestamp space. */
    private void relay(RtpLeg p, int payloadType, byte[] payload, int off, int len, boolean marker, long inTs,
            int inSsrc, int inClock) {
        long outTs;
        if (peerSourceNew || inSsrc != lastInSsrc) {
            peerSourceNew = false;
            marker = true;
            outTs = p.advance(System.nanoTime());
        } else {
            long delta = (int) (inTs - lastInTs); // signed: survives wrap-around and reordering
            outTs = p.lastTs + delta * p.codec.clockRate() / inClock;
        }
        lastInSsrc = inSsrc;
        lastInTs = inTs;
        p.lastTick = -1;
        p.sendOut(payloadType, payload, off, len, marker, outTs);
        relayed.incrementAndGet();
    }
}
