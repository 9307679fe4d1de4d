package org.callpark.media.internal.audio;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.media.Codec;

import org.jitsi.service.libjitsi.LibJitsi;

/**
 * The one place that touches libjitsi's start-up. libjitsi is used for its codecs only (G.711 encoders, the Speex
 * resampler, the Opus encoder and decoder, as FMJ {@link Codec}s); its MediaService is never created, so no audio
 * system, PortAudio or per-call stream is ever started.
 *
 * <p>The codec classes live in libjitsi's private packages: they are loaded by name through libjitsi's own class
 * loader (its bundle class loader in OSGi) and used through FMJ's exported {@code javax.media.Codec} interface.
 */
public final class Libjitsi {

    /** System properties libjitsi must see before its first use (without them the JVM can be killed natively). */
    private static final String[][] MUST_SET = {
        {"java.awt.headless", "true"},
        {"net.java.sip.communicator.service.media.DISABLE_AUDIO_SUPPORT", "true"},
        {"net.java.sip.communicator.service.media.DISABLE_VIDEO_SUPPORT", "true"},
        {"net.java.sip.communicator.impl.neomedia.audiosystem.DISABLED", "true"},
        {"org.jitsi.impl.neomedia.RTPConnectorOutputStream.USE_SEND_THREAD", "false"},
        // Hold music is a continuous stream: one real Opus frame every 20 ms, no DTX gaps.
        {"net.java.sip.communicator.impl.neomedia.codec.audio.opus.encoder.DTX", "false"},
    };

    /** Kept strongly referenced: JUL loggers are weakly held and would forget the level. */
    private static final Logger CONFIG_LOGGER = Logger.getLogger("org.jitsi.impl.configuration.ConfigurationServiceImpl");

    private static boolean prepared;

    private Libjitsi() {
    }

    /**
     * Sets libjitsi's must-set system properties (those not already set), redirects its home and JNA's temp dir
     * under {@code home}, quiets the configuration service's property dump, and starts libjitsi if nothing (e.g. its
     * OSGi activator) has started it yet.
     */
    public static synchronized void prepare(Path home) {
        if (prepared) {
            return;
        }
        CONFIG_LOGGER.setLevel(Level.WARNING);
        for (String[] p : MUST_SET) {
            setIfAbsent(p[0], p[1]);
        }
        try {
            Files.createDirectories(home.resolve("jna"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create libjitsi home " + home, e);
        }
        setIfAbsent("net.java.sip.communicator.SC_HOME_DIR_LOCATION", home.toString());
        setIfAbsent("net.java.sip.communicator.SC_HOME_DIR_NAME", "libjitsi");
        setIfAbsent("jna.tmpdir", home.resolve("jna").toString());
        if (!started()) {
            LibJitsi.start();
        }
        prepared = true;
    }

    private static boolean started() {
        try {
            return LibJitsi.getConfigurationService() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** A new instance of one of libjitsi's (or FMJ's) codec classes, by name. */
    public static Codec codec(String className) {
        try {
            Class<?> c = Class.forName(className, true, LibJitsi.class.getClassLoader());
            return (Codec) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("libjitsi codec " + className + " is not available: " + e, e);
        }
    }

    /** libjitsi's codec class names. */
    public static final String ULAW_ENCODER = "org.jitsi.impl.neomedia.codec.audio.ulaw.JavaEncoder";
    public static final String ULAW_DECODER = "org.jitsi.impl.neomedia.codec.audio.ulaw.JavaDecoder";
    public static final String ALAW_ENCODER = "org.jitsi.impl.neomedia.codec.audio.alaw.JavaEncoder";
    public static final String ALAW_DECODER = "net.sf.fmj.media.codec.audio.alaw.Decoder";
    public static final String OPUS_ENCODER = "org.jitsi.impl.neomedia.codec.audio.opus.JNIEncoder";
    public static final String OPUS_DECODER = "org.jitsi.impl.neomedia.codec.audio.opus.JNIDecoder";
    public static final String RESAMPLER = "org.jitsi.impl.neomedia.codec.audio.speex.SpeexResampler";
}
