package org.callpark.media.internal.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import javax.sound.sampled.AudioFileFormat.Type;
import javax.sound.sampled.AudioFormat.Encoding;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sound files of every kind an admin brings from an old PBX, made by javax.sound.sampled's writers from a known tone,
 * decoded by {@link SoundFile}: the tone's frequency dominates the decoded samples, at the expected rate and length.
 */
class SoundFileTest {

    @TempDir
    Path dir;

    /** Decodes and checks: rate, length (± 1 %), and that {@code hz} has most of the energy of each 100 ms block. */
    private static Pcm checkTone(Path file, int expectedRate, double seconds, double hz) throws IOException {
        Pcm pcm = SoundFile.read(file);
        assertEquals(expectedRate, pcm.sampleRate(), file + ": rate");
        assertEquals(seconds, pcm.seconds(), seconds / 100, file + ": length");
        int block = expectedRate / 10;
        double min = 1;
        for (int from = 0; from + block <= pcm.samples().length; from += block) {
            min = Math.min(min, Tones.share(pcm.samples(), from, block, hz, expectedRate));
        }
        assertTrue(min > 0.9, file.getFileName() + ": " + hz + " Hz share of the worst 100 ms block " + min);
        assertEquals(hz, AudioCheck.dominantFrequency(pcm.samples(), 0, pcm.samples().length, expectedRate), 5,
                file.getFileName() + ": dominant frequency");
        return pcm;
    }

    @Test
    void muLawWavAt8kHz() throws Exception {
        Path f = Tones.write(dir.resolve("ulaw.wav"), Tones.tone(8000, 2, 1000), Encoding.ULAW, 8, false, Type.WAVE);
        assertEquals(7, Files.readAllBytes(f)[20], "WAVE_FORMAT_MULAW in the fmt chunk (the format WavFile refused)");
        checkTone(f, 8000, 2, 1000);
    }

    @Test
    void aLawWavAt8kHz() throws Exception {
        Path f = Tones.write(dir.resolve("alaw.wav"), Tones.tone(8000, 2, 700), Encoding.ALAW, 8, false, Type.WAVE);
        checkTone(f, 8000, 2, 700);
    }

    @Test
    void unsigned8BitWav() throws Exception {
        Path f = Tones.write(dir.resolve("u8.wav"), Tones.tone(11025, 2, 440), Encoding.PCM_UNSIGNED, 8, false,
                Type.WAVE);
        checkTone(f, 11025, 2, 440);
    }

    @Test
    void signed24BitWav() throws Exception {
        Path f = Tones.write(dir.resolve("s24.wav"), Tones.tone(16000, 2, 1200), Encoding.PCM_SIGNED, 24, false,
                Type.WAVE);
        checkTone(f, 16000, 2, 1200);
    }

    @Test
    void signed32BitWav() throws Exception {
        Path f = Tones.write(dir.resolve("s32.wav"), Tones.tone(48000, 1, 520), Encoding.PCM_SIGNED, 32, false,
                Type.WAVE);
        checkTone(f, 48000, 1, 520);
    }

    @Test
    void stereo44kHzWavIsAveragedToMono() throws Exception {
        // 440 Hz left, 880 Hz right: the mono result carries both at about the same power, nothing else.
        Path f = Tones.write(dir.resolve("stereo.wav"), Tones.tone(44100, 2, 440, 880), Encoding.PCM_SIGNED, 16,
                false, Type.WAVE);
        Pcm pcm = SoundFile.read(f);
        assertEquals(44100, pcm.sampleRate());
        assertEquals(88200, pcm.samples().length);
        double a = Tones.share(pcm.samples(), 0, 44100, 440, 44100);
        double b = Tones.share(pcm.samples(), 0, 44100, 880, 44100);
        assertTrue(a > 0.45 && b > 0.45 && a + b > 0.95, "440 Hz " + a + ", 880 Hz " + b);
        // same tone, opposite phase in the two channels: averaging cancels it
        Path cancel = Tones.write(dir.resolve("cancel.wav"), invertRight(Tones.tone(8000, 1, 500, 500)),
                Encoding.PCM_SIGNED, 16, false, Type.WAVE);
        assertTrue(AudioCheck.rms(SoundFile.read(cancel).samples(), 0, 8000) < 2, "L + (-L) averages to silence");
    }

