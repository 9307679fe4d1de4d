package org.callpark.media.internal.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every sound the bridge can play, encoded once per codec at activation and then only read: hold music by name
 * (looped) and prompts by language and name (played once; {@link PromptSet}). Nothing is encoded per call.
 */
public final class AudioLibrary {

    /** The shipped default hold music. */
    public static final String DEFAULT_MUSIC_RESOURCE = "/audio/hold-music.wav";
    /** The shipped prompts, by name (resource {@code /audio/<name>.wav}). */
    public static final List<String> SHIPPED_PROMPTS = List.of("nothing-parked", "nobody-available", "parked",
            "park-announce", "digit-0", "digit-1", "digit-2", "digit-3", "digit-4", "digit-5", "digit-6", "digit-7",
            "digit-8", "digit-9", "digit-star", "digit-hash");

    private static final Logger LOG = LoggerFactory.getLogger(AudioLibrary.class);

    private final Map<String, Map<AudioCodec, EncodedAudio>> music;
    private final PromptSet prompts;

    private AudioLibrary(Map<String, Map<AudioCodec, EncodedAudio>> music, PromptSet prompts) {
        this.music = music;
        this.prompts = prompts;
    }

    /**
     * Loads and encodes everything. A configured file that cannot be played (missing, unreadable, an unknown or
     * unsupported format, truncated inside its header, no audio) is logged once here at WARN with its path and left
     * out: the default music falls back to the shipped music, a tenant's or group's music to the next in the
     * {@link #music} chain, a prompt to the shipped prompt of that name. So a bad file never stops the bridge.
     *
     * @param codecs       the codecs to encode into
     * @param defaultMusic a sound file for the default music, or null for the shipped one
     * @param namedMusic   further music by name
     * @param promptDir    a directory of {@code <name>.wav|.aif|.aiff|.aifc|.au} prompts, or null for the shipped ones
     *                     (shipped prompts missing from the directory are still available)
     * @throws IOException only if a shipped sound cannot be read (a broken build)
     */
    public static AudioLibrary load(Set<AudioCodec> codecs, Path defaultMusic, Map<String, Path> namedMusic,
            Path promptDir) throws IOException {
        return load(codecs, defaultMusic, namedMusic, promptDir, PromptSet.SHIPPED_LANGUAGE);
    }

    /**
     * As {@link #load(Set, Path, Map, Path)}, with prompts per language: {@code promptDir/<language tag>/<name>.<ext>}
     * besides the files directly in {@code promptDir}, which are {@code promptLanguage}'s ({@link PromptSet}).
     *
     * @param promptLanguage the language of calls whose tenant sets none
     */
    public static AudioLibrary load(Set<AudioCodec> codecs, Path defaultMusic, Map<String, Path> namedMusic,
            Path promptDir, String promptLanguage) throws IOException {
        Map<String, Map<AudioCodec, EncodedAudio>> music = new LinkedHashMap<>();
        Map<AudioCodec, EncodedAudio> def = defaultMusic == null ? null
                : fromFile("music:default", defaultMusic, codecs, false, "using the shipped default music instead");
        music.put("", def != null ? def
                : encodeAll("music:default", resource(DEFAULT_MUSIC_RESOURCE), codecs, false));
        for (Map.Entry<String, Path> e : namedMusic.entrySet()) {
            Map<AudioCodec, EncodedAudio> m = fromFile("music:" + e.getKey(), e.getValue(), codecs, false,
                    e.getKey().contains("/") ? "using its tenant's music, else the default music, instead"
                            : "using the default music instead");
            if (m != null) {
                music.put(e.getKey().toLowerCase(Locale.ROOT), m);
            }
        }
        return new AudioLibrary(music, PromptSet.load(codecs, promptDir, promptLanguage));
    }

    /**
     * One configured file decoded and encoded, or null (logged once at WARN with its path) if it cannot be played.
     * Nothing else happens per file: the caller decides what plays instead ({@code instead} says it in the log).
     */
    static Map<AudioCodec, EncodedAudio> fromFile(String name, Path path, Set<AudioCodec> codecs,
            boolean prompt, String instead) {
        try {
            return encodeAll(name, file(path), codecs, prompt);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Media: {} file {} cannot be played ({}); {}", name, path, reason(e, path), instead);
            return null;
        }
    }

    /** The exception's message without the path it usually starts with; "no such file" and the like by type. */
    static String reason(Exception e, Path path) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "access denied";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String prefix = path + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    static Map<AudioCodec, EncodedAudio> encodeAll(String name, Pcm pcm, Set<AudioCodec> codecs,
            boolean prompt) {
        Map<AudioCodec, EncodedAudio> m = new EnumMap<>(AudioCodec.class);
        long t0 = System.nanoTime();
        for (AudioCodec c : codecs) {
            m.put(c, FrameEncoder.encode(name, pcm, c, prompt));
        }
        LOG.debug("Encoded {} ({} s at {} Hz) in {} ms: {}", name, pcm.seconds(), pcm.sampleRate(),
                (System.nanoTime() - t0) / 1_000_000, frameCounts(m));
        return m;
    }

    static String frameCounts(Map<AudioCodec, EncodedAudio> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((c, a) -> b.append(b.length() == 0 ? "" : ", ").append(c.sdpName()).append('=')
                .append(a.frameCount()).append(" frames"));
        return b.toString();
    }

    public static Pcm resource(String path) throws IOException {
        try (InputStream in = AudioLibrary.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("missing resource " + path);
            }
            return SoundFile.read(in, path);
        }
    }

    public static Pcm file(Path path) throws IOException {
        return SoundFile.read(path);
    }

    /**
     * The named music in one codec. Names are {@code <tenant>/<group>} or {@code <tenant>} (as the park service asks
     * for them), matched case-insensitively; an unknown {@code tenant/group} falls back to {@code tenant}, an unknown
     * name to the default.
     */
    public EncodedAudio music(String name, AudioCodec codec) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
        Map<AudioCodec, EncodedAudio> m = music.get(key);
        while (m == null && key.contains("/")) {
            key = key.substring(0, key.lastIndexOf('/'));
            m = music.get(key);
        }
        if (m == null) {
            m = music.get("");
        }
        return m.get(codec);
    }

    /**
     * The prompt in one codec, or null if no language has it. {@code name} is {@code <language>/<prompt>} (a tenant's
     * language) or {@code <prompt>} (the default language); the language falls back as {@link PromptSet} says.
     */
    public EncodedAudio prompt(String name, AudioCodec codec) {
        Map<AudioCodec, EncodedAudio> m = prompts.find(name);
        return m == null ? null : m.get(codec);
    }

    /** One line per sound with its frame count per codec (the activation log). */
    public String summary() {
        StringBuilder b = new StringBuilder();
        music.forEach((n, m) -> b.append(b.length() == 0 ? "" : "; ").append("music ")
                .append(n.isEmpty() ? "<default>" : n).append(": ").append(frameCounts(m)));
        prompts.summarize(b);
        return b.toString();
    }
}
