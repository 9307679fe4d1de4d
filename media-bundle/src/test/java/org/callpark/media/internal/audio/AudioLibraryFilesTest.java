package org.callpark.media.internal.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sound.sampled.AudioFileFormat.Type;
import javax.sound.sampled.AudioFormat.Encoding;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Music and prompts from files of any format through the whole chain (decode, resample, encode into the codecs, decode
 * the payloads again): each plays its tone. A file that cannot be played is replaced (shipped default music, the
 * tenant's music, the shipped prompt) with exactly one WARN naming it.
 */
class AudioLibraryFilesTest {

    @TempDir
    static Path dir;

    static AudioLibrary shipped;

    @BeforeAll
    static void setUp() throws Exception {
        Libjitsi.prepare(dir.resolve("libjitsi"));
        shipped = AudioLibrary.load(Set.of(AudioCodec.PCMU), null, Map.of(), null);
    }

    /** The dominant frequency of every 100 ms block of the decoded payloads, skipping the first block. */
    private static void assertPlays(double hz, EncodedAudio audio) {
        short[] pcm = AudioCheck.decode(audio.codec(), audio.frames());
        int rate = audio.codec().pcmRate();
        int block = rate / 10;
        assertTrue(pcm.length >= 5 * block, audio.name() + ": " + pcm.length + " samples");
        for (int from = block; from + block <= pcm.length - block; from += block) {
            assertEquals(hz, AudioCheck.dominantFrequency(pcm, from, block, rate), 10,
                    audio.name() + " " + audio.codec() + " at " + from / (double) rate + " s");
            assertTrue(Tones.share(pcm, from, block, hz, rate) > 0.6, audio.name() + ": tone share at " + from);
        }
    }

    @Test
    void everyFormatPlaysItsToneInEveryCodec() throws Exception {
        Path ulaw = Tones.write(dir.resolve("ulaw.wav"), Tones.tone(8000, 1, 1000), Encoding.ULAW, 8, false, Type.WAVE);
        Path u8 = Tones.write(dir.resolve("u8.wav"), Tones.tone(8000, 1, 440), Encoding.PCM_UNSIGNED, 8, false,
                Type.WAVE);
        Path stereo = Tones.write(dir.resolve("stereo.wav"), Tones.tone(44100, 1, 600, 600), Encoding.PCM_SIGNED, 16,
                false, Type.WAVE);
        Path aiff = Tones.write(dir.resolve("tone.aiff"), Tones.tone(22050, 1, 660), Encoding.PCM_SIGNED, 16, true,
                Type.AIFF);
        Map<String, Path> named = new LinkedHashMap<>();
        named.put("default", u8);
        named.put("default/Sales", stereo);
        named.put("acme", aiff);
        Set<AudioCodec> all = Set.of(AudioCodec.PCMU, AudioCodec.PCMA, AudioCodec.OPUS);
        AudioLibrary lib = AudioLibrary.load(all, ulaw, named, null);
        for (AudioCodec c : all) {
            assertPlays(1000, lib.music("", c));
            assertPlays(440, lib.music("default/other", c));
            assertPlays(600, lib.music("default/sales", c));
            assertPlays(660, lib.music("acme/support", c));
            assertEquals(50, lib.music("", c).frameCount(), "1 s of music = 50 frames of 20 ms");
        }
    }

    private record Loaded(AudioLibrary library, List<String> warnings) {
    }

    private static Loaded load(Path music, Map<String, Path> named, Path prompts) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        AudioLibrary lib;
        try {
            lib = AudioLibrary.load(Set.of(AudioCodec.PCMU), music, named, prompts);
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        err.print(text);
        return new Loaded(lib, text.lines().filter(l -> l.contains("WARN")).toList());
    }

    /** Bad files of every kind: name and bytes. */
    private static Map<String, byte[]> badFiles() throws Exception {
        byte[] good = Files.readAllBytes(Tones.write(dir.resolve("good.wav"), Tones.tone(8000, 1, 1000),
                Encoding.PCM_SIGNED, 16, false, Type.WAVE));
        Map<String, byte[]> bad = new LinkedHashMap<>();
        byte[] noise = new byte[4000];
        new java.util.Random(7).nextBytes(noise);
        bad.put("corrupt.wav", noise);
        bad.put("truncated.wav", Arrays.copyOf(good, 30));
        bad.put("empty.wav", new byte[0]);
        bad.put("no-samples.wav", Arrays.copyOf(good, 44));
        bad.put("short.wav", Arrays.copyOf(good, 44 + 100)); // 50 samples: not one 20 ms frame of music
        bad.put("text.au", "not audio at all".getBytes(StandardCharsets.US_ASCII));
        return bad;
    }

    @Test
    void anUnplayableDefaultMusicIsTheShippedMusicWithOneWarning() throws Exception {
        Map<String, byte[]> bad = badFiles();
        bad.put("missing.wav", null);
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Path f = dir.resolve("default-" + e.getKey());
            if (e.getValue() != null) {
                Files.write(f, e.getValue());
            }
            Loaded l = load(f, Map.of(), null);
            assertEquals(1, l.warnings().size(), e.getKey() + ": " + l.warnings());
            assertTrue(l.warnings().get(0).contains(f.toString()), l.warnings().get(0));
            assertSameFrames(shipped.music("", AudioCodec.PCMU), l.library().music("", AudioCodec.PCMU));
        }
    }

    @Test
    void anUnplayableGroupMusicFallsBackToItsTenantThenTheDefault() throws Exception {
        Path tenant = Tones.write(dir.resolve("acme.aiff"), Tones.tone(16000, 1, 660), Encoding.PCM_SIGNED, 16, true,
                Type.AIFF);
        Path broken = Files.write(dir.resolve("support.wav"), "RIFF....WAVEjunk".getBytes(StandardCharsets.US_ASCII));
        Path missing = dir.resolve("no-such-dir/sales.wav");
        Loaded l = load(null, Map.of("acme", tenant, "acme/support", broken, "default/sales", missing), null);
        assertEquals(2, l.warnings().size(), l.warnings().toString());
        assertTrue(l.warnings().stream().anyMatch(w -> w.contains(broken.toString())), l.warnings().toString());
        assertTrue(l.warnings().stream().anyMatch(w -> w.contains(missing + " cannot be played (no such file)")),
                l.warnings().toString());
        assertPlays(660, l.library().music("acme/support", AudioCodec.PCMU));
        assertSameFrames(shipped.music("", AudioCodec.PCMU), l.library().music("default/sales", AudioCodec.PCMU));
    }

    @Test
    void promptsInAnyFormatAndAnUnplayableOneIsTheShippedPrompt() throws Exception {
        Path prompts = Files.createDirectories(dir.resolve("prompts"));
        Path parked = Files.write(prompts.resolve("parked.wav"), badFiles().get("corrupt.wav"));
        Tones.write(prompts.resolve("nothing-parked.au"), Tones.tone(8000, 1, 900), Encoding.ULAW, 8, true, Type.AU);
        Tones.write(prompts.resolve("welcome.aif"), Tones.tone(8000, 1, 700), Encoding.PCM_SIGNED, 16, true,
                Type.AIFF);
        Files.writeString(prompts.resolve("README.txt"), "not a prompt");
        Loaded l = load(null, Map.of(), prompts);
        assertEquals(1, l.warnings().size(), l.warnings().toString());
        assertTrue(l.warnings().get(0).contains(parked.toString()), l.warnings().get(0));
        assertSameFrames(shipped.prompt("parked", AudioCodec.PCMU), l.library().prompt("parked", AudioCodec.PCMU));
        assertPlays(900, l.library().prompt("nothing-parked", AudioCodec.PCMU));
        assertPlays(700, l.library().prompt("welcome", AudioCodec.PCMU));
        assertSameFrames(shipped.prompt("nobody-available", AudioCodec.PCMU),
                l.library().prompt("nobody-available", AudioCodec.PCMU));

        Path gone = dir.resolve("no-prompts-here");
        Loaded m = load(null, Map.of(), gone);
        assertEquals(1, m.warnings().size(), m.warnings().toString());
        assertTrue(m.warnings().get(0).contains(gone.toString()), m.warnings().get(0));
        assertSameFrames(shipped.prompt("parked", AudioCodec.PCMU), m.library().prompt("parked", AudioCodec.PCMU));
    }

    private static void assertSameFrames(EncodedAudio expected, EncodedAudio actual) {
        assertEquals(expected.frameCount(), actual.frameCount(), actual.name());
        for (int i = 0; i < expected.frameCount(); i++) {
            assertArrayEquals(expected.frame(i), actual.frame(i), actual.name() + " frame " + i);
        }
    }
}
