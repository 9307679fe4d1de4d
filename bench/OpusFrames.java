import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.lang.reflect.Method;

/**
 * Pre-encodes the Opus frames the bridged benchmark's retrievers send (bench/bridged_rtp.c, --codec opus): 1 s of a
 * speech-like signal (a 150 Hz voice with harmonics, its pitch and loudness changing over the second, plus a little
 * noise; not silence, which both encodes and decodes cheaper) at 48 kHz mono, encoded ONCE here into 50 frames of
 * 20 ms with libjitsi's own Opus JNI (the jar of the server's assembly: system/org/jitsi/libjitsi/...), the same
 * libopus the server decodes them with. Written as [u16 length][bytes] per frame.
 * Usage: java -cp libjitsi.jar:jitsi-utils.jar:jna.jar:. OpusFrames out.bin [bitrate]
 * Run standalone (no OSGi, no LibJitsi.start()): only the JNI class org.jitsi.impl.neomedia.codec.audio.opus.Opus is
 * used, which loads libjnopus.so from the jar itself.
 */
public final class OpusFrames {
    public static void main(String[] args) throws Exception {
        String out = args[0];
        int bitrate = args.length > 1 ? Integer.parseInt(args[1]) : 32000;
        Class<?> opus = Class.forName("org.jitsi.impl.neomedia.codec.audio.opus.Opus");
        Method create = opus.getMethod("encoder_create", int.class, int.class);
        Method setBitrate = opus.getMethod("encoder_set_bitrate", long.class, int.class);
        Method encode = opus.getMethod("encode", long.class, byte[].class, int.class, int.class, byte[].class,
                int.class, int.class);
        Method destroy = opus.getMethod("encoder_destroy", long.class);
        long enc = (Long) create.invoke(null, 48000, 1);
        if (enc == 0) {
            throw new IllegalStateException("opus_encoder_create failed");
        }
        setBitrate.invoke(null, enc, bitrate);
        java.util.Random noise = new java.util.Random(17);
        double phase = 0;
        int frames = 50;
        int spf = 960; // 20 ms at 48 kHz
        int total = 0;
        try (DataOutputStream o = new DataOutputStream(new FileOutputStream(out))) {
            for (int f = 0; f < frames; f++) {
                byte[] pcm = new byte[spf * 2];
                for (int i = 0; i < spf; i++) {
                    double t = (f * spf + i) / 48000.0;
                    double pitch = 150 + 40 * Math.sin(2 * Math.PI * 1.3 * t);
                    phase += 2 * Math.PI * pitch / 48000.0;
                    double env = 0.35 + 0.65 * Math.abs(Math.sin(2 * Math.PI * 2.5 * t)); // syllables
                    double v = 0;
                    for (int h = 1; h <= 12; h++) {
                        v += Math.sin(h * phase) / h;
                    }
                    v = env * (0.3 * v + 0.02 * noise.nextGaussian());
                    short s = (short) Math.max(-32767, Math.min(32767, v * 20000));
                    pcm[2 * i] = (byte) s;
                    pcm[2 * i + 1] = (byte) (s >> 8);
                }
                byte[] buf = new byte[1500];
                int n = (Integer) encode.invoke(null, enc, pcm, 0, spf, buf, 0, buf.length);
                if (n <= 0) {
                    throw new IllegalStateException("opus_encode returned " + n);
                }
                o.writeShort(n);
                o.write(buf, 0, n);
                total += n;
            }
        } finally {
            destroy.invoke(null, enc);
        }
        System.out.println("opus frames: " + frames + ", bytes " + total + " (" + total * 8 / 1000 + " kbit/s at "
                + bitrate + " b/s asked)");
    }
}
