package org.callpark.media.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Violation;
import org.callpark.media.internal.audio.AudioCodec;

/**
 * The validated media settings: {@link MediaConfig} with system-property / environment overrides applied. Invalid
 * settings name every bad field and nothing is applied.
 *
 * @param musicDefault null for the shipped music
 * @param promptDir    null for the shipped prompts only
 */
public record MediaSettings(InetAddress bindAddress, int rtpPortMin, int rtpPortMax, List<AudioCodec> codecs,
        Path musicDefault, Map<String, Path> musicFiles, Path promptDir) {

    public static MediaSettings from(MediaConfig config) throws ParkException {
        return from(config, System::getProperty, System::getenv);
    }

    public static MediaSettings from(MediaConfig c, Function<String, String> sysprops, Function<String, String> env)
            throws ParkException {
        Function<String, String> o = attr -> {
            String v = sysprops.apply("callpark.media." + attr);
            if (v == null) {
                v = env.apply("CALLPARK_MEDIA_" + upperSnake(attr));
            }
            return v;
        };
        List<Violation> bad = new ArrayList<>();
        String bind = pick(o, "bindAddress", c.bindAddress());
        InetAddress address = null;
        try {
            address = InetAddress.getByName(bind.trim());
        } catch (UnknownHostException e) {
            bad.add(new Violation("bindAddress", "unknown address '" + bind + "'"));
        }
        int min = intValue(o, "rtpPortMin", c.rtpPortMin(), bad);
        int max = intValue(o, "rtpPortMax", c.rtpPortMax(), bad);
        if (min < 1024 || min > 65534) {
            bad.add(new Violation("rtpPortMin", "must be 1024..65534, is " + min));
        }
        if (max > 65535 || max < min + 1) {
            bad.add(new Violation("rtpPortMax", "must be > rtpPortMin and <= 65535, is " + max));
        }
        List<AudioCodec> codecs = new ArrayList<>();
        for (String s : pick(o, "codecs", c.codecs()).split(",")) {
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
        Path music = file(pick(o, "musicDefault", c.musicDefault()), "musicDefault", bad);
        Map<String, Path> named = new LinkedHashMap<>();
        for (String pair : pick(o, "musicFiles", c.musicFiles()).split(",")) {
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
        String dir = pick(o, "promptDir", c.promptDir()).trim();
        Path prompts = null;
        if (!dir.isEmpty()) {
            prompts = Path.of(dir);
            if (!Files.isDirectory(prompts)) {
                bad.add(new Violation("promptDir", "not a directory: " + dir));
            }
        }
        if (!bad.isEmpty()) {
            throw ParkException.invalid(bad);
        }
        return new MediaSettings(address, min, max, List.copyOf(codecs), music, Map.copyOf(named), prompts);
    }

    private static String pick(Function<String, String> overrides, String attr, String configured) {
        String v = overrides.apply(attr);
        return v != null ? v : configured == null ? "" : configured;
    }

    private static int intValue(Function<String, String> overrides, String attr, int configured,
            List<Violation> bad) {
        String v = overrides.apply(attr);
        if (v == null) {
            return configured;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            bad.add(new Violation(attr, "not a number: '" + v + "'"));
            return configured;
        }
    }

    private static Path file(String value, String field, List<Violation> bad) {
        String v = value.trim();
        if (v.isEmpty()) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            bad.add(new Violation(field, "cannot read " + v));
            return null;
        }
        return p;
    }

    static String upperSnake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
