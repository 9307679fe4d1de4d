package org.callpark.media.internal.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads a RIFF/WAVE file of 16-bit signed PCM (any rate libjitsi's resampler takes: 8, 16, 48 kHz …; mono or stereo).
 * Stereo is averaged to mono here — the only sample arithmetic outside libjitsi; resampling and encoding are
 * libjitsi's.
 */
public final class WavFile {

    private WavFile() {
    }

    public static Pcm read(byte[] file, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 12 || b.getInt(0) != 0x46464952 /* RIFF */ || b.getInt(8) != 0x45564157 /* WAVE */) {
            throw new IOException(name + ": not a RIFF/WAVE file");
        }
        int pos = 12;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        int format = 0;
        while (pos + 8 <= file.length) {
            int id = b.getInt(pos);
            int size = b.getInt(pos + 4);
            int body = pos + 8;
            if (size < 0 || body + (long) size > file.length) {
                size = file.length - body; // tolerate a data chunk whose size was never patched
            }
            if (id == 0x20746d66 /* "fmt " */) {
                format = b.getShort(body) & 0xffff;
                channels = b.getShort(body + 2);
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14);
            } else if (id == 0x61746164 /* "data" */) {
                if (format != 1 && format != 0xfffe) {
                    throw new IOException(name + ": WAV format " + format + " is not PCM");
                }
                if (bits != 16 || channels < 1 || channels > 2 || rate < 8000 || rate > 48000) {
                    throw new IOException(name + ": need 16-bit mono/stereo PCM at 8..48 kHz, got " + bits
                            + "-bit, " + channels + " channel(s), " + rate + " Hz");
                }
                int frames = size / (2 * channels);
                short[] s = new short[frames];
                for (int i = 0; i < frames; i++) {
                    int at = body + i * 2 * channels;
                    s[i] = channels == 1 ? b.getShort(at) : (short) ((b.getShort(at) + b.getShort(at + 2)) / 2);
                }
                return new Pcm(s, rate);
            }
            pos = body + size + (size & 1);
        }
        throw new IOException(name + ": no fmt/data chunk");
    }
}
