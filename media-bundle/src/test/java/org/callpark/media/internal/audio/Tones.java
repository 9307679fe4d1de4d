package org.callpark.media.internal.audio;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * Test sound files made with javax.sound.sampled's own writers: a sine tone per channel as 16-bit PCM, then converted
 * by the JDK to the wanted encoding and written as WAV, AIFF or AU.
 */
final class Tones {

    private Tones() {
    }

    /** 16-bit signed little-endian samples of a sine at {@code hz[c]} in channel c, amplitude 0.5 full scale. */
    static AudioInputStream tone(float rate, double seconds, double... hz) {
        int channels = hz.length;
        int frames = (int) (rate * seconds);
        byte[] b = new byte[frames * channels * 2];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) {
                short v = (short) Math.round(16000 * Math.sin(2 * Math.PI * hz[c] * i / rate));
                int at = 2 * (i * channels + c);
                b[at] = (byte) v;
                b[at + 1] = (byte) (v >> 8);
            }
        }
        AudioFormat f = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, rate, 16, channels, 2 * channels, rate, false);
        return new AudioInputStream(new ByteArrayInputStream(b), f, frames);
    }

    /** Writes {@code in} converted to {@code encoding}/{@code bits}/{@code bigEndian} as a file of {@code type}. */
    static Path write(Path file, AudioInputStream in, AudioFormat.Encoding encoding, int bits, boolean bigEndian,
            AudioFileFormat.Type type) throws IOException {
        AudioFormat src = in.getFormat();
        int frameSize = encoding == AudioFormat.Encoding.ULAW || encoding == AudioFormat.Encoding.ALAW
                ? src.getChannels() : (bits + 7) / 8 * src.getChannels();
        AudioFormat target = new AudioFormat(encoding, src.getSampleRate(), bits, src.getChannels(), frameSize,
                src.getSampleRate(), bigEndian);
        AudioInputStream out = src.matches(target) ? in : AudioSystem.getAudioInputStream(target, in);
        AudioSystem.write(out, type, file.toFile());
        return file;
    }

    /** Goertzel power of {@code hz} over a window, relative to the window's total energy (0..1). */
    static double share(short[] s, int from, int length, double hz, int rate) {
        double coeff = 2 * Math.cos(2 * Math.PI * hz / rate);
        double q1 = 0;
        double q2 = 0;
        double energy = 0;
        for (int i = from; i < from + length; i++) {
            double q0 = coeff * q1 - q2 + s[i];
            q2 = q1;
            q1 = q0;
            energy += (double) s[i] * s[i];
        }
        double power = q1 * q1 + q2 * q2 - q1 * q2 * coeff;
        return energy == 0 ? 0 : 2 * power / (length * energy);
    }
}