    private static javax.sound.sampled.AudioInputStream invertRight(javax.sound.sampled.AudioInputStream in)
            throws IOException {
        byte[] b = in.readAllBytes();
        for (int at = 2; at < b.length; at += 4) {
            short v = (short) -(short) ((b[at] & 0xff) | (b[at + 1] << 8));
            b[at] = (byte) v;
            b[at + 1] = (byte) (v >> 8);
        }
        return new javax.sound.sampled.AudioInputStream(new java.io.ByteArrayInputStream(b), in.getFormat(),
                b.length / 4);
    }

    @Test
    void aiffBigEndian16Bit() throws Exception {
        Path f = Tones.write(dir.resolve("tone.aiff"), Tones.tone(22050, 2, 660), Encoding.PCM_SIGNED, 16, true,
                Type.AIFF);
        assertEquals("FORM", new String(Arrays.copyOf(Files.readAllBytes(f), 4), "US-ASCII"));
        checkTone(f, 22050, 2, 660);
    }

    @Test
    void auMuLaw() throws Exception {
        Path f = Tones.write(dir.resolve("tone.au"), Tones.tone(8000, 2, 900), Encoding.ULAW, 8, true, Type.AU);
        checkTone(f, 8000, 2, 900);
    }

    @Test
    void aRateLibjitsiDoesNotTakeGoesTo48kHzFirst() throws Exception {
        Path f = Tones.write(dir.resolve("96k.wav"), Tones.tone(96000, 1, 800), Encoding.PCM_SIGNED, 16, false,
                Type.WAVE);
        checkTone(f, 48000, 1, 800);
        Path g = Tones.write(dir.resolve("6k.wav"), Tones.tone(6000, 1, 500), Encoding.PCM_SIGNED, 16, false,
                Type.WAVE);
        checkTone(g, 48000, 1, 500);
    }

    /** As inside Karaf, where the context class loader may be a bundle's: the JDK's readers are found all the same. */
    @Test
    void readsWhateverTheContextClassLoaderAndRestoresIt() throws Exception {
        Path f = Tones.write(dir.resolve("ctx.aiff"), Tones.tone(8000, 1, 1000), Encoding.PCM_SIGNED, 16, true,
                Type.AIFF);
        ClassLoader isolated = new java.net.URLClassLoader(new java.net.URL[0], null);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(isolated);
        try {
            checkTone(f, 8000, 1, 1000);
            assertEquals(isolated, Thread.currentThread().getContextClassLoader());
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @Test
    void unreadableFilesAreIoExceptionsNamingTheFile() throws Exception {
        Path good = Tones.write(dir.resolve("good.wav"), Tones.tone(8000, 1, 1000), Encoding.PCM_SIGNED, 16, false,
                Type.WAVE);
        byte[] bytes = Files.readAllBytes(good);
        Path garbage = Files.write(dir.resolve("garbage.wav"), new java.util.Random(1).ints(4000, 0, 256)
                .collect(java.io.ByteArrayOutputStream::new, (o, i) -> o.write(i), (x, y) -> { }).toByteArray());
        Path text = Files.writeString(dir.resolve("notes.wav"), "this is not audio\n".repeat(100));
        Path empty = Files.write(dir.resolve("empty.wav"), new byte[0]);
        Path headerCut = Files.write(dir.resolve("cut-header.wav"), Arrays.copyOf(bytes, 30));
        Path noData = Files.write(dir.resolve("no-data.wav"), Arrays.copyOf(bytes, 44)); // header, zero samples
        for (Path p : new Path[] {garbage, text, empty, headerCut, noData}) {
            IOException e = assertThrows(IOException.class, () -> SoundFile.read(p), p.toString());
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        }
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SoundFile.read(dir.resolve("missing.wav")));
        // cut inside the samples: what is there plays (a file copied while it was being written)
        Path dataCut = Files.write(dir.resolve("cut-data.wav"), Arrays.copyOf(bytes, 44 + 8000));
        checkTone(dataCut, 8000, 0.5, 1000);
    }
}
