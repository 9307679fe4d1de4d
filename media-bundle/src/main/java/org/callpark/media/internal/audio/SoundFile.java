package org.callpark.media.internal.audio;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Reads a sound file through {@code javax.sound.sampled}: whatever the JDK's readers and converters know — WAV (PCM
 * 8/16/24/32-bit signed or unsigned, float, µ-law, A-law, WAVE_FORMAT_EXTENSIBLE), AIFF/AIFF-C and AU — at any rate,
 * with any number of channels. The result is what {@link FrameEncoder} takes: mono 16-bit linear at a rate libjitsi's
 * Speex resampler accepts. Decoding and format conversion are the JDK's; channels are averaged to mono here, and a
 * rate the Speex resampler does not take (e.g. 6 kHz or 96 kHz) is first converted to 48 kHz by the JDK's sinc
 * resampler. Runs once per file at load, never per call.
 */
public final class SoundFile {

    /** The input rates libjitsi's {@code SpeexResampler} accepts; any other rate goes to 48 kHz through the JDK. */
    static final Set<Integer> SPEEX_RATES = Set.of(8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000);
    static final int MIN_RATE = 4000;
    static final int MAX_RATE = 192000;

    private SoundFile() {
    }

    public static Pcm read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        }
    }

    /**
     * Decodes a whole sound file.
     *
     * @param in   the file's bytes (buffered here, so any stream will do)
     * @param name the file's name for error messages
     * @throws IOException if the format is unknown or unsupported, the file is truncated inside its header, or it
     *                     holds no audio
     */
    public static Pcm read(InputStream in, String name) throws IOException {
        // AudioSystem finds the JDK's file readers and format converters with ServiceLoader on the thread's context
        // class loader; inside OSGi that is a bundle's loader (or whatever the caller left there), which need not see
        // the java.desktop providers. The system class loader always does.
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
        try (AudioInputStream source = AudioSystem.getAudioInputStream(new BufferedInputStream(in))) {
            return decode(source, name);
        } catch (UnsupportedAudioFileException e) {
            throw new IOException(name + ": not a sound file javax.sound.sampled can read (WAV, AIFF, AU)", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(name + ": " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static Pcm decode(AudioInputStream source, String name) throws IOException {
        AudioFormat f = source.getFormat();
        int channels = f.getChannels();
        float rate = f.getSampleRate();
        if (channels < 1 || rate == AudioSystem.NOT_SPECIFIED || rate < MIN_RATE || rate > MAX_RATE
                || rate != Math.rint(rate)) {
            throw new IOException(name + ": need 1 or more channels at a whole rate of " + MIN_RATE + ".." + MAX_RATE
                    + " Hz, got " + f);
        }
        int to = SPEEX_RATES.contains((int) rate) ? (int) rate : 48000;
        // A rate conversion asks the JDK's converter for windowed-sinc interpolation (its default is linear).
        AudioFormat linear = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, to, 16, channels, 2 * channels, to,
                false, to == (int) rate ? Map.of() : Map.of("interpolation", "sinc"));
        AudioInputStream pcm = source;
        if (!f.matches(linear)) {
            if (!AudioSystem.isConversionSupported(linear, f)) {
                throw new IOException(name + ": no converter from " + f + " to 16-bit linear PCM");
            }
            pcm = AudioSystem.getAudioInputStream(linear, source);
        }
        byte[] b = pcm.readAllBytes();
        int frames = b.length / (2 * channels);
        if (frames == 0) {
            throw new IOException(name + ": no audio in the file (" + f + ")");
        }
        short[] s = new short[frames];
        for (int i = 0; i < frames; i++) {
            int sum = 0;
            for (int c = 0; c < channels; c++) {
                int at = 2 * (i * channels + c);
                sum += (short) ((b[at] & 0xff) | (b[at + 1] << 8));
            }
            s[i] = (short) (sum / channels);
        }
        return new Pcm(s, to);
    }
}
