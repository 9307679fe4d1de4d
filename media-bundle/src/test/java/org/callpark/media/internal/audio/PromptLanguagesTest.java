package org.callpark.media.internal.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import javax.sound.sampled.AudioFileFormat.Type;
import javax.sound.sampled.AudioFormat.Encoding;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts per language ({@link PromptSet}) with generated tone files in a temporary prompt directory: the chain
 * language-region → language → default language → shipped English, files directly in the directory as the default
 * language's, and exactly one WARN naming the file looked for when a call gets another language (not one per call).
 */
class PromptLanguagesTest {

    @TempDir
    static Path dir;

    static Path prompts;
    static AudioLibrary shipped;

    @BeforeAll
    static void setUp() throws Exception {
        Libjitsi.prepare(dir.resolve("libjitsi"));
        shipped = AudioLibrary.load(Set.of(AudioCodec.PCMU), null, Map.of(), null);
        prompts = Files.createDirectories(dir.resolve("prompts"));
        Files.createDirectories(prompts.resolve("de"));
        Files.createDirectories(prompts.resolve("pt"));
        Files.createDirectories(prompts.resolve("pt-BR"));
        Files.createDirectories(prompts.resolve("old-prompts")); // not a language tag: ignored
        tone(prompts.resolve("de/nobody-available.wav"), 700, Type.WAVE);
        tone(prompts.resolve("pt/nothing-parked.au"), 900, Type.AU);
        tone(prompts.resolve("pt-BR/nobody-available.aiff"), 600, Type.AIFF);
        tone(prompts.resolve("parked.wav"), 500, Type.WAVE); // the layout before languages
        tone(prompts.resolve("old-prompts/nobody-available.wav"), 300, Type.WAVE);
    }

    private static void tone(Path file, double hz, Type type) throws Exception {
        Tones.write(file, Tones.tone(8000, 0.5, hz), Encoding.PCM_SIGNED, 16, type == Type.AIFF, type);
    }

    private record Logged<T>(T value, List<String> warnings) {
    }

    /** Runs {@code what} and returns its value with the WARN lines it logged (slf4j-simple writes to stderr). */
    private static <T> Logged<T> logged(Callable<T> what) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        T value;
        try {
            value = what.call();
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        err.print(text);
        return new Logged<>(value, text.lines().filter(l -> l.contains("WARN")).toList());
    }

    /** The dominant frequency of the middle 100 ms of a prompt. */
    private static int hz(EncodedAudio audio) {
        short[] pcm = AudioCheck.decode(audio.codec(), audio.frames());
        int rate = audio.codec().pcmRate();
        return AudioCheck.dominantFrequency(pcm, pcm.length / 2 - rate / 20, rate / 10, rate);
    }

    private static void assertShipped(String name, EncodedAudio actual) {
        EncodedAudio expected = shipped.prompt(name, AudioCodec.PCMU);
        assertEquals(expected.frameCount(), actual.frameCount(), actual.name());
        for (int i = 0; i < expected.frameCount(); i++) {
            assertArrayEquals(expected.frame(i), actual.frame(i), actual.name() + " frame " + i);
        }
    }

    @Test
    void aTenantLanguageFallsBackFromRegionToLanguageToTheDefaultToTheShippedPrompt() throws Exception {
        AudioLibrary lib = AudioLibrary.load(Set.of(AudioCodec.PCMU), null, Map.of(), prompts, "en");
        assertEquals(700, hz(lib.prompt("de/nobody-available", AudioCodec.PCMU)), 15);
        assertEquals(700, hz(lib.prompt("DE/nobody-available", AudioCodec.PCMU)), 15, "tags ignore case");
        assertEquals(600, hz(lib.prompt("pt-BR/nobody-available", AudioCodec.PCMU)), 15);
        assertEquals(900, hz(lib.prompt("pt-BR/nothing-parked", AudioCodec.PCMU)), 15, "pt-BR -> pt");
        assertShipped("nobody-available", lib.prompt("nobody-available", AudioCodec.PCMU));
        assertShipped("nobody-available", lib.prompt("en-GB/nobody-available", AudioCodec.PCMU));
        assertEquals(500, hz(lib.prompt("parked", AudioCodec.PCMU)), 15, "a file directly in promptDir: en");
        assertNull(lib.prompt("de/welcome", AudioCodec.PCMU), "a prompt no language has");
    }

