package org.callpark.media.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.callpark.api.ParkException;
import org.callpark.media.internal.audio.AudioCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaSettingsTest {

    @TempDir
    Path dir;

    static final Function<String, String> NONE = k -> null;

    static MediaConfig config(String codecs, String musicFiles, String promptDir) {
        return new MediaConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return MediaConfig.class;
            }

            @Override
            public String bindAddress() {
                return "127.0.0.1";
            }

            @Override
            public int rtpPortMin() {
                return 20000;
            }

            @Override
            public int rtpPortMax() {
                return 29999;
            }

            @Override
            public String codecs() {
                return codecs;
            }

            @Override
            public String musicDefault() {
                return "";
            }

            @Override
            public String musicFiles() {
                return musicFiles;
            }

            @Override
            public String promptDir() {
                return promptDir;
            }

            @Override
            public String promptLanguage() {
                return "en";
            }

            @Override
            public boolean rtcpSockets() {
                return true;
            }
        };
    }

    @Test
    void defaults() throws Exception {
        MediaSettings s = MediaSettings.from(config("PCMU,PCMA,opus", "", ""), NONE, NONE);
        assertEquals(List.of(AudioCodec.PCMU, AudioCodec.PCMA, AudioCodec.OPUS), s.codecs());
        assertEquals(20000, s.rtpPortMin());
        assertNull(s.musicDefault());
        assertNull(s.promptDir());
        assertEquals("en", s.promptLanguage());
        assertTrue(s.rtcpSockets(), "an RTCP socket per leg unless switched off");
        assertFalse(MediaSettings.from(config("PCMU", "", ""), NONE, Map.of("CALLPARK_MEDIA_RTCP_SOCKETS", "false")::get)
                .rtcpSockets());
        ParkException bad = assertThrows(ParkException.class, () -> MediaSettings.from(config("PCMU", "", ""), NONE,
                Map.of("CALLPARK_MEDIA_RTCP_SOCKETS", "maybe")::get));
        assertEquals(List.of("rtcpSockets"), bad.violations().stream().map(ParkException.Violation::field).toList());
    }

    @Test
    void thePromptLanguageIsATagAndCanBeOverridden() throws Exception {
        assertEquals("pt-BR", MediaSettings.from(config("PCMU", "", ""), NONE,
                Map.of("CALLPARK_MEDIA_PROMPT_LANGUAGE", " pt-BR ")::get).promptLanguage());
        ParkException e = assertThrows(ParkException.class, () -> MediaSettings.from(config("PCMU", "", ""),
                Map.of("callpark.media.promptLanguage", "../de")::get, NONE));
        assertEquals(List.of("promptLanguage"), e.violations().stream().map(ParkException.Violation::field).toList());
        assertTrue(e.violations().get(0).message().contains("'../de'"), e.getMessage());
    }

    @Test
    void systemPropertyBeatsEnvironmentBeatsConfig() throws Exception {
        Map<String, String> sys = Map.of("callpark.media.rtpPortMin", "40000");
        Map<String, String> env = Map.of("CALLPARK_MEDIA_RTP_PORT_MIN", "41000", "CALLPARK_MEDIA_RTP_PORT_MAX", "41999",
                "CALLPARK_MEDIA_CODECS", " opus , PCMA ");
        MediaSettings s = MediaSettings.from(config("PCMU", "", ""), sys::get, env::get);
        assertEquals(40000, s.rtpPortMin());
        assertEquals(41999, s.rtpPortMax());
        assertEquals(List.of(AudioCodec.OPUS, AudioCodec.PCMA), s.codecs());
    }

    @Test
    void namedMusicIsParsed() throws Exception {
        Path a = Files.writeString(dir.resolve("a.wav"), "x");
        MediaSettings s = MediaSettings.from(config("PCMU", "acme=" + a, dir.toString()), NONE, NONE);
        assertEquals(Map.of("acme", a), s.musicFiles());
        assertEquals(dir, s.promptDir());
    }

    @Test
    void everyBadFieldIsNamedAndNothingIsApplied() {
        ParkException e = assertThrows(ParkException.class, () -> MediaSettings.from(
                config("PCMU,G729", "acme", "/no/such/dir"), Map.of("callpark.media.rtpPortMax", "abc")::get, NONE));
        assertEquals(ParkException.Reason.INVALID_ARGUMENT, e.reason());
        // a missing prompt directory (or music file) is no violation: the audio library logs it and plays the
        // shipped sound instead (AudioLibraryFilesTest), so it never keeps the bridge from starting
        assertEquals(List.of("rtpPortMax", "codecs", "musicFiles"),
                e.violations().stream().map(ParkException.Violation::field).toList());
    }
}
