package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hold music as the parked caller's RTP port receives it: rate, header sequence, latency of the first packet,
 * and (G.711) the decoded audio against the shipped {@code hold-music.wav}.
 *
 * <p>Audio files as an admin brings them (issue 16 part 5), read through javax.sound.sampled inside Karaf: the server's
 * {@code musicDefault} is a corrupt file, so the shipped music must play (the codec tests below park as 104, who is in
 * no park group, and hear the default music) with exactly one WARN naming the file; park group Sales (parker 101) has
 * an 8 kHz µ-law WAV of a 1100 Hz tone, an extra group Lobby (parker 106) a 44.1 kHz stereo AIFF of a 1300 Hz tone.
 */
class HoldMusicRtpST {

    static final double ULAW_HZ = 1100;
    static final double AIFF_HZ = 1300;
    private static final Path AUDIO = Path.of("target", "holdmusic-audio").toAbsolutePath();
    static final Path CORRUPT = AUDIO.resolve("corrupt-music.wav");
    static final Path ULAW = AUDIO.resolve("sales-ulaw-8k.wav");
    static final Path AIFF = AUDIO.resolve("lobby-44k-stereo.aiff");

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer()
            .etcFile("org.callpark.directory.cfg", directoryWithLobby())
            .env("CALLPARK_MEDIA_MUSIC_DEFAULT", writeAudioFiles().toString())
            .env("CALLPARK_MEDIA_MUSIC_FILES", "default/sales=" + ULAW + ",default/lobby=" + AIFF);

    /** The shipped directory plus a park group Lobby with member 106 (its music: the AIFF). */
    static String directoryWithLobby() {
        try {
            return Files.readString(Path.of(System.getProperty("systests.directory",
                    "../park-bundle/src/main/config/org.callpark.directory.cfg")))
                    + "\nparkgroup.default.Lobby.members = 106\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the test's sound files with the JDK's own writers (not sox): a µ-law WAV and an AIFF of known tones, and
     * a "WAV" of random bytes. Returns the corrupt one (the server's default music).
     */
    static Path writeAudioFiles() {
        try {
            Files.createDirectories(AUDIO);
            byte[] ulaw = new byte[8000 * 30];
            for (int i = 0; i < ulaw.length; i++) {
                ulaw[i] = Audio.linearToUlaw((short) Math.round(12000 * Math.sin(2 * Math.PI * ULAW_HZ * i / 8000)));
            }
            AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(ulaw),
                    new AudioFormat(AudioFormat.Encoding.ULAW, 8000, 8, 1, 1, 8000, false), ulaw.length),
                    AudioFileFormat.Type.WAVE, ULAW.toFile());
            int frames = 44100 * 30;
            ByteBuffer stereo = ByteBuffer.allocate(frames * 4); // big-endian, as AIFF stores it
            for (int i = 0; i < frames; i++) {
                short v = (short) Math.round(12000 * Math.sin(2 * Math.PI * AIFF_HZ * i / 44100));
                stereo.putShort(v).putShort(v);
            }
            AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(stereo.array()),
                    new AudioFormat(44100, 16, 2, true, true), frames), AudioFileFormat.Type.AIFF, AIFF.toFile());
            byte[] noise = new byte[8192];
            new Random(16).nextBytes(noise);
            Files.write(CORRUPT, noise);
            return CORRUPT;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] music8k;

    @BeforeAll
    static void loadMusic() throws Exception {
        File wav = new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"));
        music8k = Audio.to8k(Audio.readWav(wav));
    }

    private record Capture(List<RtpPeer.Packet> packets, double firstPacketMillis) {
    }

    /** Parks a call offering only {@code codec} and captures {@code millis} of what arrives (parker 104: no group). */
    private Capture park(String codec, int millis) throws Exception {
        return park(codec, millis, "104");
    }

    private Capture park(String codec, int millis, String parker) throws Exception {
        try (RtpPeer rtp = new RtpPeer("127.0.0.1")) {
            Sipp sipp = Sipp.scenario("park", SERVER).service("*68").name("music-" + codec + "-" + parker)
                    .referredBy(parker)
                    .from("Customer", "+4930123").media(rtp.port(), codec).set("HOLD_MS", millis + 1000)
                    .timeout(millis / 1000 + 20);
            sipp.start();
            assertTrue(rtp.awaitPackets(1, 5000), () -> "no RTP\n" + sipp.diagnostics());
            long first = rtp.packets().get(0).nanos();
            assertTrue(rtp.awaitPackets(1, 1) && waitUntil(first + millis * 1_000_000L));
            List<RtpPeer.Packet> got = rtp.packetsSince(first);
            sipp.assertSucceeded();
            double latency = (rtp.packets().get(0).epochMicros() - sipp.firstInviteSentMicros()) / 1000.0;
            return new Capture(got.stream().filter(p -> p.nanos() <= first + millis * 1_000_000L).toList(), latency);
        }
    }