    @Test
    void aMissingLanguageFileIsOneWarningNamingItNotOnePerCall() throws Exception {
        AudioLibrary lib = AudioLibrary.load(Set.of(AudioCodec.PCMU), null, Map.of(), prompts, "en");
        Logged<EncodedAudio> first = logged(() -> lib.prompt("de/nothing-parked", AudioCodec.PCMU));
        assertShipped("nothing-parked", first.value());
        assertEquals(1, first.warnings().size(), first.warnings().toString());
        String w = first.warnings().get(0);
        assertTrue(w.contains(prompts.resolve("de").resolve("nothing-parked") + ".wav"), w);
        assertTrue(w.contains("language 'de'") && w.contains("shipped 'en' prompt"), w);
        Logged<Integer> more = logged(() -> {
            for (int i = 0; i < 100; i++) {
                lib.prompt("de/nothing-parked", AudioCodec.PCMU);
            }
            return 0;
        });
        assertEquals(List.of(), more.warnings(), "once, not per call");
        Logged<EncodedAudio> flat = logged(() -> lib.prompt("fr/parked", AudioCodec.PCMU));
        assertEquals(500, hz(flat.value()), 15);
        assertEquals(1, flat.warnings().size(), flat.warnings().toString());
        assertTrue(flat.warnings().get(0).contains(prompts.resolve("fr").resolve("parked") + ".wav"),
                flat.warnings().get(0));
        assertTrue(flat.warnings().get(0).contains(prompts.resolve("parked.wav").toString()), "what plays instead");
        assertEquals(List.of(), logged(() -> lib.prompt("pt-BR/nothing-parked", AudioCodec.PCMU)).warnings(),
                "the tenant's language without region is its own language: no warning");
    }

    @Test
    void anotherDefaultLanguageTakesTheFlatFilesAndServesTenantsWithoutOne() throws Exception {
        AudioLibrary lib = AudioLibrary.load(Set.of(AudioCodec.PCMU), null, Map.of(), prompts, "de");
        assertEquals(700, hz(lib.prompt("nobody-available", AudioCodec.PCMU)), 15);
        Logged<EncodedAudio> fr = logged(() -> lib.prompt("fr/nobody-available", AudioCodec.PCMU));
        assertEquals(700, hz(fr.value()), 15, "fr -> the default language de");
        assertEquals(1, fr.warnings().size(), fr.warnings().toString());
        assertEquals(List.of(), logged(() -> lib.prompt("de/parked", AudioCodec.PCMU)).warnings(),
                "files directly in promptDir are the default language's");
        assertShipped("nobody-available", lib.prompt("en/nobody-available", AudioCodec.PCMU));
        Logged<EncodedAudio> none = logged(() -> lib.prompt("nothing-parked", AudioCodec.PCMU));
        assertShipped("nothing-parked", none.value());
        assertEquals(1, none.warnings().size(), "the default language lacks it: " + none.warnings());
        assertTrue(none.warnings().get(0).contains(prompts.resolve("de").resolve("nothing-parked") + ".wav"));
    }

    @Test
    void anUnplayableLanguageFileIsLoggedAtLoadAndFallsBack() throws Exception {
        Path other = Files.createDirectories(dir.resolve("broken/prompts/it"));
        Path bad = Files.writeString(other.resolve("nobody-available.wav"), "RIFF....WAVEjunk");
        Logged<AudioLibrary> l = logged(() -> AudioLibrary.load(Set.of(AudioCodec.PCMU), null, Map.of(),
                other.getParent(), "en"));
        assertEquals(1, l.warnings().size(), l.warnings().toString());
        assertTrue(l.warnings().get(0).contains(bad.toString()), l.warnings().get(0));
        assertShipped("nobody-available", l.value().prompt("it/nobody-available", AudioCodec.PCMU));
    }

    @Test
    void withoutAPromptDirectoryEveryLanguageHearsTheShippedPromptWithOneWarningEach() throws Exception {
        AudioLibrary lib = AudioLibrary.load(Set.of(AudioCodec.PCMU), null, Map.of(), null, "en");
        Logged<EncodedAudio> de = logged(() -> lib.prompt("de/nobody-available", AudioCodec.PCMU));
        assertShipped("nobody-available", de.value());
        assertEquals(1, de.warnings().size(), de.warnings().toString());
        assertTrue(de.warnings().get(0).contains("no promptDir is configured"), de.warnings().get(0));
    }
}
