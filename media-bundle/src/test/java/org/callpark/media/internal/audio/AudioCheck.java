package org.callpark.media.internal.audio;

import java.util.List;

import javax.media.Buffer;
import javax.media.Codec;
import javax.media.Format;
import javax.media.format.AudioFormat;

/** Test helpers: decode payloads with libjitsi/FMJ decoders, correlate, find the dominant frequency. */
public final class AudioCheck {

    private AudioCheck() {
    }

    /** Decodes 20 ms payloads to linear PCM at the codec's rate (8 kHz for G.711, 48 kHz for Opus). */
    public static short[] decode(AudioCodec codec, List<byte[]> payloads) {
        Codec dec = Libjitsi.codec(switch (codec) {
            case PCMU -> Libjitsi.ULAW_DECODER;
            case PCMA -> Libjitsi.ALAW_DECODER;
            case OPUS -> Libjitsi.OPUS_DECODER;
        });
        AudioFormat in = switch (codec) {
            case PCMU -> new AudioFormat(AudioFormat.ULAW, 8000, 8, 1, Format.NOT_SPECIFIED, Format.NOT_SPECIFIED);
            case PCMA -> new AudioFormat(AudioFormat.ALAW, 8000, 8, 1, AudioFormat.LITTLE_ENDIAN, AudioFormat.SIGNED);
            case OPUS -> new AudioFormat("opus/rtp", 48000, Format.NOT_SPECIFIED, 2);
        };
        if (dec.setInputFormat(in) == null) {
            throw new IllegalStateException("decoder refuses " + in);
        }
        Format[] outs = dec.getSupportedOutputFormats(in);
        Format out = outs[0];
        for (Format f : outs) {
            if (f instanceof AudioFormat af && af.getSampleSizeInBits() == 16 && af.getEndian() == AudioFormat.LITTLE_ENDIAN) {
                out = f;
                break;
            }
        }
        dec.setOutputFormat(out);
        FrameEncoder.open(dec);
        short[] pcm = new short[payloads.size() * codec.pcmRate() / 50 + 4096];
        int n = 0;
        long seq = 0;
        for (byte[] p : payloads) {
            Buffer ib = FrameEncoder.buffer(in, p, 0, p.length);
            ib.setSequenceNumber(seq++);
            Buffer ob = new Buffer();
            dec.process(ib, ob);
            if (ob.getLength() > 0 && !ob.isDiscard()) {
                short[] s = Pcm.fromBytes((byte[]) ob.getData(), ob.getOffset(), ob.getLength());
                int c = Math.min(s.length, pcm.length - n);
                System.arraycopy(s, 0, pcm, n, c);
                n += c;
            }
        }
        dec.close();
        return java.util.Arrays.copyOf(pcm, n);
    }

    /** The best normalised correlation of {@code b} against {@code a} at lags 0..maxLag either way. */
    public static double bestCorrelation(short[] a, int aOffset, short[] b, int length, int maxLag) {
        double best = -1;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double ab = 0, aa = 0, bb = 0;
            for (int i = 0; i < length; i++) {
                int ai = aOffset + i + lag;
                if (ai < 0 || ai >= a.length || i >= b.length) {
                    continue;
                }
                ab += (double) a[ai] * b[i];
                aa += (double) a[ai] * a[ai];
                bb += (double) b[i] * b[i];
            }
            if (aa > 0 && bb > 0) {
                best = Math.max(best, ab / Math.sqrt(aa * bb));
            }
        }
        return best;
    }

    public static double rms(short[] s, int from, int length) {
        double sum = 0;
        for (int i = from; i < from + length && i < s.length; i++) {
            sum += (double) s[i] * s[i];
        }
        return Math.sqrt(sum / length);
    }

    /** The frequency (Hz, 5 Hz steps in 100..1500) with the most energy in the window (Goertzel). */
    public static int dominantFrequency(short[] s, int from, int length, int rate) {
        int bestF = 0;
        double best = -1;
        for (int f = 100; f <= 1500; f += 5) {
            double w = 2 * Math.PI * f / rate;
            double coeff = 2 * Math.cos(w);
            double q1 = 0, q2 = 0;
            for (int i = from; i < from + length && i < s.length; i++) {
                double q0 = coeff * q1 - q2 + s[i];
                q2 = q1;
                q1 = q0;
            }
            double power = q1 * q1 + q2 * q2 - q1 * q2 * coeff;
            if (power > best) {
                best = power;
                bestF = f;
            }
        }
        return bestF;
    }
}