    private static boolean waitUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(50, left / 1_000_000 + 1));
        }
        return true;
    }

    private void checkStream(String codec, Capture c, int pt, int tsStep) {
        List<RtpPeer.Packet> ps = c.packets();
        assertTrue(ps.size() > 100, codec + ": only " + ps.size() + " packets");
        double seconds = (ps.get(ps.size() - 1).nanos() - ps.get(0).nanos()) / 1e9;
        double pps = (ps.size() - 1) / seconds;
        int seqErrors = 0;
        int tsErrors = 0;
        long maxGapMicros = 0;
        for (int i = 1; i < ps.size(); i++) {
            RtpPeer.Packet a = ps.get(i - 1);
            RtpPeer.Packet b = ps.get(i);
            assertEquals(pt, b.pt(), codec + ": payload type");
            assertEquals(a.ssrc(), b.ssrc(), codec + ": SSRC changed at packet " + i);
            if (((a.seq() + 1) & 0xFFFF) != b.seq()) {
                seqErrors++;
            }
            if (((a.ts() + tsStep) & 0xFFFFFFFFL) != b.ts()) {
                tsErrors++;
            }
            maxGapMicros = Math.max(maxGapMicros, (b.nanos() - a.nanos()) / 1000);
        }
        System.out.printf("[systests] %s: INVITE sent -> first RTP %.1f ms; %d packets in %.2f s = %.2f pps; "
                + "seq errors %d, ts errors %d, max gap %.1f ms, SSRC %08x%n", codec, c.firstPacketMillis(),
                ps.size(), seconds, pps, seqErrors, tsErrors, maxGapMicros / 1000.0, ps.get(0).ssrc());
        assertTrue(seconds >= 3.0, codec + ": measured over " + seconds + " s");
        assertTrue(Math.abs(pps - 50) <= 2, codec + ": " + pps + " pps");
        assertEquals(0, seqErrors, codec + ": sequence not +1");
        assertEquals(0, tsErrors, codec + ": timestamp not +" + tsStep);
        assertTrue(c.firstPacketMillis() < 500, codec + ": first packet after " + c.firstPacketMillis() + " ms");
    }

    private void checkMusic(String codec, Capture c, int pt) {
        double[] pcm = Audio.decode(c.packets(), pt);
        int from = 8000; // skip the first second
        int len = 16000; // compare two seconds
        assertTrue(pcm.length >= from + len, "captured " + pcm.length + " samples");
        double rms = Audio.rms(pcm, from, len);
        assertTrue(rms > 300, codec + ": silence (rms " + rms + ")");
        double[] window = java.util.Arrays.copyOfRange(pcm, from, from + len);
        long t0 = System.nanoTime();
        Audio.Match m = Audio.bestMatch(window, music8k);
        System.out.printf("[systests] %s: decoded music rms %.0f, correlation with hold-music.wav %.4f at offset "
                + "%.3f s (search %d ms)%n", codec, rms, m.correlation(), m.offset() / 8000.0,
                (System.nanoTime() - t0) / 1_000_000);
        assertTrue(m.correlation() >= 0.8, codec + ": correlation " + m.correlation());
    }

    @Test
    void pcmu() throws Exception {
        Capture c = park("PCMU", 3500);
        checkStream("PCMU", c, 0, 160);
        checkMusic("PCMU", c, 0);
    }

    @Test
    void pcma() throws Exception {
        Capture c = park("PCMA", 3500);
        checkStream("PCMA", c, 8, 160);
        checkMusic("PCMA", c, 8);
    }

    /**
     * The corrupt default music: the codec tests hear the shipped music (correlated above), the SIP listener is up
     * and answers parks, and Karaf's log has exactly one WARN naming the file.
     */
    @Test
    void aCorruptDefaultMusicIsLoggedOnceAndTheShippedMusicPlays() throws Exception {
        Capture c = park("PCMU", 3000);
        checkMusic("PCMU", c, 0);
        List<String> warnings = SERVER.karafLog().lines()
                .filter(l -> l.contains("WARN") && l.contains(CORRUPT.toString())).toList();
        System.out.printf("[systests] corrupt default music: %d WARN line(s): %s%n", warnings.size(), warnings);
        assertEquals(1, warnings.size(), "one WARN naming " + CORRUPT + ": " + warnings);
        assertTrue(warnings.get(0).contains("cannot be played"), warnings.get(0));
    }

    /** Park group Sales' music is an 8 kHz µ-law WAV: its tone is what a parked caller of 101 hears. */
    @Test
    void muLawWavGroupMusicPlaysItsTone() throws Exception {
        Capture c = park("PCMU", 2500, "101");
        Audio.checkTone("µ-law WAV music", c.packets(), ULAW_HZ, AIFF_HZ);
    }

    /** Park group Lobby's music is a 44.1 kHz stereo AIFF: converted once to mono 8 kHz, its tone plays. */
    @Test
    void aiffGroupMusicPlaysItsTone() throws Exception {
        Capture c = park("PCMU", 2500, "106");
        Audio.checkTone("AIFF music", c.packets(), AIFF_HZ, ULAW_HZ);
    }

    /** sipp only signals here (the RTP goes to the test's socket), so it can offer Opus; not decoded in the test. */
    @Test
    void opusStream() throws Exception {
        Capture c = park("opus", 3500);
        checkStream("opus", c, 111, 960);
        long distinct = c.packets().stream().map(p -> java.util.Arrays.hashCode(p.payload())).distinct().count();
        assertTrue(distinct > c.packets().size() / 2, "opus payloads vary (not one repeated frame): " + distinct);
    }
}
