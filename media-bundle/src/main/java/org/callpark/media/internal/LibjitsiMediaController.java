package org.callpark.media.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.callpark.api.ParkException;
import org.callpark.media.internal.audio.AudioCodec;
import org.callpark.media.internal.audio.AudioLibrary;
import org.callpark.media.internal.audio.Libjitsi;
import org.callpark.media.internal.audio.OpusTranscoder;
import org.callpark.media.internal.rtp.PortPool;
import org.callpark.media.internal.rtp.PortsExhaustedException;
import org.callpark.media.internal.rtp.RtpLeg;
import org.callpark.media.internal.rtp.RtpLoop;
import org.callpark.spi.MediaController;
import org.callpark.spi.health.HealthCheck;
import org.callpark.spi.metrics.MeterBinders;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media controller: libjitsi encodes every sound once per codec at activation; one {@link RtpLoop} thread then
 * paces music/prompts and relays bridged legs for all calls (no thread and no libjitsi MediaStream per call).
 *
 * <p>Music position is shared: every caller on the same music hears the same point of the loop (one frame index per
 * 20 ms tick for everyone), which costs nothing per caller. A change of configuration is applied on the next
 * activation; {@code @Modified} keeps legs running if nothing changed.
 */
@Component(service = MediaController.class, configurationPid = "org.callpark.media", immediate = true)
@Designate(ocd = MediaConfig.class)
public final class LibjitsiMediaController implements MediaController {

    private static final Logger LOG = LoggerFactory.getLogger(LibjitsiMediaController.class);
    static final int TELEPHONE_EVENT_PT = 101;

    /** What new legs use; replaced whole by a valid configuration change, never touching running legs. */
    private record Setup(MediaSettings settings, AudioLibrary sounds, PortPool ports, List<Codec> codecs) {
    }

    private final ExecutorService callbacks;
    private final RtpLoop loop;
    private final Map<String, RtpLeg> legs = new ConcurrentHashMap<>();
    private volatile Setup setup;
    /** The {@code media} health check and the meters' binder (docs/operations.md). */
    private final List<ServiceRegistration<?>> services = new ArrayList<>();

    @Activate
    public LibjitsiMediaController(BundleContext context, MediaConfig config) throws ParkException, IOException {
        this(MediaSettings.from(config), context == null ? null : context.getDataFile("libjitsi").toPath());
        if (context != null) {
            Hashtable<String, Object> media = new Hashtable<>();
            media.put(HealthCheck.NAME, "media");
            services.add(context.registerService(HealthCheck.class, this::health, media));
            services.add(MeterBinders.register(context, () -> new MediaMeters(loop, legs::size)));
        }
    }

    /** UP while the RTP loop ticks (it ticks every 20 ms, calls or not); DOWN if it stalled for a second. */
    HealthCheck.Result health() {
        return loop.ticking(TimeUnit.SECONDS.toNanos(1)) ? HealthCheck.Result.up("legs=" + legs.size())
                : HealthCheck.Result.down("RTP loop not ticking");
    }

