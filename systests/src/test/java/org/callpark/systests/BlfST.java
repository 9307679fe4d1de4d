package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.callpark.internal.blf.DialogInfoSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * BLF against the running assembly: a sipp phone (102, digest) subscribes {@code Event: dialog} to {@code *88101};
 * a customer is parked on 101 by another sipp, retrieved by a third; the phone must see idle, the parked customer,
 * idle again, and the final NOTIFY of its unsubscribe. Every NOTIFY body is validated against the RFC 4235 schema
 * (park-bundle's {@code DialogInfoSchema} and the schema file, from its test-jar).
 */
class BlfST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer();

    private static final String NS = "urn:ietf:params:xml:ns:dialog-info";

    @Test
    void theLampFollowsAParkedCallUntilItIsPickedUp() throws Exception {
        Sipp lamp = Sipp.scenario("blf_watch", SERVER).service("*88101").name("blf-lamp-102").from("Alice", "102")
                .auth("102", "pass102").timeout(40).start();
        awaitMessage(lamp, "version=\"0\"", "the initial NOTIFY");
        RtpPeer rtp = new RtpPeer("127.0.0.1");
        Sipp park = Sipp.scenario("park", SERVER).service("*68").name("blf-park").from("Customer", "+4930123")
                .referredBy("101").media(rtp.port(), "PCMU").set("HOLD_MS", 20000).timeout(40).start();
        try (rtp) {
            awaitMessage(lamp, "version=\"1\"", "the NOTIFY of the park");
            Sipp.scenario("retrieve", SERVER).service("*88101").name("blf-retrieve").from("102", "102")
                    .auth("102", "pass102").set("HOLD_MS", 1000).set("PAI_REGEX", "Customer.*sip:\\+4930123@")
                    .set("PAI_CHECK", "true").run();
            lamp.assertSucceeded();
            park.assertSucceeded();
        } finally {
            park.kill();
            lamp.kill();
        }
        List<Document> docs = documents(lamp);
        assertEquals(4, docs.size(), "idle, parked, idle, final");
        assertEquals(0, docs.get(0).getElementsByTagNameNS(NS, "dialog").getLength());
        Element dialog = (Element) docs.get(1).getElementsByTagNameNS(NS, "dialog").item(0);
        Element remoteIdentity = (Element) ((Element) dialog.getElementsByTagNameNS(NS, "remote").item(0))
                .getElementsByTagNameNS(NS, "identity").item(0);
        assertEquals("Customer", remoteIdentity.getAttribute("display-name"));
        assertTrue(remoteIdentity.getTextContent().startsWith("sip:+4930123@"), remoteIdentity.getTextContent());
        assertEquals(0, docs.get(2).getElementsByTagNameNS(NS, "dialog").getLength());
        System.out.println("[systests] BLF NOTIFY bodies: " + docs.size() + ", all valid against RFC 4235");
    }

    private static void awaitMessage(Sipp sipp, String text, String what) throws Exception {
        long end = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < end) {
            if (sipp.messages().contains(text)) {
                return;
            }
            if (!sipp.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + what + "\n" + sipp.diagnostics());
    }

    private static List<Document> documents(Sipp sipp) throws Exception {
        return DialogInfoSchema.bodies(sipp.messages()).stream().map(DialogInfoSchema::parse).toList();
    }
}
