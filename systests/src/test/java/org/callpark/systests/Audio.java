package org.callpark.systests;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** G.711 tables, WAV reading, resampling, Goertzel and cross-correlation for the audio checks. */
public final class Audio {

    private Audio() {
    }

    public static short ulawToLinear(byte u) {
        int x = ~u & 0xFF;
        int t = ((x & 0x0F) << 3) + 0x84;
        t <<= (x & 0x70) >> 4;
        return (short) ((x & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    public static short alawToLinear(byte a) {
        int x = (a & 0xFF) ^ 0x55;
        int t = (x & 0x0F) << 4;
        int seg = (x & 0x70) >> 4;
        switch (seg) {
            case 0 -> t += 8;
            case 1 -> t += 0x108;
            default -> {
                t += 0x108;
                t <<= seg - 1;
            }
        }
        return (short) ((x & 0x80) != 0 ? t : -t);
    }

    public static byte linearToUlaw(short pcm) {
        int sign = (pcm >> 8) & 0x80;
        int v = sign != 0 ? -pcm : pcm;
        if (v > 32635) {
            v = 32635;
        }
        v += 0x84;
        int exp = 7;
        for (int mask = 0x4000; (v & mask) == 0 && exp > 0; mask >>= 1) {
            exp--;
        }
        int mant = (v >> (exp + 3)) & 0x0F;
        return (byte) ~(sign | (exp << 4) | mant);
    }

    public static byte linearToAlaw(short pcm) {
        int sign = pcm >= 0 ? 0x80 : 0;
        int v = pcm >= 0 ? pcm : -pcm - 1;
        if (v > 32767) {
            v = 32767;
        }
        int exp = 7;
        for (int mask = 0x4000; (v & mask) == 0 && exp > 0; mask >>= 1) {
            exp--;
        }
        int mant = exp == 0 ? (v >> 4) & 0x0F : (v >> (exp + 3)) & 0x0F;
        return (byte) ((sign | (exp << 4) | mant) ^ 0x55);
    }

    /** Decodes the G.711 payloads of packets (placed by sequence number; gaps stay silent) to 8 kHz PCM. */
    public static double[] decode(List<RtpPeer.Packet> packets, int pt) {
        if (packets.isEmpty()) {
            return new double[0];
        }
        int first = packets.get(0).seq();
        int n = 0;
        for (RtpPeer.Packet p : packets) {
            n = Math.max(n, ((p.seq() - first) & 0xFFFF) + 1);
        }
        double[] out = new double[n * 160];
        for (RtpPeer.Packet p : packets) {
            if (p.pt() != pt) {
                continue;
            }
            int base = ((p.seq() - first) & 0xFFFF) * 160;
            for (int i = 0; i < p.payload().length && i < 160; i++) {
                out[base + i] = pt == 8 ? alawToLinear(p.payload()[i]) : ulawToLinear(p.payload()[i]);
            }
        }
        return out;
    }

    /** A mono 16-bit WAV as doubles, and its sample rate. */
    public record Pcm(double[] samples, int rate) {
    }

    public static Pcm readWav(File f) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(f)) {
            AudioFormat fmt = in.getFormat();
            if (fmt.getSampleSizeInBits() != 16) {
                throw new IllegalArgumentException(f + ": not 16-bit PCM");
            }
            byte[] b = in.readAllBytes();
            int ch = fmt.getChannels();
            ByteBuffer bb = ByteBuffer.wrap(b).order(fmt.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            double[] s = new double[b.length / 2 / ch];
            for (int i = 0; i < s.length; i++) {
                double sum = 0;
                for (int c = 0; c < ch; c++) {
                    sum += bb.getShort();
                }
                s[i] = sum / ch;
            }
            return new Pcm(s, (int) fmt.getSampleRate());
        }
    }

    /** Resamples to 8 kHz by a windowed-sinc low-pass (cut-off 3.6 kHz) and linear interpolation. */
    public static double[] to8k(Pcm pcm) {
        if (pcm.rate() == 8000) {
            return pcm.samples();
        }
        double ratio = pcm.rate() / 8000.0;
        double fc = 3600.0 / pcm.rate();
        int taps = 63;
        double[] h = new double[taps];
        double sum = 0;
        for (int i = 0; i < taps; i++) {
            int k = i - taps / 2;
            double sinc = k == 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * k) / (Math.PI * k);
            h[i] = sinc * (0.54 - 0.46 * Math.cos(2 * Math.PI * i / (taps - 1)));
            sum += h[i];
        }
        double[] x = pcm.samples();
        double[] f = new double[x.length];
        for (int n = 0; n < x.length; n++) {
            double acc = 0;
            for (int i = 0; i < taps; i++) {
                int j = n + i - taps / 2;
                if (j >= 0 && j < x.length) {
                    acc += h[i] * x[j];
                }
            }
            f[n] = acc / sum;
        }
        double[] out = new double[(int) (x.length / ratio)];
        for (int n = 0; n < out.length; n++) {
            double pos = n * ratio;
            int i = (int) pos;
            double frac = pos - i;
            out[n] = i + 1 < f.length ? f[i] * (1 - frac) + f[i + 1] * frac : f[i];
        }
        return out;
    }

    public static double rms(double[] x, int from, int len) {
        double s = 0;
        for (int i = from; i < from + len && i < x.length; i++) {
            s += x[i] * x[i];
        }
        return Math.sqrt(s / Math.max(1, Math.min(len, x.length - from)));
    }

    /** Goertzel: the fraction (0..1) of the block's energy at {@code hz}. */
    public static double toneShare(double[] x, int from, int len, double hz, int rate) {
        double w = 2 * Math.PI * hz / rate;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        double energy = 0;
        for (int i = from; i < from + len; i++) {
            double s0 = x[i] + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
            energy += x[i] * x[i];
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return energy == 0 ? 0 : 2 * power / (len * energy);
    }

    /** The strongest frequency of the block on a 10 Hz grid between 100 and 3500 Hz. */
    public static double dominant(double[] x, int from, int len, int rate) {
        double best = 0;
        double bestHz = 0;
        for (double hz = 100; hz <= 3500; hz += 10) {
            double s = toneShare(x, from, len, hz, rate);
            if (s > best) {
                best = s;
                bestHz = hz;
            }
        }
        return bestHz;
    }

    /** Best normalised cross-correlation of {@code window} against the looped {@code music}, and its offset. */
    public record Match(double correlation, int offset) {
    }

    public static Match bestMatch(double[] window, double[] music) {
        int len = window.length;
        double wn = 0;
        for (double v : window) {
            wn += v * v;
        }
        int coarse = Math.min(len, 1600);
        double bestC = -2;
        int bestO = 0;
        int m = music.length;
        for (int o = 0; o < m; o++) {
            double dot = 0;
            double mn = 0;
            for (int i = 0; i < coarse; i++) {
                double v = music[(o + i) % m];
                dot += window[i] * v;
                mn += v * v;
            }
            double c = mn == 0 ? 0 : dot / Math.sqrt(mn * sumSq(window, coarse));
            if (c > bestC) {
                bestC = c;
                bestO = o;
            }
        }
        // refine over the whole window around the coarse best
        double best = -2;
        int off = bestO;
        for (int o = bestO - 4; o <= bestO + 4; o++) {
            double dot = 0;
            double mn = 0;
            for (int i = 0; i < len; i++) {
                double v = music[Math.floorMod(o + i, m)];
                dot += window[i] * v;
                mn += v * v;
            }
            double c = mn == 0 ? 0 : dot / Math.sqrt(mn * wn);
            if (c > best) {
                best = c;
                off = Math.floorMod(o, m);
            }
        }
        return new Match(best, off);
    }

    private static double sumSq(double[] x, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[i] * x[i];
        }
        return s;
    }

    /** The packets received between {@code from} and {@code to} ({@link System#nanoTime()}). */
    public static List<RtpPeer.Packet> window(List<RtpPeer.Packet> ps, long from, long to) {
        return ps.stream().filter(p -> p.nanos() >= from && p.nanos() <= to).toList();
    }

    /** Every 100 ms block is dominated by {@code expected} (share > 0.8), {@code absent} stays below 0.05. */
    public static void checkTone(String who, List<RtpPeer.Packet> ps, double expected, double absent) {
        org.junit.jupiter.api.Assertions.assertTrue(ps.size() >= 100, who + ": only " + ps.size() + " packets");
        double[] pcm = decode(ps, 0);
        int blocks = pcm.length / 800;
        double minShare = 1;
        double maxOther = 0;
        for (int i = 0; i < blocks; i++) {
            minShare = Math.min(minShare, toneShare(pcm, i * 800, 800, expected, 8000));
            maxOther = Math.max(maxOther, toneShare(pcm, i * 800, 800, absent, 8000));
        }
        System.out.printf("[systests] %s: %d packets, %d Hz share min %.3f over %d blocks, %d Hz max %.3f%n", who,
                ps.size(), (int) expected, minShare, blocks, (int) absent, maxOther);
        org.junit.jupiter.api.Assertions.assertTrue(minShare > 0.8,
                who + " " + expected + " Hz: min share " + minShare);
        org.junit.jupiter.api.Assertions.assertTrue(maxOther < 0.05, who + ": " + absent + " Hz share " + maxOther);
    }
}
