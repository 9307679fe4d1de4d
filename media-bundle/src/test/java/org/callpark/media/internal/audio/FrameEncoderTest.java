package org.callpark.media.internal.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameEncoderTest {

    @TempDir
    static Path home;

    static Pcm music;

    @BeforeAll
    static void setUp() throws Exception {
        Libjitsi.prepare(home);
        music = AudioLibrary.resource(AudioLibrary.DEFAULT_MUSIC_RESOURCE);
    }

    @Test
    void shippedMusicIs24SecondsAt16kHz() {
        assertEquals(16000, music.sampleRate());
        assertEquals(24.0, music.seconds(), 0.01);
    }

    @Test
    void resampleKeepsTheLengthAndTheSignal() {
        Pcm p8 = FrameEncoder.resample(music, 8000);
        Pcm p48 = FrameEncoder.resample(music, 48000);
        assertEquals(192000, p8.samples().length);
        assertEquals(1152000, p48.samples().length);
        assertEquals(523, AudioCheck.dominantFrequency(p8.samples(), 0, 800, 8000), 10);
        assertEquals(440, AudioCheck.dominantFrequency(p48.samples(), 6 * 48000, 9600, 48000), 10);
    }

    @Test
    void g711FramesDecodeToTheSource() {
        Pcm p8 = FrameEncoder.resample(music, 8000);
        for (AudioCodec c : new AudioCodec[] {AudioCodec.PCMU, AudioCodec.PCMA}) {
            EncodedAudio e = FrameEncoder.encode("music", music, c, false);
            assertEquals(1200, e.frameCount(), c + " frames");
            assertEquals(160, e.frame(0).length);
            short[] d = AudioCheck.decode(c, e.frames());
            double corr = AudioCheck.bestCorrelation(p8.samples(), 8000, java.util.Arrays.copyOfRange(d, 8000, 16000), 8000, 0);
            assertTrue(corr > 0.99, c + " correlation " + corr);
        }
    }

    @Test
    void opusFramesDecodeToTheSource() {
        EncodedAudio e = FrameEncoder.encode("music", music, AudioCodec.OPUS, false);
        assertEquals(1200, e.frameCount());
        short[] d = AudioCheck.decode(AudioCodec.OPUS, e.frames());
        Pcm p48 = FrameEncoder.resample(music, 48000);
        double corr = AudioCheck.bestCorrelation(p48.samples(), 48000, java.util.Arrays.copyOfRange(d, 48000, 96000), 48000, 480);
        System.out.println("opus correlation " + corr + ", bytes/frame " + e.frame(100).length);
        assertTrue(corr > 0.8, "opus correlation " + corr);
        assertEquals(440, AudioCheck.dominantFrequency(d, 6 * 48000 + 4800, 9600, 48000), 10);
    }
}
