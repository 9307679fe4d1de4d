package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recalls end to end in the running assembly: the park core rings through the SIP layer's {@code RecallDialer}
 * service (OSGi), and a recall that is answered is bridged with real RTP ({@code MediaLeg.connect} of the leg the
 * server offered).
 *
 * <p>The server runs with its own {@code etc/org.callpark.directory.cfg}: the shipped one with the Sales group (101,
 * 102, 103) set to {@code USER_ONLY}, ring duration R = 2 s, W = 1 s, N = 2 attempts. 101 REGISTERs through sipp
 * (digest, pass101) with a Contact on a fixed port; a second sipp process, a UAS on that same port, plays the
 * recalled phone. The customer is a sipp UAC that parks itself with {@code *68} + {@code Referred-By: 101} (so the
 * call follows Sales' rules) with its SDP pointing at a Java {@link RtpPeer}. It sends from the address 101 REGISTERed
 * from ({@link #TRANSFEROR_PORT}: the transferor's own phone), so the parker is verified and rung back (an outsider
 * naming 101 would not be: docs/sip.md, "Who is rung back").
 *
 * <p>Prompts per language (issue 16 part 5): tenant acme has {@code language = de} and a short ladder (R = 1 s, one
 * attempt); the media bundle's {@code promptDir} (environment {@code CALLPARK_MEDIA_PROMPT_DIR}) holds only
 * {@code de/nobody-available.wav}, a {@value #DE_PROMPT_HZ} Hz tone generated here. An acme caller hears that tone at
 * the ladder's end; the default tenant (no language) still hears the shipped English prompt (the unanswered test).
 * <p>The final destination (issue 16 part 3): an added park group Final (107, {@code USER_ONLY}, R = 2 s, one
 * attempt) whose final destination is {@code sip:operator@127.0.0.1:}{@link #FINAL_PORT}, a sipp UAS. The customer
 * parks naming 107 (not verified: 107 never registered, so nobody is rung during the ladder); after 2NR = 4 s the
 * final destination rings.
 */
class RecallST {

    private static final long R_MS = 2000;
    private static final int ATTEMPTS = 2;
    /** The caller offers PCMU only: the recall's offer must list it first. */
    private static final String OFFER_REGEX = "m=audio [0-9]+ RTP/AVP 0 ";
    /** 101's registered Contact port: the REGISTER and the recalled phone's UAS both use it. */
    private static final int PHONE_PORT = Sipp.freeUdpPort();
    /** Where 101's REGISTER and the customer's park INVITE come from (101's registered source address). */
    private static final int TRANSFEROR_PORT = Sipp.freeUdpPort();

    /** Where the sipp UAS playing the final destination of park group Final listens. */
    private static final int FINAL_PORT = Sipp.freeUdpPort();

    /** The tone of acme's German "nobody-available" (a generated stand-in, not a recording). */
    static final double DE_PROMPT_HZ = 700;
    private static final Path PROMPTS = Path.of("target", "recall-prompts").toAbsolutePath();

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer().etcFile("org.callpark.directory.cfg", directory()
            + finalGroup()).env("CALLPARK_MEDIA_PROMPT_DIR", germanPrompt().toString());

    /** {@code PROMPTS/de/nobody-available.wav}: 2 s of a {@value #DE_PROMPT_HZ} Hz tone, 16-bit 8 kHz, JDK-written. */
    static Path germanPrompt() {
        try {
            Path de = Files.createDirectories(PROMPTS.resolve("de"));
            int frames = 16000;
            java.nio.ByteBuffer pcm = java.nio.ByteBuffer.allocate(frames * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < frames; i++) {
                pcm.putShort((short) Math.round(12000 * Math.sin(2 * Math.PI * DE_PROMPT_HZ * i / 8000)));
            }
            javax.sound.sampled.AudioSystem.write(new javax.sound.sampled.AudioInputStream(
                    new java.io.ByteArrayInputStream(pcm.array()), new javax.sound.sampled.AudioFormat(8000, 16, 1,
                            true, false), frames), javax.sound.sampled.AudioFileFormat.Type.WAVE,
                    de.resolve("nobody-available.wav").toFile());
            return PROMPTS;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Park group Final: 107, user only, R = 2 s, one attempt, then the SIP URI of {@link #FINAL_PORT}. */
    static String finalGroup() {
        return "\nparkgroup.default.Final.members = 107\nparkgroup.default.Final.recallTo = USER_ONLY\n"
                + "parkgroup.default.Final.ringDuration = " + R_MS / 1000 + "\nparkgroup.default.Final.retries = 1\n"
                + "parkgroup.default.Final.finalDestination = sip:operator@127.0.0.1:" + FINAL_PORT + "\n";
    }

    private static double[] music;
    private static double[] prompt;

    /** The shipped directory with the Sales group's recall rules made short. */
    static String directory() {
        Path shipped = Path.of(System.getProperty("systests.directory",
                "../park-bundle/src/main/config/org.callpark.directory.cfg"));
        try {
            String s = Files.readString(shipped);
            for (Map.Entry<String, String> e : Map.of("recallTo", "USER_ONLY", "ringDuration", Long.toString(R_MS
                    / 1000), "waitBeforeRingGroup", "1", "retries", Integer.toString(ATTEMPTS)).entrySet()) {
                String key = "parkgroup.default.Sales." + e.getKey();
                String t = s.replaceAll("(?m)^" + key.replace(".", "\\.") + "\\s*=.*$", key + " = " + e.getValue());
                if (t.equals(s)) {
                    throw new IllegalStateException(key + " not found in " + shipped.toAbsolutePath());
                }
                s = t;
            }
            for (String[] e : new String[][] {{"tenant.acme.recall.ringDuration", "1"},
                    {"tenant.acme.recall.retries", "1"}}) {
                String t = s.replaceAll("(?m)^" + e[0].replace(".", "\\.") + "\\s*=.*$", e[0] + " = " + e[1]);
                if (t.equals(s)) {
                    throw new IllegalStateException(e[0] + " not found in " + shipped.toAbsolutePath());
                }
                s = t;
            }
            return s + "\ntenant.acme.language = de\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void audio() throws Exception {
        music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"))));
        prompt = Audio.to8k(Audio.readWav(new File(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav")).getParentFile(),
                "nobody-available.wav")));
    }

    /** 101 registers its Contact sip:101@127.0.0.1:PHONE_PORT (digest with pass101), from TRANSFEROR_PORT. */
    private static void register101() throws Exception {
        Sipp.scenario("register", SERVER).name("register-101").localPort(TRANSFEROR_PORT)
                .set("CONTACT_PORT", PHONE_PORT).set("USER", "101")
                .set("EXPIRES", 300).auth("101", "pass101").timeout(10)
                .set("CONTACT_REGEX", "&lt;sip:101@127\\.0\\.0\\.1:" + PHONE_PORT
                        + ";transport=[a-zA-Z]+&gt;;expires=[0-9]+").run();
    }

    private static Sipp customer(String name, RtpPeer rtp) {
        return Sipp.scenario("park", SERVER).service("*68").name(name).localPort(TRANSFEROR_PORT).referredBy("101")
                .from("Customer", "+4930123")
                .media(rtp.port(), "PCMU").set("HOLD_MS", 25000).timeout(40);
    }

    @Test
    void recallDialerServiceIsRegistered() throws Exception {
        String out = SERVER.shell("service:list org.callpark.spi.RecallDialer");
        System.out.println("[systests] service:list org.callpark.spi.RecallDialer\n" + out);
        assertTrue(out.contains("[org.callpark.spi.RecallDialer]"), out);
        assertTrue(out.matches("(?s).*Provided by\\s*:\\s*\\R\\s*\\S.*"), "provided by a bundle: " + out);
        assertTrue(out.matches("(?s).*Used by\\s*:\\s*\\R\\s*\\S.*"), "used by the park core: " + out);
    }

    @Test
    void unansweredRecallsThenPromptAndBye() throws Exception {
        register101();
        try (RtpPeer customer = new RtpPeer("127.0.0.1")) {
            Sipp phone = Sipp.scenario("recall_ring", SERVER).name("recall-ring-101").localPort(PHONE_PORT)
                    .calls(ATTEMPTS).set("OFFER_REGEX", OFFER_REGEX).timeout(30).start();
            Sipp caller = customer("recall-customer-unanswered", customer).start();
            try {
                unanswered(customer, phone, caller);
            } finally {
                phone.kill();
                caller.kill();
            }
        }
    }

    private void unanswered(RtpPeer customer, Sipp phone, Sipp caller) throws Exception {
        {
            assertTrue(customer.awaitPackets(5, 5000), () -> "no hold music\n" + caller.diagnostics());
            long parked = customer.packets().get(0).epochMicros();

            phone.assertSucceeded(); // exactly ATTEMPTS calls, each INVITE checked, 180, CANCEL, 487
            // a further INVITE would now reach this socket: listen until the caller was hung up, and 1 s more
            List<String> late = new ArrayList<>();
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    PHONE_PORT))) {
                s.setSoTimeout(200);
                long deadline = System.currentTimeMillis() + 20_000;
                long end = Long.MAX_VALUE;
                while (System.currentTimeMillis() < Math.min(deadline, end)) {
                    if (!caller.isAlive() && end == Long.MAX_VALUE) {
                        end = System.currentTimeMillis() + 1000;
                    }
                    try {
                        DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
                        s.receive(p);
                        late.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1).lines()
                                .findFirst().orElse(""));
                    } catch (SocketTimeoutException e) {
                        // nothing
                    }
                }
            }
            caller.assertSucceeded();
            assertTrue(caller.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the server hangs up the caller after the last attempt: " + caller.logLines());
            assertTrue(late.isEmpty(), "nothing after the last attempt, got " + late);

            List<Sipp.Received> invites = phone.received("INVITE");
            assertEquals(ATTEMPTS, invites.size(), "recall INVITEs: " + invites);
            for (Sipp.Received i : invites) {
                String from = header(i.message(), "From");
                String alert = header(i.message(), "Alert-Info");
                System.out.printf("[systests] recall INVITE +%d ms after the park: From %s, Alert-Info %s, PAI %s%n",
                        (i.epochMicros() - parked) / 1000, from, alert, header(i.message(), "P-Asserted-Identity"));
                assertTrue(from.startsWith("\"Parked: Customer\" <sip:+4930123@"), from);
                assertEquals("<urn:alert:service:recall:transfer>", alert);
            }
            assertEquals(ATTEMPTS, phone.received("CANCEL").size(), "each attempt ends with a CANCEL");
            long first = (invites.get(0).epochMicros() - parked) / 1000;
            long gap = (invites.get(1).epochMicros() - invites.get(0).epochMicros()) / 1000;
            long bye = (caller.received("BYE").get(0).epochMicros() - parked) / 1000;
            System.out.printf("[systests] unanswered: 1st recall %d ms after the park (R = %d), 2nd %d ms later "
                    + "(2R), caller's BYE %d ms after the park (2NR = %d + prompt 4566 ms)%n", first, R_MS, gap,
                    bye, 2 * ATTEMPTS * R_MS);
            assertTrue(first >= R_MS - 300 && first < R_MS + 1000, "first recall after R: " + first);
            assertTrue(gap >= 2 * R_MS - 300 && gap < 2 * R_MS + 1000, "attempt 2 after ring R + wait R: " + gap);

            // music while the recalls ring and in between
            List<RtpPeer.Packet> all = customer.packets();
            long i1 = invites.get(0).epochMicros();
            long i2 = invites.get(1).epochMicros();
            for (long[] w : new long[][] {{parked + 500_000, parked + 1_500_000}, {i1 + 300_000, i1 + 1_300_000},
                    {i1 + R_MS * 1000 + 500_000, i1 + R_MS * 1000 + 1_500_000}, {i2 + 300_000, i2 + 1_300_000}}) {
                double c = Audio.bestMatch(Audio.decode(window(all, w[0], w[1]), 0), music).correlation();
                System.out.printf("[systests] caller +%d..%d ms: music correlation %.4f%n", (w[0] - parked) / 1000,
                        (w[1] - parked) / 1000, c);
                assertTrue(c >= 0.8, "the caller hears music while waiting: " + c);
            }
            // after the last attempt: the nobody-available prompt until the BYE
            long promptFrom = i2 + R_MS * 1000 + 300_000;
            List<RtpPeer.Packet> after = window(all, promptFrom, Long.MAX_VALUE);
            System.out.printf("[systests] after the last attempt: %d packets, SSRCs %s%n", after.size(),
                    after.stream().map(p -> Long.toHexString(p.ssrc())).distinct().collect(Collectors.toList()));
            double[] pcm = Audio.decode(after, 0);
            int start = 0;
            while (start + 1600 <= pcm.length && Audio.rms(pcm, start, 1600) < 300) {
                start += 160;
            }
            assertTrue(start + 8000 <= pcm.length, "at least 1 s of audible prompt: " + pcm.length + " samples, "
                    + "speech from " + start);
            double[] w = Arrays.copyOfRange(pcm, start, start + 8000);
            double cp = Audio.bestMatch(w, prompt).correlation();
            double cm = Audio.bestMatch(w, music).correlation();
            System.out.printf("[systests] prompt window: correlation with nobody-available.wav %.4f, music %.4f%n",
                    cp, cm);
            assertTrue(cp >= 0.8, "the nobody-available prompt is played: " + cp);
            assertTrue(cm < 0.3, "no music after the last attempt: " + cm);
        }
    }

    /**
     * An outsider parks a call naming 101 ({@code Referred-By: 101} from an address 101 did not register from): 101 is
     * registered and would be rung for its own park, but its phone gets nothing. {@code park:list} marks the parker
     * unverified; the caller stays parked for its ladder's length (2NR, the attempts nobody is rung for) and then
     * hears the prompt and is hung up (docs/sip.md, "Who is rung back").
     */
    @Test
    void outsidersParkNaming101_101IsNeverRung_theCallerWaitsOutTheLadder() throws Exception {
        register101();
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); DatagramSocket phone = new DatagramSocket(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), PHONE_PORT))) {
            Sipp caller = Sipp.scenario("park", SERVER).service("*68").name("recall-outsider").referredBy("101")
                    .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 25000).timeout(40)
                    .start();
            try {
                assertTrue(customer.awaitPackets(5, 5000), () -> "no hold music\n" + caller.diagnostics());
                long parked = customer.packets().get(0).epochMicros();
                String list = SERVER.shell("park:list");
                System.out.println("[systests] park:list of an outsider's park\n" + list);
                assertTrue(list.contains("101 Bob (unverified)"), list);

                List<String> rung = new ArrayList<>();
                phone.setSoTimeout(200);
                long deadline = System.currentTimeMillis() + 30_000;
                while (caller.isAlive() && System.currentTimeMillis() < deadline) {
                    try {
                        DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
                        phone.receive(p);
                        rung.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1).lines()
                                .findFirst().orElse(""));
                    } catch (SocketTimeoutException e) {
                        // nothing
                    }
                }
                caller.assertSucceeded();
                assertTrue(rung.isEmpty(), "101's phone got " + rung);
                assertTrue(caller.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                        "the server hangs up the caller at the end of the ladder: " + caller.logLines());
                long bye = (caller.received("BYE").get(0).epochMicros() - parked) / 1000;
                System.out.printf("[systests] outsider's park: nothing rung, caller's BYE %d ms after the park "
                        + "(2NR = %d + prompt 4566 ms)%n", bye, 2 * ATTEMPTS * R_MS);
                assertTrue(bye >= 2 * ATTEMPTS * R_MS - 300, "parked for the whole ladder: " + bye);
                assertTrue(bye < 2 * ATTEMPTS * R_MS + 4566 + 3000, "then the prompt and the BYE: " + bye);
            } finally {
                caller.kill();
            }
        }
    }

    /**
     * An acme caller (Referred-By 203, in no park group, not verified: nobody is rung) waits out acme's ladder
     * (2NR = 2 s) and then hears acme's German prompt, the generated tone, from {@code promptDir/de/}, then the BYE.
     */
    @Test
    void aTenantWithItsOwnLanguageHearsItsPromptAtTheLaddersEnd() throws Exception {
        try (RtpPeer customer = new RtpPeer("127.0.0.1")) {
            Sipp caller = Sipp.scenario("park", SERVER).set("DOMAIN", "acme.test").service("*68")
                    .name("recall-acme-de").referredBy("203").from("Kunde", "+4930999").media(customer.port(), "PCMU")
                    .set("HOLD_MS", 20000).timeout(30).start();
            try {
                assertTrue(customer.awaitPackets(5, 5000), () -> "no hold music\n" + caller.diagnostics());
                long parked = customer.packets().get(0).epochMicros();
                caller.assertSucceeded();
                assertTrue(caller.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                        "the server hangs up the caller after the prompt: " + caller.logLines());
                long bye = caller.received("BYE").get(0).epochMicros();
                double[] pcm = Audio.decode(window(customer.packets(), parked + 2000 * 1000L, bye), 0);
                int toneBlocks = 0;
                double best = 0;
                for (int b = 0; b + 800 <= pcm.length; b += 800) {
                    double share = Audio.toneShare(pcm, b, 800, DE_PROMPT_HZ, 8000);
                    best = Math.max(best, share);
                    toneBlocks += share > 0.8 ? 1 : 0;
                }
                double[] head = Arrays.copyOfRange(pcm, 0, Math.min(pcm.length, 8000));
                System.out.printf("[systests] acme (de): BYE %d ms after the park, %d blocks of 100 ms with the %d Hz"
                        + " prompt tone (best share %.3f), English prompt correlation %.3f%n", (bye - parked) / 1000,
                        toneBlocks, (int) DE_PROMPT_HZ, best, Audio.bestMatch(head, prompt).correlation());
                assertTrue(toneBlocks >= 15, "the German prompt (2 s of " + DE_PROMPT_HZ + " Hz) is played: "
                        + toneBlocks + " blocks");
                assertTrue(Audio.bestMatch(head, prompt).correlation() < 0.3, "not the English prompt");
            } finally {
                caller.kill();
            }
        }
    }

    @Test
    void answeredRecallIsBridgedWithRealAudio() throws Exception {
        register101();
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); RtpPeer phoneRtp = new RtpPeer("127.0.0.1")) {
            Sipp phone = Sipp.scenario("recall_answer_bye", SERVER).name("recall-answer-101").localPort(PHONE_PORT)
                    .set("OFFER_REGEX", OFFER_REGEX).media(phoneRtp.port(), "PCMU").set("RING_MS", 500)
                    .set("TALK_MS", 5000).timeout(30).start();
            Sipp caller = customer("recall-customer-answered", customer).start();
            try {
                answered(customer, phoneRtp, phone, caller);
            } finally {
                phone.kill();
                caller.kill();
            }
        }
    }

    private void answered(RtpPeer customer, RtpPeer phoneRtp, Sipp phone, Sipp caller) throws Exception {
        {
            assertTrue(customer.awaitPackets(5, 5000), () -> "no hold music\n" + caller.diagnostics());
            long parked = customer.packets().get(0).epochMicros();
            customer.startTone(1000, 0, customer.serverAddress());

            assertTrue(phoneRtp.awaitPackets(5, R_MS + 5000), () -> "no RTP to the recalled phone\n"
                    + phone.diagnostics());
            long t0 = phoneRtp.packets().get(0).nanos();
            System.out.printf("[systests] answered: first RTP at the phone %d ms after the park, from %s%n",
                    (phoneRtp.packets().get(0).epochMicros() - parked) / 1000, phoneRtp.serverAddress());
            phoneRtp.startTone(600, 0, phoneRtp.serverAddress());
            while (System.nanoTime() < t0 + 3_500_000_000L) {
                Thread.sleep(50);
            }
            long from = t0 + 1_000_000_000L;
            long to = t0 + 3_500_000_000L;
            check("recalled phone hears", windowNanos(phoneRtp.packets(), from, to), 1000, 600);
            check("customer hears", windowNanos(customer.packets(), from, to), 600, 1000);
            double before = Audio.bestMatch(Audio.decode(window(customer.packets(), parked + 300_000,
                    parked + 1_300_000), 0), music).correlation();
            System.out.printf("[systests] customer before the recall: music correlation %.4f%n", before);
            assertTrue(before >= 0.8, "music before the recall: " + before);

            phone.assertSucceeded();
            assertTrue(phone.logLines().stream().anyMatch(l -> l.contains("OWN-BYE")), phone.logLines()::toString);
            caller.assertSucceeded();
            assertTrue(caller.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the customer is hung up when the recalled phone hangs up: " + caller.logLines());
            List<Sipp.Received> invites = phone.received("INVITE");
            assertEquals(1, invites.size(), "one recall INVITE: " + invites);
            long phoneBye = sentMicros(phone, "BYE");
            long callerBye = caller.received("BYE").get(0).epochMicros();
            System.out.printf("[systests] answered: recall INVITE +%d ms after the park, phone's BYE -> caller's BYE "
                    + "%d ms%n", (invites.get(0).epochMicros() - parked) / 1000, (callerBye - phoneBye) / 1000);
            assertTrue(callerBye - phoneBye < 1_000_000, "BYE relayed to the caller at once");
        }
    }

    /**
     * The ladder of park group Final ends (nobody rung: 107 is unverified; 2NR = 4 s) and its final destination, a SIP
     * URI, rings with the customer's identity; answered, it is bridged with real audio both ways and its BYE hangs the
     * customer up. {@code park:group --final-destination <uri> Final} (as admin) sets it again, to the same URI, and shows
     * it.
     */
    @Test
    void finalDestination_ladderEnds_theUriRingsWithTheCallersNumber_andIsBridged() throws Exception {
        // Karaf reads options before the arguments only
        String group = SERVER.shell("park:group --final-destination \"sip:operator@127.0.0.1:" + FINAL_PORT
                + "\" Final");
        System.out.println("[systests] park:group --final-destination ... Final\n" + group);
        assertTrue(group.contains("Final destination of park group Final set"), group);
        assertTrue(group.matches("(?s).*Final destination\\s*\\|?\\s*sip:operator@127\\.0\\.0\\.1:" + FINAL_PORT
                + ".*"), group);
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); RtpPeer opRtp = new RtpPeer("127.0.0.1")) {
            Sipp op = Sipp.scenario("recall_answer_bye", SERVER).name("final-answer").localPort(FINAL_PORT)
                    .set("OFFER_REGEX", OFFER_REGEX).media(opRtp.port(), "PCMU").set("RING_MS", 500)
                    .set("TALK_MS", 4000).timeout(30).start();
            Sipp caller = Sipp.scenario("park", SERVER).service("*68").name("final-customer-answered")
                    .referredBy("107").from("Customer", "+4930123").media(customer.port(), "PCMU")
                    .set("HOLD_MS", 25000).timeout(40).start();
            try {
                assertTrue(customer.awaitPackets(5, 5000), () -> "no hold music\n" + caller.diagnostics());
                long parked = customer.packets().get(0).epochMicros();
                customer.startTone(1000, 0, customer.serverAddress());
                assertTrue(opRtp.awaitPackets(5, 4 * R_MS + 5000), () -> "no RTP to the final destination\n"
                        + op.diagnostics());
                long t0 = opRtp.packets().get(0).nanos();
                opRtp.startTone(600, 0, opRtp.serverAddress());
                while (System.nanoTime() < t0 + 3_000_000_000L) {
                    Thread.sleep(50);
                }
                check("final destination hears", windowNanos(opRtp.packets(), t0 + 800_000_000L,
                        t0 + 3_000_000_000L), 1000, 600);
                check("customer hears", windowNanos(customer.packets(), t0 + 800_000_000L, t0 + 3_000_000_000L),
                        600, 1000);

                op.assertSucceeded(); // From/PAI "Parked: Customer" <sip:+4930123@…>, Alert-Info, PCMU first
                caller.assertSucceeded();
                assertTrue(caller.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                        "the customer is hung up when the final destination hangs up: " + caller.logLines());
                List<Sipp.Received> invites = op.received("INVITE");
                assertEquals(1, invites.size(), invites::toString);
                String first = invites.get(0).message().lines().map(String::trim).filter(l -> !l.isEmpty())
                        .findFirst().orElse("");
                String to = header(invites.get(0).message(), "To");
                long after = (invites.get(0).epochMicros() - parked) / 1000;
                System.out.printf("[systests] final destination: %s, To %s, From %s, +%d ms after the park "
                        + "(2NR = %d)%n", first, to, header(invites.get(0).message(), "From"), after,
                        2 * R_MS);
                assertTrue(first.startsWith("INVITE sip:operator@127.0.0.1:" + FINAL_PORT + " "), first);
                assertTrue(to.contains("sip:operator@127.0.0.1:" + FINAL_PORT), to);
                assertTrue(after >= 2 * R_MS - 300 && after < 2 * R_MS + 1500, "after the ladder: " + after);
            } finally {
                op.kill();
                caller.kill();
            }
        }
    }

    /** The final destination answers 486: the customer hears the nobody-available prompt and gets a BYE. */
    @Test
    void finalDestination_busy_theCallerHearsThePromptAndGetsBye() throws Exception {
        try (RtpPeer customer = new RtpPeer("127.0.0.1")) {
            Sipp op = Sipp.scenario("final_busy", SERVER).name("final-busy").localPort(FINAL_PORT)
                    .set("OFFER_REGEX", OFFER_REGEX).timeout(20).start();
            Sipp caller = Sipp.scenario("park", SERVER).service("*68").name("final-customer-busy").referredBy("107")
                    .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 25000).timeout(40)
                    .start();
            try {
                assertTrue(customer.awaitPackets(5, 5000), () -> "no hold music\n" + caller.diagnostics());
                long parked = customer.packets().get(0).epochMicros();
                op.assertSucceeded(); // INVITE checked, 486, ACK
                caller.assertSucceeded();
                assertTrue(caller.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")), caller.logLines()
                        ::toString);
                long busy = (op.received("INVITE").get(0).epochMicros() - parked) / 1000;
                long bye = (caller.received("BYE").get(0).epochMicros() - parked) / 1000;
                System.out.printf("[systests] busy final destination: INVITE +%d ms, caller's BYE +%d ms after the"
                        + " park (prompt 4566 ms)%n", busy, bye);
                assertTrue(bye - busy >= 3000 && bye - busy < 4566 + 3000, "the prompt, then BYE: " + (bye - busy));
                List<RtpPeer.Packet> after = window(customer.packets(), op.received("INVITE").get(0).epochMicros()
                        + 300_000, Long.MAX_VALUE);
                double[] pcm = Audio.decode(after, 0);
                int start = 0;
                while (start + 1600 <= pcm.length && Audio.rms(pcm, start, 1600) < 300) {
                    start += 160;
                }
                assertTrue(start + 8000 <= pcm.length, "at least 1 s of audible prompt: " + pcm.length);
                double cp = Audio.bestMatch(Arrays.copyOfRange(pcm, start, start + 8000), prompt).correlation();
                System.out.printf("[systests] busy final destination: prompt correlation %.4f%n", cp);
                assertTrue(cp >= 0.8, "the nobody-available prompt is played: " + cp);
            } finally {
                op.kill();
                caller.kill();
            }
        }
    }

    /** Wall clock (epoch µs) at which sipp sent its first {@code method} request, from its message trace. */
    private static long sentMicros(Sipp sipp, String method) throws IOException {
        String msgs = sipp.messages();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-+ (\\d{4}-\\d{2}-\\d{2}\\s+\\d{2}:\\d{2}:\\d{2}"
                + "\\.\\d+)\\s*\\R\\s*UDP message sent[^\\n]*\\R\\s*\\R?\\s*" + method + " ").matcher(msgs);
        assertTrue(m.find(), "no " + method + " sent:\n" + msgs);
        String[] parts = m.group(1).replaceAll("\\s+", " ").split("\\.");
        java.time.LocalDateTime t = java.time.LocalDateTime.parse(parts[0],
                java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        return t.atZone(java.time.ZoneId.systemDefault()).toEpochSecond() * 1_000_000L
                + Long.parseLong((parts[1] + "000000").substring(0, 6));
    }

    private static String header(String message, String name) {
        return message.lines().map(String::trim).filter(l -> l.regionMatches(true, 0, name + ":", 0,
                name.length() + 1)).map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse("");
    }

    private static List<RtpPeer.Packet> window(List<RtpPeer.Packet> ps, long fromMicros, long toMicros) {
        return ps.stream().filter(p -> p.epochMicros() >= fromMicros && p.epochMicros() <= toMicros).toList();
    }

    private static List<RtpPeer.Packet> windowNanos(List<RtpPeer.Packet> ps, long from, long to) {
        return ps.stream().filter(p -> p.nanos() >= from && p.nanos() <= to).toList();
    }

    /** Every 100 ms block is dominated by {@code expected}; the own tone and music are absent. */
    private static void check(String who, List<RtpPeer.Packet> ps, double expected, double absent) {
        assertTrue(ps.size() >= 100, who + ": only " + ps.size() + " packets");
        double[] pcm = Audio.decode(ps, 0);
        int blocks = pcm.length / 800;
        double minShare = 1;
        double maxOther = 0;
        for (int b = 0; b < blocks; b++) {
            minShare = Math.min(minShare, Audio.toneShare(pcm, b * 800, 800, expected, 8000));
            maxOther = Math.max(maxOther, Audio.toneShare(pcm, b * 800, 800, absent, 8000));
        }
        Audio.Match m = Audio.bestMatch(Arrays.copyOfRange(pcm, 0, 8000), music);
        System.out.printf("[systests] %s: %d packets, %d Hz share min %.3f over %d blocks of 100 ms, %d Hz max %.3f,"
                + " music correlation %.3f%n", who, ps.size(), (int) expected, minShare, blocks, (int) absent,
                maxOther, m.correlation());
        assertTrue(minShare > 0.8, who + " " + expected + " Hz: min share " + minShare);
        assertTrue(maxOther < 0.05, who + ": own tone share " + maxOther);
        assertTrue(m.correlation() < 0.3, who + ": music in the bridge, correlation " + m.correlation());
    }
}
