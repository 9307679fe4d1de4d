package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After a retrieve the server relays audio both ways: the customer's socket sends 1 kHz, the retriever's 600 Hz, each
 * must hear the other's tone and not music; a second parked call sending 1400 Hz must not leak into the bridge and
 * keeps hearing music. The retriever holds and resumes by re-INVITE: the customer hears the music meanwhile. The
 * retriever transfers the customer by REFER to a registered extension (bridged with audio) or to a park code; 104
 * takes the call over by an INVITE with Replaces (attended transfer) with audio both ways. With
 * {@code announceParkedSlot} on (set here: it changes only a parker's own park INVITE without Referred-By, which the
 * other methods do not send), a consult call to {@code *68102} hears the slot announced before the transfer parks the
 * customer.
 */
class BridgeAudioST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer().env("CALLPARK_SIP_ANNOUNCE_PARKED_SLOT", "true");

    @Test
    void retrievedCallCarriesAudioBothWaysAndNothingLeaks() throws Exception {
        double[] music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"))));
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); RtpPeer retriever = new RtpPeer("127.0.0.1");
                RtpPeer other = new RtpPeer("127.0.0.1")) {
            Sipp parkA = Sipp.scenario("park", SERVER).service("*68").name("bridge-customer").referredBy("101")
                    .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 20000).timeout(30);
            Sipp parkX = Sipp.scenario("park", SERVER).service("*68103").name("bridge-other").referredBy("103")
                    .from("Other", "+4940999").media(other.port(), "PCMU").set("HOLD_MS", 9000).timeout(30);
            parkA.start();
            parkX.start();
            assertTrue(customer.awaitPackets(5, 5000), parkA::diagnostics);
            assertTrue(other.awaitPackets(5, 5000), parkX::diagnostics);
            customer.startTone(1000, 0, customer.serverAddress());
            other.startTone(1400, 0, other.serverAddress());

            Sipp ret = Sipp.scenario("retrieve", SERVER).service("*88101").name("bridge-retriever").from("Alice", "102")
                    .auth("102", "pass102").media(retriever.port(), "PCMU").set("HOLD_MS", 5000).timeout(30)
                    .set("PAI_REGEX", "Customer.*sip:\\+4930123@").set("PAI_CHECK", "true");
            ret.start();
            assertTrue(retriever.awaitPackets(5, 5000), ret::diagnostics);
            long t0 = retriever.packets().get(0).nanos();
            retriever.startTone(600, 0, retriever.serverAddress());
            // listen for 3.5 s after the bridge came up; analyse 1.0..3.5 s
            while (System.nanoTime() < t0 + 3_500_000_000L) {
                Thread.sleep(50);
            }
            long from = t0 + 1_000_000_000L;
            long to = t0 + 3_500_000_000L;
            check("retriever hears", window(retriever.packets(), from, to), 1000, new double[] {600, 1400}, music);
            check("customer hears", window(customer.packets(), from, to), 600, new double[] {1000, 1400}, music);
            // the other parked call still hears music only
            double[] o = Audio.decode(window(other.packets(), from, to), 0);
            Audio.Match m = Audio.bestMatch(Arrays.copyOfRange(o, 0, 8000), music);
            double s1000 = Audio.toneShare(o, 0, 8000, 1000, 8000);
            double s600 = Audio.toneShare(o, 0, 8000, 600, 8000);
            System.out.printf("[systests] other parked call: music correlation %.4f, 1000 Hz share %.3f, 600 Hz %.3f%n",
                    m.correlation(), s1000, s600);
            assertTrue(m.correlation() >= 0.8, "the other parked call hears music");
            assertTrue(s1000 < 0.05 && s600 < 0.05, "bridge audio leaked into the other parked call");

            ret.assertSucceeded();
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("OWN-BYE")));
            parkA.assertSucceeded();
            assertTrue(parkA.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the customer is hung up when the retriever hangs up");
            parkX.assertSucceeded();
        }
    }

    /**
     * Issue 16 part 1: the retriever puts the retrieved call on hold by re-INVITE ({@code a=sendonly}, answered
     * {@code a=recvonly}): the customer hears the hold music (at least 40 packets/s, correlated with
     * hold-music.wav, not the retriever's 600 Hz that its phone goes on sending) and the retriever gets no RTP; resumed
     * ({@code a=sendrecv}), the tones go both ways again, no music.
     */
    @Test
    void holdFromTheRetrieverPlaysMusicToTheCustomer_resumeCarriesTonesBothWays() throws Exception {
        double[] music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"))));
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); RtpPeer retriever = new RtpPeer("127.0.0.1")) {
            Sipp park = Sipp.scenario("park", SERVER).service("*68").name("hold-customer").referredBy("101")
                    .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 25000).timeout(40);
            park.start();
            assertTrue(customer.awaitPackets(5, 5000), park::diagnostics);
            customer.startTone(1000, 0, customer.serverAddress());
            Sipp ret = Sipp.scenario("retrieve_hold", SERVER).service("*88101").name("hold-retriever")
                    .from("Alice", "102").auth("102", "pass102").media(retriever.port(), "PCMU")
                    .set("TALK_MS", 1500).set("HOLD_MS", 3500).set("TALK2_MS", 3500).timeout(40);
            ret.start();
            assertTrue(retriever.awaitPackets(5, 5000), ret::diagnostics);
            long t0 = retriever.packets().get(0).nanos(); // bridged
            retriever.startTone(600, 0, retriever.serverAddress());
            // held from about t0 + 1.5 s to t0 + 5 s: listen in 2.3..4.3 s; resumed: 6.0..8.5 s
            while (System.nanoTime() < t0 + 8_500_000_000L) {
                Thread.sleep(50);
            }
            List<RtpPeer.Packet> held = window(customer.packets(), t0 + 2_300_000_000L, t0 + 4_300_000_000L);
            double[] pcm = Audio.decode(held, 0);
            Audio.Match m = Audio.bestMatch(Arrays.copyOfRange(pcm, 0, Math.min(pcm.length, 8000)), music);
            double s600 = Audio.toneShare(pcm, 0, Math.min(pcm.length, 8000), 600, 8000);
            long toRetriever = window(retriever.packets(), t0 + 2_300_000_000L, t0 + 4_300_000_000L).size();
            System.out.printf("[systests] held customer: %d packets in 2 s (%.0f/s), music correlation %.4f, 600 Hz "
                    + "share %.3f; packets to the holding retriever: %d%n", held.size(), held.size() / 2.0,
                    m.correlation(), s600, toRetriever);
            assertTrue(held.size() >= 80, "the held customer gets >= 40 packets/s: " + held.size() + " in 2 s");
            assertTrue(m.correlation() >= 0.8, "the held customer hears the hold music: " + m.correlation());
            assertTrue(s600 < 0.05, "the holding retriever's audio does not reach the customer: " + s600);
            assertTrue(toRetriever <= 2, "the holding retriever gets no RTP: " + toRetriever);
            check("after resume, retriever hears", window(retriever.packets(), t0 + 6_000_000_000L,
                    t0 + 8_500_000_000L), 1000, new double[] {600}, music);
            check("after resume, customer hears", window(customer.packets(), t0 + 6_000_000_000L,
                    t0 + 8_500_000_000L), 600, new double[] {1000}, music);
            ret.assertSucceeded();
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("HELD=a=recvonly")), ret::diagnostics);
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("RESUMED=a=sendrecv")), ret::diagnostics);
            park.assertSucceeded();
            assertTrue(park.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the customer is hung up when the retriever hangs up");
        }
    }

    /**
     * Issue 16 part 1, REFER to an extension: 104 registers (digest), the retriever (102) blind-transfers the customer
     * to 104 by REFER: 202, NOTIFY 100 and then 200 once 104 answered, BYE to the retriever; 104's phone rings with
     * the customer's identity ({@code "Parked: Customer" <sip:+4930123@…>}, checked by the UAS scenario) and is
     * bridged: 1000 Hz ⇄ 600 Hz both ways; 104's BYE hangs the customer up.
     */
    @Test
    void referToARegisteredExtensionRingsItAndBridgesWithAudio() throws Exception {
        double[] music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"))));
        int phonePort = Sipp.freeUdpPort();
        Sipp.scenario("register", SERVER).name("refer-register-104").localPort(Sipp.freeUdpPort())
                .set("CONTACT_PORT", phonePort).set("USER", "104").set("EXPIRES", 300).auth("104", "pass104")
                .timeout(10).set("CONTACT_REGEX", "&lt;sip:104@127\\.0\\.0\\.1:" + phonePort
                        + ";transport=[a-zA-Z]+&gt;;expires=[0-9]+").run();
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); RtpPeer retriever = new RtpPeer("127.0.0.1");
                RtpPeer phoneRtp = new RtpPeer("127.0.0.1")) {
            Sipp phone = Sipp.scenario("recall_answer_bye", SERVER).name("refer-phone-104").localPort(phonePort)
                    .set("OFFER_REGEX", "m=audio [0-9]+ RTP/AVP 0 ").media(phoneRtp.port(), "PCMU")
                    .set("RING_MS", 500).set("TALK_MS", 5000).timeout(30).start();
            Sipp park = Sipp.scenario("park", SERVER).service("*68").name("refer-customer").referredBy("101")
                    .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 25000).timeout(40);
            park.start();
            assertTrue(customer.awaitPackets(5, 5000), park::diagnostics);
            customer.startTone(1000, 0, customer.serverAddress());
            Sipp ret = Sipp.scenario("retrieve_refer", SERVER).service("*88101").name("refer-retriever")
                    .from("Alice", "102").auth("102", "pass102").media(retriever.port(), "PCMU")
                    .set("TALK_MS", 1000).set("REFER_TO", "104").timeout(40);
            ret.start();
            assertTrue(phoneRtp.awaitPackets(5, 10000), phone::diagnostics);
            long t0 = phoneRtp.packets().get(0).nanos();
            phoneRtp.startTone(600, 0, phoneRtp.serverAddress());
            while (System.nanoTime() < t0 + 3_500_000_000L) {
                Thread.sleep(50);
            }
            check("104 after the transfer hears", window(phoneRtp.packets(), t0 + 1_000_000_000L,
                    t0 + 3_500_000_000L), 1000, new double[] {600}, music);
            check("customer after the transfer hears", window(customer.packets(), t0 + 1_000_000_000L,
                    t0 + 3_500_000_000L), 600, new double[] {1000}, music);
            ret.assertSucceeded();
            System.out.println("[systests] referrer's sipp log: " + ret.logLines());
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("TRYING=SIP/2.0 100 Trying")),
                    ret::diagnostics);
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("FINAL=SIP/2.0 200 OK")), ret::diagnostics);
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")), ret::diagnostics);
            phone.assertSucceeded();
            park.assertSucceeded();
            assertTrue(park.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the customer is hung up when 104 hangs up");
        }
    }

    /**
     * Issue 16 part 1, REFER to a park code: the retriever (102) REFERs the customer to {@code *68102}: NOTIFY 200,
     * BYE to the retriever; {@code park:list} shows the customer on 102 with its own caller id, and it hears the music
     * again.
     */
    @Test
    void referToAParkCodeParksTheCustomerAgainWithItsCallerId() throws Exception {
        double[] music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"))));
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); RtpPeer retriever = new RtpPeer("127.0.0.1")) {
            Sipp park = Sipp.scenario("park", SERVER).service("*68").name("repark-customer").referredBy("101")
                    .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 8000).timeout(40);
            park.start();
            assertTrue(customer.awaitPackets(5, 5000), park::diagnostics);
            customer.startTone(1000, 0, customer.serverAddress());
            Sipp ret = Sipp.scenario("retrieve_refer", SERVER).service("*88101").name("repark-retriever")
                    .from("Alice", "102").auth("102", "pass102").media(retriever.port(), "PCMU")
                    .set("TALK_MS", 500).set("REFER_TO", "*68102").timeout(30);
            ret.run();
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("FINAL=SIP/2.0 200 OK")), ret::diagnostics);
            long reparked = System.nanoTime();
            String out = SERVER.shell("park:list -s default/ext/102");
            System.out.println("[systests] park:list -s default/ext/102 after the REFER\n" + out);
            assertTrue(out.contains("+4930123") && out.contains("Customer"), out);
            Thread.sleep(1500);
            double[] pcm = Audio.decode(window(customer.packets(), reparked + 300_000_000L,
                    reparked + 1_300_000_000L), 0);
            Audio.Match m = Audio.bestMatch(pcm, music);
            System.out.printf("[systests] re-parked customer: music correlation %.4f%n", m.correlation());
            assertTrue(m.correlation() >= 0.8, "music again after the re-park: " + m.correlation());
            park.assertSucceeded(); // the customer hangs up after HOLD_MS
        }
    }

    /**
     * Issue 16 part 1, attended transfer with Replaces (RFC 3891): the retriever (102, sending 800 Hz) holds the
     * customer by re-INVITE as a phone does before it consults 104, and the customer hears the music; 104 then sends
     * the server an INVITE with {@code Replaces} naming the server's dialog with 102 (read from 102's sipp log),
     * authenticated by digest: 200 with the customer's identity and {@code a=sendrecv}, BYE to 102, the music stops and
     * 1000 Hz ⇄ 600 Hz go both ways between the customer and 104, nothing of 102; 104's BYE ends the customer's call.
     */
    @Test
    void inviteWithReplacesFromTheConsultedExtensionTakesOverTheCallWithAudio() throws Exception {
        double[] music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"))));
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); RtpPeer retriever = new RtpPeer("127.0.0.1");
                RtpPeer target = new RtpPeer("127.0.0.1")) {
            Sipp park = Sipp.scenario("park", SERVER).service("*68").name("replaces-customer").referredBy("101")
                    .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 25000).timeout(40);
            park.start();
            assertTrue(customer.awaitPackets(5, 5000), park::diagnostics);
            customer.startTone(1000, 0, customer.serverAddress());
            Sipp ret = Sipp.scenario("retrieve_consult", SERVER).service("*88101").name("replaces-receptionist")
                    .from("Alice", "102").auth("102", "pass102").media(retriever.port(), "PCMU")
                    .set("TALK_MS", 500).set("WAIT_MS", 20000).timeout(40).start();
            assertTrue(retriever.awaitPackets(5, 5000), ret::diagnostics);
            retriever.startTone(800, 0, retriever.serverAddress());
            String dialog = null;
            for (long end = System.currentTimeMillis() + 10_000; dialog == null && System.currentTimeMillis() < end;) {
                dialog = ret.logLines().stream().filter(l -> l.startsWith("DIALOG=")).map(l -> l.substring(7).trim())
                        .findFirst().orElse(null);
                Thread.sleep(50);
            }
            assertTrue(dialog != null, ret::diagnostics);
            Thread.sleep(1200);
            long now = System.nanoTime();
            Audio.Match held = Audio.bestMatch(Audio.decode(window(customer.packets(), now - 1_000_000_000L, now), 0),
                    music);
            System.out.printf("[systests] customer held by 102 before the replace: music correlation %.4f%n",
                    held.correlation());
            assertTrue(held.correlation() >= 0.8, "the held customer hears music: " + held.correlation());

            long sent = System.nanoTime();
            Sipp t = Sipp.scenario("invite_replaces", SERVER).service("park").name("replaces-104")
                    .from("Dave", "104").auth("104", "pass104").media(target.port(), "PCMU").set("REPLACES", dialog)
                    .set("PAI_REGEX", "Customer.*sip:\\+4930123@").set("TALK_MS", 4500).timeout(30).start();
            assertTrue(target.awaitPackets(5, 5000), t::diagnostics);
            long t0 = target.packets().get(0).nanos();
            System.out.printf("[systests] INVITE with Replaces sent -> first RTP at 104: %d ms%n",
                    (t0 - sent) / 1_000_000);
            target.startTone(600, 0, target.serverAddress());
            while (System.nanoTime() < t0 + 3_500_000_000L) {
                Thread.sleep(50);
            }
            check("104 after the replace hears", window(target.packets(), t0 + 1_000_000_000L,
                    t0 + 3_500_000_000L), 1000, new double[] {600, 800}, music);
            check("customer after the replace hears", window(customer.packets(), t0 + 1_000_000_000L,
                    t0 + 3_500_000_000L), 600, new double[] {1000, 800}, music);
            ret.assertSucceeded();
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("HELD=a=recvonly")), ret::diagnostics);
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")), "102 is hung up");
            t.assertSucceeded();
            assertTrue(t.logLines().stream().anyMatch(l -> l.contains("ANSWER=a=sendrecv")), t::diagnostics);
            park.assertSucceeded();
            assertTrue(park.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the customer is hung up when 104 hangs up");
        }
    }

    /**
     * Issue 16 part 5, parked-slot announcement: 101's consult call to {@code *68102} (digest) receives RTP that decodes
     * to "Your call will be parked on" (correlated with park-announce.wav) followed by "one", "zero", "two" (each
     * window correlates best with its own digit's WAV among the ten); then the customer's INVITE with Replaces naming
     * that dialog (no credentials) is parked and hears music, and the consult call gets the server's BYE.
     */
    @Test
    void consultCallToTheParkCodeHearsTheSlotThenTheTransferParksTheCustomer() throws Exception {
        String audio = "../media-bundle/src/main/resources/audio/";
        double[] music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                audio + "hold-music.wav"))));
        double[] intro = Audio.to8k(Audio.readWav(new File(audio + "park-announce.wav")));
        double[][] digits = new double[10][];
        for (int d = 0; d < 10; d++) {
            digits[d] = Audio.to8k(Audio.readWav(new File(audio + "digit-" + d + ".wav")));
        }
        try (RtpPeer parker = new RtpPeer("127.0.0.1"); RtpPeer customer = new RtpPeer("127.0.0.1")) {
            Sipp consult = Sipp.scenario("consult_park", SERVER).service("*68102").name("announce-parker")
                    .from("Bob", "101").auth("101", "pass101").media(parker.port(), "PCMU").set("WAIT_MS", 30000)
                    .timeout(40).start();
            int expected = intro.length + 3 * digits[1].length;
            assertTrue(parker.awaitPackets(expected / 160 - 10, 12_000),
                    () -> parker.packets().size() + " packets of " + expected / 160 + "\n" + consult.diagnostics());
            String dialog = null;
            for (long end = System.currentTimeMillis() + 5_000; dialog == null && System.currentTimeMillis() < end;) {
                dialog = consult.logLines().stream().filter(l -> l.startsWith("DIALOG="))
                        .map(l -> l.substring(7).trim()).findFirst().orElse(null);
                Thread.sleep(50);
            }
            assertTrue(dialog != null, consult::diagnostics);
            double[] heard = Audio.decode(parker.packets(), 0);
            Audio.Match first = Audio.bestMatch(Arrays.copyOfRange(heard, 800, 800 + 8000), intro);
            System.out.printf("[systests] consult call: %d samples heard, intro correlation %.3f%n", heard.length,
                    first.correlation());
            assertTrue(first.correlation() >= 0.8, "the intro: " + first.correlation());
            int at = intro.length;
            for (int want : new int[] {1, 0, 2}) {
                double[] w = Arrays.copyOfRange(heard, at + 1600, at + 6400);
                int best = -1;
                double bestC = -2;
                for (int d = 0; d < 10; d++) {
                    double c = Audio.bestMatch(w, digits[d]).correlation();
                    if (c > bestC) {
                        bestC = c;
                        best = d;
                    }
                }
                System.out.printf("[systests] digit %d: best match %d (%.3f)%n", want, best, bestC);
                assertEquals(want, best, "digit " + want + " announced");
                assertTrue(bestC >= 0.8, "digit " + want + ": " + bestC);
                at += digits[want].length;
            }

            Sipp park = Sipp.scenario("park", SERVER).service("*68102").name("announce-customer").referredBy("101")
                    .header("Replaces: " + dialog).from("Customer", "+4930123").media(customer.port(), "PCMU")
                    .set("HOLD_MS", 3000).timeout(20).start();
            assertTrue(customer.awaitPackets(60, 6000), park::diagnostics);
            double[] held = Audio.decode(customer.packets(), 0);
            Audio.Match m = Audio.bestMatch(Arrays.copyOfRange(held, 0, 8000), music);
            System.out.printf("[systests] transferred customer: music correlation %.3f%n", m.correlation());
            assertTrue(m.correlation() >= 0.8, "the parked customer hears music: " + m.correlation());
            park.assertSucceeded();
            consult.assertSucceeded();
            assertTrue(consult.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")), consult::diagnostics);
        }
    }

    static List<RtpPeer.Packet> window(List<RtpPeer.Packet> ps, long from, long to) {
        return ps.stream().filter(p -> p.nanos() >= from && p.nanos() <= to).toList();
    }

    /** Every 100 ms block is dominated by {@code expected}; the others and music are absent. */
    static void check(String who, List<RtpPeer.Packet> ps, double expected, double[] absent,
            double[] music) {
        assertTrue(ps.size() >= 100, who + ": only " + ps.size() + " packets");
        double[] pcm = Audio.decode(ps, 0);
        int blocks = pcm.length / 800;
        double minShare = 1;
        double maxOther = 0;
        for (int b = 0; b < blocks; b++) {
            minShare = Math.min(minShare, Audio.toneShare(pcm, b * 800, 800, expected, 8000));
            for (double hz : absent) {
                maxOther = Math.max(maxOther, Audio.toneShare(pcm, b * 800, 800, hz, 8000));
            }
        }
        Audio.Match m = Audio.bestMatch(Arrays.copyOfRange(pcm, 0, 8000), music);
        System.out.printf("[systests] %s: %d packets, %d Hz share min %.3f over %d blocks of 100 ms, others max "
                + "%.3f, music correlation %.3f%n", who, ps.size(), (int) expected, minShare, blocks, maxOther,
                m.correlation());
        assertTrue(minShare > 0.8, who + " " + expected + " Hz: min share " + minShare);
        assertTrue(maxOther < 0.05, who + ": foreign tone share " + maxOther);
        assertTrue(m.correlation() < 0.3, who + ": music in the bridge, correlation " + m.correlation());
    }
}
