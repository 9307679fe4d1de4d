package org.callpark.media.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.callpark.media.internal.audio.AudioCheck;
import org.callpark.media.internal.audio.AudioCodec;
import org.callpark.media.internal.audio.AudioLibrary;
import org.callpark.media.internal.rtp.G711;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller as the component starts it (settings from the configuration, here the environment override
 * {@code CALLPARK_MEDIA_MUSIC_DEFAULT}) with music files an admin sets: an 8 kHz µ-law WAV — which used to make the
 * component fail to activate ("not PCM"), so there was no media and no SIP listener — now plays its tone; a missing
 * file no longer makes the settings invalid and the shipped music plays. Ports 42900..42999 on 127.0.0.1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MediaAudioFilesTest {

    static final Codec PCMU = new Codec("PCMU", 0, 8000, 1);

    @TempDir
    Path dir;

    private LibjitsiMediaController start(Path music) throws Exception {
        Map<String, String> env = Map.of("CALLPARK_MEDIA_MUSIC_DEFAULT", music.toString(),
                "CALLPARK_MEDIA_RTP_PORT_MIN", "42900", "CALLPARK_MEDIA_RTP_PORT_MAX", "42999");
        MediaSettings s = MediaSettings.from(MediaSettingsTest.config("PCMU,PCMA", "", ""), k -> null, env::get);
        assertEquals(music, s.musicDefault());
        return new LibjitsiMediaController(s, dir.resolve("libjitsi"));
    }

    /** Two seconds of what a parked caller on PCMU hears, decoded. */
    private static short[] hear(LibjitsiMediaController media) throws Exception {
        try (RtpPeer peer = new RtpPeer(); MediaLeg leg = media.open("music", List.of(PCMU), peer.address())) {
            leg.hold("");
            List<RtpPeer.Packet> p = peer.receive(100, 5000);
            assertEquals(100, p.size(), "packets within 5 s");
            short[] pcm = new short[p.size() * 160];
            for (int i = 0; i < p.size(); i++) {
                byte[] b = p.get(i).payload();
                for (int j = 0; j < 160; j++) {
                    pcm[i * 160 + j] = G711.ulawToLinear(b[j]);
                }
            }
            return pcm;
        } finally {
            media.deactivate();
        }
    }

    @Test
    void anEightKilohertzMuLawWavAsDefaultMusicPlaysItsTone() throws Exception {
        byte[] ulaw = new byte[8000 * 3];
        for (int i = 0; i < ulaw.length; i++) {
            ulaw[i] = G711.linearToUlaw((int) Math.round(12000 * Math.sin(2 * Math.PI * 1000 * i / 8000.0)));
        }
        AudioFormat f = new AudioFormat(AudioFormat.Encoding.ULAW, 8000, 8, 1, 1, 8000, false);
        Path wav = dir.resolve("moh-ulaw.wav");
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(ulaw), f, ulaw.length),
                AudioFileFormat.Type.WAVE, wav.toFile());

        short[] heard = hear(start(wav));
        for (int from = 0; from + 800 <= heard.length; from += 800) {
            assertEquals(1000, AudioCheck.dominantFrequency(heard, from, 800, 8000), 10, "100 ms block at " + from);
        }
    }

    @Test
    void aMissingDefaultMusicFileStartsTheBridgeWithTheShippedMusic() throws Exception {
        Path missing = dir.resolve("not-there.wav");
        short[] heard = hear(start(missing));
        short[] shipped = org.callpark.media.internal.audio.FrameEncoder.resample(
                AudioLibrary.resource(AudioLibrary.DEFAULT_MUSIC_RESOURCE), 8000).samples();
        // the loop position is shared (tick mod length): find the heard second anywhere in the music
        double best = 0;
        for (int off = 0; off + 16000 <= shipped.length; off += 80) {
            best = Math.max(best, AudioCheck.bestCorrelation(shipped, off, java.util.Arrays.copyOfRange(heard, 4000,
                    8000), 4000, 40));
        }
        assertTrue(best > 0.9, "correlation with the shipped music " + best);
    }
}
