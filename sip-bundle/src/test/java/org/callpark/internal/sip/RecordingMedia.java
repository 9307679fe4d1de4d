package org.callpark.internal.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.callpark.api.ParkException;
import org.callpark.spi.MediaController;

/**
 * A recording fake media controller (the idea of Asterisk's {@code ParkingTestChannel}): every leg binds a real UDP
 * socket on 127.0.0.1 (so the SDP answer names a port that exists), {@code hold} sends one RTP packet to the caller
 * (the "first music packet"), prompts finish after {@link #PROMPT_MS} ms, and every call is recorded as a line such as
 * {@code hold sip-…}, {@code prompt sip-… nothing-parked}, {@code bridge sip-a sip-b}, {@code silence sip-…},
 * {@code move sip-… <port>}, {@code close sip-…}.
 */
final class RecordingMedia implements MediaController {

    static final long PROMPT_MS = 300;
    static final List<Codec> CODECS = List.of(new Codec("PCMU", 0, 8000, 1), new Codec("PCMA", 8, 8000, 1));

    final List<String> log = new CopyOnWriteArrayList<>();
    final Map<String, Leg> legs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService prompts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-prompts");
        t.setDaemon(true);
        return t;
    });
    volatile boolean failOpen;
    /** Why {@link #open} fails while {@link #failOpen}. */
    volatile ParkException.Reason failOpenWith = ParkException.Reason.MEDIA_FAILURE;

    @Override
    public List<Codec> codecs() {
        return CODECS;
    }

    @Override
    public java.util.Optional<MediaLeg> find(String id) {
        Leg leg = legs.get(id);
        return leg == null || leg.closed ? java.util.Optional.empty() : java.util.Optional.of(leg);
    }

    @Override
    public MediaLeg open(String id, List<Codec> offered, InetSocketAddress remote) throws ParkException {
        if (failOpen) {
            throw new ParkException(failOpenWith, failOpenWith == ParkException.Reason.MEDIA_CAPACITY
                    ? "no RTP port for leg " + id + ": test: the range is full" : "test: media fails");
        }
        Codec chosen = offered.stream().filter(o -> CODECS.stream().anyMatch(c -> Sdp.same(c, o))).findFirst()
                .orElseThrow(() -> new ParkException(ParkException.Reason.MEDIA_FAILURE, "no common codec"));
        try {
            DatagramChannel channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Leg leg = new Leg(id, chosen, remote, channel);
            legs.put(id, leg);
            log.add("open " + id + " " + chosen.name() + (remote == null ? " offer" : ""));
            return leg;
        } catch (IOException e) {
            throw new ParkException(ParkException.Reason.MEDIA_FAILURE, e.toString());
        }
    }

    List<String> lines(String prefix) {
        List<String> result = new ArrayList<>();
        for (String l : log) {
            if (l.startsWith(prefix)) {
                result.add(l);
            }
        }
        return result;
    }

    void shutdown() {
        prompts.shutdownNow();
        legs.values().forEach(Leg::close);
    }

    final class Leg implements MediaLeg {
        final String id;
        volatile Codec codec;
        volatile InetSocketAddress remote;
        final DatagramChannel channel;
        volatile boolean closed;
        volatile long holdNanos;

        Leg(String id, Codec codec, InetSocketAddress remote, DatagramChannel channel) {
            this.id = id;
            this.codec = codec;
            this.remote = remote;
            this.channel = channel;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public InetSocketAddress localAddress() {
            try {
                return (InetSocketAddress) channel.getLocalAddress();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Codec codec() {
            return codec;
        }

        @Override
        public void connect(InetSocketAddress remote, Codec codec) {
            this.remote = remote;
            this.codec = codec;
            log.add("connect " + id + " " + codec.name() + " " + remote.getPort());
        }

        @Override
        public void hold(String music) {
            holdNanos = System.nanoTime();
            log.add("hold " + id);
            ByteBuffer rtp = ByteBuffer.allocate(12 + 160);
            rtp.put((byte) 0x80).put((byte) codec.payloadType()).putShort((short) 1).putInt(160).putInt(0x1234);
            rtp.position(rtp.capacity()).flip();
            if (remote == null) {
                log.add("send-failed " + id);
                return;
            }
            try {
                channel.send(rtp, remote);
            } catch (IOException e) {
                log.add("send-failed " + id);
            }
        }

        @Override
        public void prompt(String prompt, Runnable done) {
            log.add("prompt " + id + " " + prompt);
            prompts.schedule(done, PROMPT_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void bridge(MediaLeg other) {
            log.add("bridge " + id + " " + other.id());
        }

        @Override
        public void silence() {
            log.add("silence " + id);
        }

        @Override
        public void moveTo(InetSocketAddress to) {
            log.add("move " + id + " " + (to == null ? "latch" : String.valueOf(to.getPort())));
            this.remote = to;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                log.add("close " + id);
                try {
                    channel.close();
                } catch (IOException e) {
                    // test
                }
            }
        }
    }
}