    /** Outside OSGi (tests, benchmarks): {@code home} null means a directory under java.io.tmpdir. */
    public LibjitsiMediaController(MediaSettings settings, Path home) throws IOException {
        Libjitsi.prepare(home != null ? home : Path.of(System.getProperty("java.io.tmpdir"), "callpark-libjitsi"));
        this.setup = setUp(settings);
        this.callbacks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "callpark-media-callbacks");
            t.setDaemon(true);
            return t;
        });
        this.loop = new RtpLoop("callpark-media-rtp", callbacks, OpusTranscoder::create);
    }

    private static Setup setUp(MediaSettings settings) throws IOException {
        long t0 = System.nanoTime();
        Set<AudioCodec> set = EnumSet.noneOf(AudioCodec.class);
        set.addAll(settings.codecs());
        AudioLibrary sounds = AudioLibrary.load(set, settings.musicDefault(), settings.musicFiles(),
                settings.promptDir(), settings.promptLanguage());
        LOG.info("Media: encoded hold music and prompts once per codec in {} ms: {}",
                (System.nanoTime() - t0) / 1_000_000, sounds.summary());
        PortPool ports = new PortPool(settings.bindAddress(), settings.rtpPortMin(), settings.rtpPortMax(),
                settings.rtcpSockets());
        List<Codec> list = new ArrayList<>();
        for (AudioCodec c : settings.codecs()) {
            list.add(new Codec(c.sdpName(), c.defaultPayloadType(), c.clockRate(), c.channels()));
        }
        list.add(new Codec("telephone-event", TELEPHONE_EVENT_PT, 8000, 1));
        LOG.info("Media: RTP on {} ports {}..{} ({} legs, {} per leg), codecs {}",
                settings.bindAddress().getHostAddress(), settings.rtpPortMin(), settings.rtpPortMax(),
                ports.capacity(), settings.rtcpSockets() ? "RTP + RTCP sockets" : "one RTP socket", list);
        return new Setup(settings, sounds, ports, List.copyOf(list));
    }

    /**
     * A configuration change: validated first (nothing is applied if it is invalid), then used by legs opened from
     * now on; legs already open keep their port, codec and music. Unchanged settings (e.g. the second event of a
     * feature install) do nothing.
     */
    @Modified
    void modified(MediaConfig config) {
        try {
            MediaSettings next = MediaSettings.from(config);
            if (!next.equals(setup.settings())) {
                setup = setUp(next);
            }
        } catch (ParkException e) {
            LOG.warn("Media: configuration not applied: {}", e.getMessage());
        } catch (IOException e) {
            LOG.warn("Media: configuration not applied, audio could not be loaded: {}", e.getMessage());
        }
    }

    @Deactivate
    public void deactivate() {
        services.forEach(MeterBinders::unregister);
        services.clear();
        for (RtpLeg leg : List.copyOf(legs.values())) {
            leg.close();
        }
        legs.clear();
        loop.close();
        callbacks.shutdown();
        try {
            callbacks.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Media: stopped, {} port(s) still in use", setup.ports().inUse());
    }

    @Override
    public List<Codec> codecs() {
        return setup.codecs();
    }

    @Override
    public java.util.Optional<MediaLeg> find(String id) {
        return java.util.Optional.ofNullable(legs.get(id));
    }

    @Override
    public MediaLeg open(String id, List<Codec> offered, InetSocketAddress remote) throws ParkException {
        Setup s = setup;
        Codec chosen = null;
        for (Codec o : offered) {
            AudioCodec ac = AudioCodec.bySdpName(o.name());
            if (ac != null && s.settings().codecs().contains(ac) && ac.clockRate() == o.clockRate()) {
                chosen = o;
                break;
            }
        }
        if (chosen == null) {
            throw new ParkException(ParkException.Reason.MEDIA_FAILURE,
                    "none of the offered codecs " + offered + " is supported (" + s.settings().codecs() + ")");
        }
        Codec te = null;
        for (Codec o : offered) {
            if ("telephone-event".equalsIgnoreCase(o.name())
                    && (te == null || o.clockRate() == chosen.clockRate())) {
                te = o;
            }
        }
        try {
            RtpLeg leg = new RtpLeg(id, loop, s.ports(), chosen, te, remote, s.sounds(), l -> legs.remove(l.id(), l));
            legs.put(id, leg);
            return leg;
        } catch (PortsExhaustedException e) {
            throw new ParkException(ParkException.Reason.MEDIA_CAPACITY, "no RTP port for leg " + id + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new ParkException(ParkException.Reason.MEDIA_FAILURE, "leg " + id + ": " + e.getMessage(), e);
        }
    }

    /** Legs open now (for tests and a future shell command). */
    public int openLegs() {
        return legs.size();
    }

    RtpLoop loop() {
        return loop;
    }

    PortPool ports() {
        return setup.ports();
    }

    AudioLibrary sounds() {
        return setup.sounds();
    }
}
