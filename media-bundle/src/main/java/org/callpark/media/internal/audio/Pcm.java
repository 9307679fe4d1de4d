package org.callpark.media.internal.audio;

/**
 * Mono 16-bit linear audio at one sample rate.
 *
 * @param samples    the samples
 * @param sampleRate samples per second
 */
public record Pcm(short[] samples, int sampleRate) {

    public double seconds() {
        return samples.length / (double) sampleRate;
    }

    /** Little-endian bytes, the layout libjitsi's codecs take. */
    public byte[] toBytes() {
        byte[] b = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            b[2 * i] = (byte) samples[i];
            b[2 * i + 1] = (byte) (samples[i] >> 8);
        }
        return b;
    }

    public static short[] fromBytes(byte[] b, int offset, int length) {
        short[] s = new short[length / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) ((b[offset + 2 * i] & 0xff) | (b[offset + 2 * i + 1] << 8));
        }
        return s;
    }
}
