package org.callpark.media.internal.audio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.media.Buffer;
import javax.media.Codec;
import javax.media.Format;
import javax.media.PlugIn;
import javax.media.ResourceUnavailableException;
import javax.media.format.AudioFormat;

/**
 * Turns linear audio into 20 ms payloads with libjitsi's codecs: the Speex resampler to the codec's rate, then
 * libjitsi's µ-law / A-law encoders or its Opus encoder. Runs once per sound and codec (at activation), never per call.
 */
public final class FrameEncoder {

    private FrameEncoder() {
    }

    /** The linear format libjitsi's codecs take: 16-bit signed little-endian mono. */
    public static AudioFormat linear(int rate) {
        return new AudioFormat(AudioFormat.LINEAR, rate, 16, 1, AudioFormat.LITTLE_ENDIAN, AudioFormat.SIGNED,
                Format.NOT_SPECIFIED, Format.NOT_SPECIFIED, Format.byteArray);
    }

    /**
     * Resamples with libjitsi's {@code SpeexResampler}; the result has exactly {@code length * to / from} samples
     * (the resampler's few samples of latency are compensated by dropping them at the start and padding the end).
     */
    public static Pcm resample(Pcm in, int to) {
        if (in.sampleRate() == to) {
            return in;
        }
        Codec r = Libjitsi.codec(Libjitsi.RESAMPLER);
        AudioFormat inFormat = linear(in.sampleRate());
        set(r, inFormat, linear(to));
        open(r);
        try {
            int want = (int) ((long) in.samples().length * to / in.sampleRate());
            // Feed 20 ms at a time, then 100 ms of silence to flush the filter's delay line.
            byte[] bytes = Arrays.copyOf(in.toBytes(), (in.samples().length + in.sampleRate() / 10) * 2);
            short[] out = new short[want + to / 10];
            int n = 0;
            int chunk = in.sampleRate() / 50 * 2;
            for (int off = 0; off < bytes.length; off += chunk) {
                Buffer ib = buffer(inFormat, bytes, off, Math.min(chunk, bytes.length - off));
                Buffer ob = new Buffer();
                process(r, ib, ob);
                short[] s = Pcm.fromBytes((byte[]) ob.getData(), ob.getOffset(), ob.getLength());
                int copy = Math.min(s.length, out.length - n);
                System.arraycopy(s, 0, out, n, copy);
                n += copy;
            }
            // The Speex VoIP-quality filter delays by a fixed number of output samples; find it once by name:
            int delay = Math.max(0, Math.min(n - want, latency(in.sampleRate(), to)));
            short[] exact = Arrays.copyOfRange(out, delay, delay + want);
            return new Pcm(exact, to);
        } finally {
            r.close();
        }
    }

    /** The Speex resampler's group delay in output samples (quality 3 "VoIP": filter length 48 taps at the base rate). */
    static int latency(int from, int to) {
        int filterLength = 48;
        if (from > to) {
            // down-sampling widens the filter by the ratio
            filterLength = (int) Math.ceil(filterLength * (double) from / to);
        }
        return (int) Math.round((filterLength / 2.0 - 1) * Math.min(1.0, (double) to / from));
    }

    /**
     * Encodes audio into 20 ms payloads of {@code codec}; the last partial frame is padded with silence if
     * {@code padLast}, dropped otherwise (a loop keeps whole frames only).
     */
    public static EncodedAudio encode(String name, Pcm source, AudioCodec codec, boolean padLast) {
        Pcm pcm = resample(source, codec.pcmRate());
        int frameSamples = codec.pcmRate() / 50;
        int frames = padLast ? (pcm.samples().length + frameSamples - 1) / frameSamples
                : pcm.samples().length / frameSamples;
        byte[] bytes = Arrays.copyOf(pcm.toBytes(), frames * frameSamples * 2);
        Codec enc = Libjitsi.codec(switch (codec) {
            case PCMU -> Libjitsi.ULAW_ENCODER;
            case PCMA -> Libjitsi.ALAW_ENCODER;
            case OPUS -> Libjitsi.OPUS_ENCODER;
        });
        AudioFormat inFormat = linear(codec.pcmRate());
        Format[] outs = enc.getSupportedOutputFormats(inFormat);
        if (outs == null || outs.length == 0) {
            throw new IllegalStateException(codec + " encoder takes no " + inFormat);
        }
        set(enc, inFormat, outs[0]);
        open(enc);
        try {
            List<byte[]> out = new ArrayList<>(frames);
            for (int f = 0; f < frames; f++) {
                Buffer ib = buffer(inFormat, bytes, f * frameSamples * 2, frameSamples * 2);
                Buffer ob = new Buffer();
                process(enc, ib, ob);
                if (ob.getLength() <= 0 || ob.isDiscard()) {
                    throw new IllegalStateException(codec + " encoder gave no frame " + f + " of " + name);
                }
                out.add(Arrays.copyOfRange((byte[]) ob.getData(), ob.getOffset(), ob.getOffset() + ob.getLength()));
            }
            return new EncodedAudio(name, codec, out);
        } finally {
            enc.close();
        }
    }

    static Buffer buffer(Format format, byte[] data, int offset, int length) {
        Buffer b = new Buffer();
        b.setFormat(format);
        b.setData(data);
        b.setOffset(offset);
        b.setLength(length);
        return b;
    }

    static void set(Codec c, Format in, Format out) {
        if (c.setInputFormat(in) == null) {
            throw new IllegalStateException(c.getName() + " refuses input " + in);
        }
        if (c.setOutputFormat(out) == null) {
            throw new IllegalStateException(c.getName() + " refuses output " + out);
        }
    }

    static void open(Codec c) {
        try {
            c.open();
        } catch (ResourceUnavailableException e) {
            throw new IllegalStateException(c.getName() + " cannot open: " + e.getMessage(), e);
        }
    }

    static void process(Codec c, Buffer in, Buffer out) {
        int rc = c.process(in, out);
        if ((rc & PlugIn.BUFFER_PROCESSED_FAILED) != 0) {
            throw new IllegalStateException(c.getName() + " failed to process a buffer");
        }
    }
}
