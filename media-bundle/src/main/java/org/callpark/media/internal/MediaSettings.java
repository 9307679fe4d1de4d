package org.callpark.media.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Violation;
import org.callpark.api.Tenant;
import org.callpark.media.internal.audio.AudioCodec;
import org.callpark.spi.Overrides;

/**
 * The validated media settings: {@link MediaConfig} with system-property / environment overrides applied. Invalid
 * settings name every bad field and nothing is applied.
 *
 * @param musicDefault null for the shipped music
 * @param promptDir      null for the shipped prompts only
 * @param promptLanguage the language of calls whose tenant sets none (a language tag)
 * @param rtcpSockets    each leg also binds port + 1 to absorb the peer's RTCP (the default); off: one socket per leg
 */
public record MediaSettings(InetAddress bindAddress, int rtpPortMin, int rtpPortMax, List<AudioCodec> codecs,
        Path musicDefault, Map<String, Path> musicFiles, Path promptDir, String promptLanguage, boolean rtcpSockets) {

    /** Settings with an RTCP socket per leg. */
    public MediaSettings(InetAddress bindAddress, int rtpPortMin, int rtpPortMax, List<AudioCodec> codecs,
            Path musicDefault, Map<String, Path> musicFiles, Path promptDir, String promptLanguage) {
        this(bindAddress, rtpPortMin, rtpPortMax, codecs, musicDefault, musicFiles, promptDir, promptLanguage, true);
    }

    /** Settings with the shipped prompts' language ({@code en}) as the default. */
    public MediaSettings(InetAddress bindAddress, int rtpPortMin, int rtpPortMax, List<AudioCodec> codecs,
            Path musicDefault, Map<String, Path> musicFiles, Path promptDir) {
        this(bindAddress, rtpPortMin, rtpPortMax, codecs, musicDefault, musicFiles, promptDir, "en");
    }

    public static MediaSettings from(MediaConfig config) throws ParkException {
        return from(config, System::getProperty, System::getenv);
    }

    public static MediaSettings from(MediaConfig c, Function<String, String> sysprops, Function<String, String> env)
            throws ParkException {
        Overrides o = new Overrides("org.callpark.media", sysprops, env);
        List<Violation> bad = new ArrayList<>();
        BiConsumer<String, String> invalid = (field, problem) -> bad.add(new Violation(field, problem));
        String bind = o.string("bindAddress", c.bindAddress());
        InetAddress address = null;
        try {
            address = InetAddress.getByName(bind.trim());
        } catch (UnknownHostException e) {
            bad.add(new Violation("bindAddress", "unknown address '" + bind + "'"));
        }
        int min = o.integer("rtpPortMin", c.rtpPortMin(), invalid);
        int max = o.integer("rtpPortMax", c.rtpPortMax(), invalid);
        if (min < 1024 || min > 65534) {
            bad.add(new Violation("rtpPortMin", "must be 1024..65534, is " + min));
        }
        if (max > 65535 || max < min + 1) {
            bad.add(new Violation("rtpPortMax", "must be > rtpPortMin and <= 65535, is " + max));
        }
        List<AudioCodec> codecs = new ArrayList<>();
        for (String s : o.string("codecs", c.codecs()).split(",")) {
            if (s.isBlank()) {
                continue;
            }
            AudioCodec ac = AudioCodec.bySdpName(s.trim());
            if (ac == null) {
                bad.add(new Violation("codecs", "unknown codec '" + s.trim() + "' (PCMU, PCMA, opus)"));
            } else if (!codecs.contains(ac)) {
                codecs.add(ac);
            }
        }
        if (codecs.isEmpty()) {
            bad.add(new Violation("codecs", "at least one codec is needed"));
        }
        Path music = file(o.string("musicDefault", c.musicDefault()), "musicDefault", bad);
        Map<String, Path> named = new LinkedHashMap<>();
        for (String pair : o.string("musicFiles", c.musicFiles()).split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                bad.add(new Violation("musicFiles", "'" + pair.trim() + "' is not name=path"));
                continue;
            }
            Path p = file(pair.substring(eq + 1), "musicFiles", bad);
            if (p != null) {
                named.put(pair.substring(0, eq).trim(), p);
            }
        }
        Path prompts = file(o.string("promptDir", c.promptDir()), "promptDir", bad);
        String language = o.string("promptLanguage", c.promptLanguage()).trim();
        if (!Tenant.isLanguageTag(language)) {
            bad.add(new Violation("promptLanguage", "must be a BCP 47 tag such as en, de or pt-BR, was '" + language
                    + "'"));
        }
        boolean rtcp = o.bool("rtcpSockets", c.rtcpSockets(), invalid);
        if (!bad.isEmpty()) {
            throw ParkException.invalid(bad);
        }
        return new MediaSettings(address, min, max, List.copyOf(codecs), music, Map.copyOf(named), prompts,
                language, rtcp);
    }

    /**
     * A path, or null if empty. Whether the file exists or can be played is not checked here: that is the audio
     * library's job at load (a file it cannot play is logged and replaced), so a missing or broken sound never makes
     * the whole configuration invalid and the bridge fail to start.
     */
    private static Path file(String value, String field, List<Violation> bad) {
        String v = value.trim();
        if (v.isEmpty()) {
            return null;
        }
        try {
            return Path.of(v);
        } catch (InvalidPathException e) {
            bad.add(new Violation(field, "not a path: " + v));
            return null;
        }
    }
}
