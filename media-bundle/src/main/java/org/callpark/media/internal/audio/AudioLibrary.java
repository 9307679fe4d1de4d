package org.callpark.media.internal.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every sound the bridge can play, encoded once per codec at activation and then only read: hold music by name
 * (looped) and prompts by name (played once). Nothing is encoded per call.
 */
public final class AudioLibrary {

    /** The shipped default hold music. */
    public static final String DEFAULT_MUSIC_RESOURCE = "/audio/hold-music.wav";
    /** The shipped prompts, by name (resource {@code /audio/<name>.wav}). */
    public static final List<String> SHIPPED_PROMPTS = List.of("nothing-parked", "nobody-available", "parked");

    private static final Logger LOG = LoggerFactory.getLogger(AudioLibrary.class);

    private final Map<String, Map<AudioCodec, EncodedAudio>> music;
    private final Map<String, Map<AudioCodec, EncodedAudio>> prompts;

    private AudioLibrary(Map<String, Map<AudioCodec, EncodedAudio>> music,
            Map<String, Map<AudioCodec, EncodedAudio>> prompts) {
        this.music = music;
        this.prompts = prompts;
    }

    /**
     * Loads and encodes everything.
     *
     * @param codecs       the codecs to encode into
     * @param defaultMusic a WAV file for the default music, or null for the shipped one
     * @param namedMusic   further music by name
     * @param promptDir    a directory of {@code <name>.wav} prompts, or null for the shipped ones (shipped prompts
     *                     missing from the directory are still available)
     */
    public static AudioLibrary load(Set<AudioCodec> codecs, Path defaultMusic, Map<String, Path> namedMusic,
            Path promptDir) throws IOException {
        Map<String, Map<AudioCodec, EncodedAudio>> music = new LinkedHashMap<>();
        Pcm def = defaultMusic == null ? resource(DEFAULT_MUSIC_RESOURCE) : file(defaultMusic);
        music.put("", encodeAll("music:default", def, codecs, false));
        for (Map.Entry<String, Path> e : namedMusic.entrySet()) {
            music.put(e.getKey().toLowerCase(java.util.Locale.ROOT), encodeAll("music:" + e.getKey(), file(e.getValue()), codecs, false));
        }
        Map<String, Map<AudioCodec, EncodedAudio>> prompts = new LinkedHashMap<>();
        for (String name : SHIPPED_PROMPTS) {
            prompts.put(name, encodeAll("prompt:" + name, resource("/audio/" + name + ".wav"), codecs, true));
        }
        if (promptDir != null) {
            try (var files = Files.list(promptDir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String f = p.getFileName().toString();
                    if (f.endsWith(".wav")) {
                        String name = f.substring(0, f.length() - 4);
                        prompts.put(name, encodeAll("prompt:" + name, file(p), codecs, true));
                    }
                }
            }
        }
        return new AudioLibrary(music, prompts);
    }

    private static Map<AudioCodec, EncodedAudio> encodeAll(String name, Pcm pcm, Set<AudioCodec> codecs,
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
            return WavFile.read(in.readAllBytes(), path);
        }
    }

    public static Pcm file(Path path) throws IOException {
        return WavFile.read(Files.readAllBytes(path), path.toString());
    }

    /**
     * The named music in one codec. Names are {@code <tenant>/<group>} or {@code <tenant>} (as the park service asks
     * for them), matched case-insensitively; an unknown {@code tenant/group} falls back to {@code tenant}, an unknown
     * name to the default.
     */
    public EncodedAudio music(String name, AudioCodec codec) {
        String key = name == null ? "" : name.toLowerCase(java.util.Locale.ROOT);
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

    /** The named prompt in one codec, or null if there is no such prompt. */
    public EncodedAudio prompt(String name, AudioCodec codec) {
        Map<AudioCodec, EncodedAudio> m = prompts.get(name);
        return m == null ? null : m.get(codec);
    }

    /** One line per sound with its frame count per codec (the activation log). */
    public String summary() {
        StringBuilder b = new StringBuilder();
        music.forEach((n, m) -> b.append(b.length() == 0 ? "" : "; ").append("music ")
                .append(n.isEmpty() ? "<default>" : n).append(": ").append(frameCounts(m)));
        prompts.forEach((n, m) -> b.append("; prompt ").append(n).append(": ").append(frameCounts(m)));
        return b.toString();
    }
}
