package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16 part 1, in-call transfer to a number outside the directory: the assembly runs with an outbound proxy (the
 * PBX or trunk, here a sipp UAS on {@link #PBX_PORT}) and {@code transferNumbers = \+?[0-9]{5,15}}. The retriever
 * (102) REFERs the customer to {@code +4940555}: the PBX gets {@code INVITE sip:+4940555@…} with the customer's
 * identity, answers, and the customer and the PBX's call hear each other (1000 Hz ⇄ 600 Hz in every 100 ms block, no
 * music); the referrer gets NOTIFY 100 then 200 and our BYE; the PBX's BYE hangs the customer up.
 */
class TransferOutsideST {

    private static final int PBX_PORT = Sipp.freeUdpPort();

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer()
            .env("CALLPARK_SIP_OUTBOUND_PROXY", "127.0.0.1:" + PBX_PORT)
            .env("CALLPARK_SIP_TRANSFER_NUMBERS", "\\+?[0-9]{5,15}");

    @Test
    void referToAnAllowedNumberCallsItThroughThePbxAndBridgesWithAudio() throws Exception {
        double[] music = Audio.to8k(Audio.readWav(new File(System.getProperty("systests.holdMusic",
                "../media-bundle/src/main/resources/audio/hold-music.wav"))));
        try (RtpPeer customer = new RtpPeer("127.0.0.1"); RtpPeer retriever = new RtpPeer("127.0.0.1");
                RtpPeer pbxRtp = new RtpPeer("127.0.0.1")) {
            Sipp pbx = Sipp.scenario("trunk_answer_bye", SERVER).name("outside-pbx").localPort(PBX_PORT)
                    .set("NUMBER", "\\+4940555").set("OFFER_REGEX", "m=audio [0-9]+ RTP/AVP 0 ")
                    .media(pbxRtp.port(), "PCMU").set("RING_MS", 500).set("TALK_MS", 5000).timeout(30).start();
            Sipp park = Sipp.scenario("park", SERVER).service("*68").name("outside-customer").referredBy("101")
                    .from("Customer", "+4930123").media(customer.port(), "PCMU").set("HOLD_MS", 25000).timeout(40);
            park.start();
            assertTrue(customer.awaitPackets(5, 5000), park::diagnostics);
            customer.startTone(1000, 0, customer.serverAddress());
            Sipp ret = Sipp.scenario("retrieve_refer", SERVER).service("*88101").name("outside-retriever")
                    .from("Alice", "102").auth("102", "pass102").media(retriever.port(), "PCMU")
                    .set("TALK_MS", 1000).set("REFER_TO", "+4940555").timeout(40);
            long referred = System.nanoTime();
            ret.start();
            assertTrue(pbxRtp.awaitPackets(5, 10000), pbx::diagnostics);
            long t0 = pbxRtp.packets().get(0).nanos();
            System.out.printf("[systests] REFER to +4940555 -> first packet at the PBX's call: %d ms%n",
                    (t0 - referred) / 1_000_000);
            pbxRtp.startTone(600, 0, pbxRtp.serverAddress());
            while (System.nanoTime() < t0 + 3_500_000_000L) {
                Thread.sleep(50);
            }
            BridgeAudioST.check("the PBX's call after the transfer hears", BridgeAudioST.window(pbxRtp.packets(),
                    t0 + 1_000_000_000L, t0 + 3_500_000_000L), 1000, new double[] {600}, music);
            BridgeAudioST.check("customer after the transfer hears", BridgeAudioST.window(customer.packets(),
                    t0 + 1_000_000_000L, t0 + 3_500_000_000L), 600, new double[] {1000}, music);
            ret.assertSucceeded();
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("TRYING=SIP/2.0 100 Trying")),
                    ret::diagnostics);
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("FINAL=SIP/2.0 200 OK")), ret::diagnostics);
            assertTrue(ret.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")), ret::diagnostics);
            pbx.assertSucceeded();
            park.assertSucceeded();
            assertTrue(park.logLines().stream().anyMatch(l -> l.contains("SERVER-BYE")),
                    "the customer is hung up when the PBX's call hangs up");
            String list = SERVER.shell("park:list");
            assertTrue(!list.contains("+4930123"), "nothing parked any more: " + list);
        }
    }
}
