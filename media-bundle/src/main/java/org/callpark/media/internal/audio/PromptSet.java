package org.callpark.media.internal.audio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.callpark.api.Tenant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prompts in every language, encoded once at load, and the choice of one for a call. The SIP side asks for
 * {@code <language>/<name>} (the call's tenant's language, {@code Tenant.language}) or a bare {@code <name>} (the
 * default language); the first of these languages that has the prompt plays:
 * <ol>
 * <li>the language asked for, then the same without its last subtag, and so on ({@code pt-BR} → {@code pt});</li>
 * <li>the default language ({@code promptLanguage} of the media configuration), shortened the same way;</li>
 * <li>{@value #SHIPPED_LANGUAGE}, whose prompts are the shipped ones unless {@code promptDir} overrides them.</li>
 * </ol>
 * Where they come from: {@code promptDir/<tag>/<name>.<ext>} is language {@code <tag>} (matched ignoring case);
 * files directly in {@code promptDir} (the layout before languages) are the default language's, below its own
 * directory; the shipped prompts are {@value #SHIPPED_LANGUAGE}, below both. So a tenant whose language is
 * {@value #SHIPPED_LANGUAGE} hears English even where the default language is another.
 * <p>
 * <b>One warning per missing file.</b> When a call gets a prompt in a language other than its own (or its own without
 * region), the file it lacked is logged once at WARN with the path that was looked for, not per call; a later load
 * (a configuration change) warns again. A file that cannot be played is logged at load and left out, so its language
 * falls back the same way. Thread-safe: built at load, read by the RTP loop.
 */
final class PromptSet {

    /** The language of the shipped prompts. */
    static final String SHIPPED_LANGUAGE = "en";
    /** The file name endings taken as prompts (all read through {@link SoundFile}). */
    static final Set<String> EXTENSIONS = Set.of("wav", "aif", "aiff", "aifc", "au");
    /** At most this many distinct requests are remembered (tenant languages × names: a handful). */
    private static final int MAX_REMEMBERED = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(PromptSet.class);

    /** One prompt in one language and where it came from (a path, or {@code shipped}). */
    private record Entry(Map<AudioCodec, EncodedAudio> audio, String source) {
    }

    /** A request resolved: the entry and the language it was found in. */
    private record Found(Entry entry, String language) {
    }

    private final Path dir;
    private final String defaultLanguage;
    /** Lower-case language tag → prompt name → entry. */
    private final Map<String, Map<String, Entry>> byLanguage;
    private final Map<String, Optional<Found>> resolved = new ConcurrentHashMap<>();

    private PromptSet(Path dir, String defaultLanguage, Map<String, Map<String, Entry>> byLanguage) {
        this.dir = dir;
        this.defaultLanguage = defaultLanguage;
        this.byLanguage = byLanguage;
    }

    /**
     * Loads and encodes the shipped prompts and every prompt under {@code dir}.
     *
     * @param dir             the prompt directory, or null for the shipped prompts only
     * @param defaultLanguage the language of calls whose tenant sets none (a language tag); also the language of files
     *                        directly in {@code dir}
     * @throws IOException only if a shipped prompt cannot be read (a broken build)
     */
    static PromptSet load(Set<AudioCodec> codecs, Path dir, String defaultLanguage) throws IOException {
        String def = defaultLanguage == null || defaultLanguage.isBlank() ? SHIPPED_LANGUAGE
                : defaultLanguage.trim().toLowerCase(Locale.ROOT);
        Map<String, Map<String, Entry>> by = new LinkedHashMap<>();
        Map<String, Entry> shipped = by.computeIfAbsent(SHIPPED_LANGUAGE, x -> new TreeMap<>());
        for (String name : AudioLibrary.SHIPPED_PROMPTS) {
            shipped.put(name, new Entry(AudioLibrary.encodeAll("prompt:" + name,
                    AudioLibrary.resource("/audio/" + name + ".wav"), codecs, true), "shipped"));
        }
        if (dir != null) {
            Map<String, Path> languages = new TreeMap<>();
            Map<String, Path> flat = files(dir, languages);
            // the layout before languages: the default language's, below its own directory
            add(by.computeIfAbsent(def, x -> new TreeMap<>()), flat, "", codecs);
            languages.forEach((tag, path) -> add(by.computeIfAbsent(tag, x -> new TreeMap<>()),
                    files(path, null), tag + "/", codecs));
        }
        return new PromptSet(dir, def, by);
    }

    /** Encodes {@code files} into {@code into} (replacing what is there); one that cannot be played is logged. */
    private static void add(Map<String, Entry> into, Map<String, Path> files, String prefix, Set<AudioCodec> codecs) {
        files.forEach((name, path) -> {
            Map<AudioCodec, EncodedAudio> m = AudioLibrary.fromFile("prompt:" + prefix + name, path, codecs, true,
                    prefix.isEmpty() && AudioLibrary.SHIPPED_PROMPTS.contains(name) ? "using the shipped prompt instead"
                            : "using the next language that has it instead");
            if (m != null) {
                into.put(name, new Entry(m, path.toString()));
            }
        });
    }

    /**
     * The prompt files in {@code dir} by name (first in file-name order wins) and, if {@code languages} is given, its
     * subdirectories named like a language tag into it (lower case). A directory that cannot be read is logged.
     */
    private static Map<String, Path> files(Path dir, Map<String, Path> languages) {
        Map<String, Path> files = new TreeMap<>();
        try (var list = Files.list(dir)) {
            list.sorted().forEach(p -> {
                String f = p.getFileName().toString();
                if (Files.isDirectory(p)) {
                    if (languages != null && Tenant.isLanguageTag(f)) {
                        languages.putIfAbsent(f.toLowerCase(Locale.ROOT), p);
                    }
                    return;
                }
                int dot = f.lastIndexOf('.');
                if (dot > 0 && EXTENSIONS.contains(f.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                    files.putIfAbsent(f.substring(0, dot), p);
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("Media: prompt directory {} cannot be read ({}); using the {}", dir, AudioLibrary.reason(e, dir),
                    languages != null ? "shipped prompts" : "next language that has them instead");
        }
        return files;
    }

    /**
     * The prompt for a request ({@code <language>/<name>} or {@code <name>}), or null if no language has it.
     */
    Map<AudioCodec, EncodedAudio> find(String request) {
        if (request == null) {
            return null;
        }
        String key = request.trim().toLowerCase(Locale.ROOT);
        Optional<Found> f = resolved.get(key);
        if (f == null) {
            f = resolve(key);
            if (resolved.size() < MAX_REMEMBERED && resolved.putIfAbsent(key, f) == null) {
                warnIfElsewhere(key, f);
            }
        }
        return f.map(x -> x.entry().audio()).orElse(null);
    }

    private Optional<Found> resolve(String key) {
        int slash = key.lastIndexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        for (String language : chain(slash < 0 ? "" : key.substring(0, slash))) {
            Entry e = byLanguage.getOrDefault(language, Map.of()).get(name);
            if (e != null) {
                return Optional.of(new Found(e, language));
            }
        }
        return Optional.empty();
    }

    /** The languages looked in for {@code language} (lower case; empty: the default), most specific first. */
    List<String> chain(String language) {
        Set<String> out = new LinkedHashSet<>();
        shortened(language.isEmpty() ? defaultLanguage : language, out);
        shortened(defaultLanguage, out);
        out.add(SHIPPED_LANGUAGE);
        return new ArrayList<>(out);
    }

    private static void shortened(String tag, Set<String> out) {
        for (String t = tag; !t.isEmpty(); t = t.contains("-") ? t.substring(0, t.lastIndexOf('-')) : "") {
            out.add(t);
        }
    }

    /** Once per request: the WARN that a call gets its prompt in another language, naming the file it lacked. */
    private void warnIfElsewhere(String key, Optional<Found> found) {
        if (found.isEmpty()) {
            return; // no such prompt at all: the leg says so
        }
        int slash = key.lastIndexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        String asked = slash < 0 ? defaultLanguage : key.substring(0, slash);
        Set<String> own = new LinkedHashSet<>();
        shortened(asked, own);
        String got = found.get().language();
        if (own.contains(got)) {
            return;
        }
        String source = found.get().entry().source();
        LOG.warn("Media: prompt {} has no playable file for language '{}' ({}); playing {} instead", name, asked,
                dir == null ? "no promptDir is configured"
                        : "looked for " + dir.resolve(asked).resolve(name) + ".wav, .aif, .aiff, .aifc or .au",
                source.equals("shipped") ? "the shipped '" + got + "' prompt" : "'" + got + "' " + source);
    }

    /** One entry per language and prompt with its frame counts (the activation log). */
    void summarize(StringBuilder b) {
        byLanguage.forEach((language, prompts) -> prompts.forEach((n, e) -> b.append("; prompt ").append(language)
                .append('/').append(n).append(": ").append(AudioLibrary.frameCounts(e.audio()))));
    }
}
