package org.callpark.internal.blf;

import static org.callpark.internal.blf.DialogInfoSchema.child;
import static org.callpark.internal.blf.DialogInfoSchema.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.callpark.api.BlfOptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The dialog-info documents of park slots, each validated against the RFC 4235 schema. */
class DialogInfoTest {

    private static final String NS = DialogInfo.NS;
    private static final String SLOT = "sip:*88102@example.com";
    private static final BlfOptions BROADWORKS = new BlfOptions(BlfOptions.DialogState.CONFIRMED, true);
    private static final BlfOptions EARLY = new BlfOptions(BlfOptions.DialogState.EARLY, false);

    private static DialogInfo.Parked customer(String id, String name) {
        return new DialogInfo.Parked(id, "sip:+4930123@example.com", name, SLOT, 12);
    }

    @Test
    void idleIsAFullDocumentWithoutDialogs() {
        String xml = DialogInfo.document(SLOT, 0, List.of(), BlfOptions.DEFAULT);
        Document d = DialogInfoSchema.parse(xml);
        Element root = d.getDocumentElement();
        assertEquals("dialog-info", root.getLocalName());
        assertEquals(NS, root.getNamespaceURI());
        assertEquals("0", root.getAttribute("version"));
        assertEquals("full", root.getAttribute("state"));
        assertEquals(SLOT, root.getAttribute("entity"));
        assertEquals(0, d.getElementsByTagNameNS(NS, "dialog").getLength());
    }

    @Test
    void aParkedCallIsAConfirmedHeldDialogWithTheCallerAsRemote() {
        String xml = DialogInfo.document(SLOT, 7, List.of(customer("call-1", "Customer")), BlfOptions.DEFAULT);
        Document d = DialogInfoSchema.parse(xml);
        Element dialog = (Element) d.getElementsByTagNameNS(NS, "dialog").item(0);
        assertEquals("call-1", dialog.getAttribute("id"));
        assertEquals("confirmed", text(dialog, "state"));
        Element local = child(dialog, "local");
        assertEquals(SLOT, text(local, "identity"));
        Element param = child(child(local, "target"), "param");
        assertEquals("+sip.rendering", param.getAttribute("pname"));
        assertEquals("no", param.getAttribute("pval"));
        Element remote = child(dialog, "remote");
        Element identity = child(remote, "identity");
        assertEquals("sip:+4930123@example.com", identity.getTextContent());
        assertEquals("Customer", identity.getAttribute("display-name"));
        assertEquals(SLOT, child(remote, "target").getAttribute("uri"));
        assertEquals("12", text(dialog, "duration"));
    }

    @Test
    void displayNamesWithMarkupStayText() {
        String nasty = "Ann & Bob <Sales> \"VIP\" ]]> '";
        String xml = DialogInfo.document(SLOT, 1, List.of(customer("c<&>\"", nasty)), BlfOptions.DEFAULT);
        assertFalse(xml.contains("<Sales>"), xml);
        Document d = DialogInfoSchema.parse(xml);
        Element identity = child(child((Element) d.getElementsByTagNameNS(NS, "dialog").item(0), "remote"),
                "identity");
        assertEquals(nasty, identity.getAttribute("display-name"));
        assertEquals("c<&>\"", ((Element) d.getElementsByTagNameNS(NS, "dialog").item(0)).getAttribute("id"));
    }

    @Test
    void charactersXmlCannotCarryAreDropped() {
        String xml = DialogInfo.document(SLOT, 1, List.of(customer("c1", "A\u0001B\u0000C\uD800D")),
                BlfOptions.DEFAULT);
        Document d = DialogInfoSchema.parse(xml);
        assertEquals("ABCD", child(child((Element) d.getElementsByTagNameNS(NS, "dialog").item(0), "remote"),
                "identity").getAttribute("display-name"));
    }

    @Test
    void aGroupSlotHasOneDialogPerCall() {
        String xml = DialogInfo.document("sip:park+Sales@example.com", 3, List.of(customer("c1", "One"),
                customer("c2", "Two")), BlfOptions.DEFAULT);
        Document d = DialogInfoSchema.parse(xml);
        NodeList dialogs = d.getElementsByTagNameNS(NS, "dialog");
        assertEquals(2, dialogs.getLength());
        assertEquals("c1", ((Element) dialogs.item(0)).getAttribute("id"));
        assertEquals("c2", ((Element) dialogs.item(1)).getAttribute("id"));
    }

    @Test
    void earlyForPhonesThatBlinkOnEarly() {
        String xml = DialogInfo.document(SLOT, 1, List.of(customer("c1", "Customer")), EARLY);
        Document d = DialogInfoSchema.parse(xml);
        Element dialog = (Element) d.getElementsByTagNameNS(NS, "dialog").item(0);
        assertEquals("early", text(dialog, "state"));
        assertEquals(0, dialog.getElementsByTagNameNS(NS, "param").getLength(), "no held marker on a ringing call");
    }

    @Test
    void broadWorksElementInsideTheDialog() {
        String xml = DialogInfo.document(SLOT, 1, List.of(customer("c1", "Cust & Co")), BROADWORKS);
        Document d = DialogInfoSchema.parse(xml);
        Element dialog = (Element) d.getElementsByTagNameNS(NS, "dialog").item(0);
        NodeList park = dialog.getElementsByTagNameNS(DialogInfo.BROADWORKS_NS, "callpark");
        assertEquals(1, park.getLength(), xml);
        Element identity = (Element) ((Element) park.item(0)).getElementsByTagNameNS(DialogInfo.BROADWORKS_NS,
                "identity").item(0);
        assertEquals("sip:+4930123@example.com", identity.getTextContent());
        assertEquals("Cust & Co", identity.getAttribute("display-name"));
        assertTrue(xml.contains("xmlns:bw=\"" + DialogInfo.BROADWORKS_NS + "\""), xml);
    }

    @Test
    void theSchemaCatchesABrokenDocument() {
        assertThrows(AssertionError.class, () -> DialogInfoSchema.assertValid(
                "<dialog-info xmlns=\"" + NS + "\" version=\"-1\" state=\"full\" entity=\"sip:a@b\"/>"));
        assertThrows(AssertionError.class, () -> DialogInfoSchema.assertValid(
                "<dialog-info xmlns=\"" + NS + "\" version=\"1\" state=\"full\" entity=\"sip:a@b\"><dialog id=\"x\">"
                        + "<state>parked</state></dialog></dialog-info>"));
        assertThrows(AssertionError.class, () -> DialogInfoSchema.assertValid("<dialog-info"));
    }

    @Test
    void sipUrisEscapeWhatAUserPartCannotHold() {
        assertEquals("sip:*88102@example.com", DialogInfo.sipUri("*88102", "example.com"));
        assertEquals("sip:park+Sales@example.com", DialogInfo.sipUri("park+Sales", "example.com"));
        assertEquals("sip:a%20b%3C%3E%40x@h", DialogInfo.sipUri("a b<>@x", "h"));
        assertEquals("sip:anonymous@anonymous.invalid", DialogInfo.sipUri("", "h"));
    }
}
