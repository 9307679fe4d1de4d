package org.callpark.internal.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.xmpp.SlotAccess.SlotView;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.Presence;

/** The stanzas of a slot, without a server: status, show, the {@code <park/>} child, the dial hint, escaping. */
class SlotPresenceTest {

    private static final TenantId DEFAULT = XmppTestDirectory.DEFAULT;
    private static final TenantId ACME = XmppTestDirectory.ACME;
    private static final RecallPolicy POLICY = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(),
            Duration.ofMinutes(10), Duration.ofMinutes(10), 1);
    private static final JID CAROL = new JID("carol@example.com");

    private final Directory dir = XmppTestDirectory.build().withParkGroups(List.of(
            new ParkGroup(ACME, "Support", "", List.of("201"), RecallMode.USER_ONLY, "", Duration.ofMinutes(10),
                    Duration.ofMinutes(10), 1, false),
            new ParkGroup(DEFAULT, "42", "", List.of("104"), RecallMode.USER_ONLY, "", Duration.ofMinutes(10),
                    Duration.ofMinutes(10), 1, false)));
    private final SlotPresence render = new SlotPresence("park.example.com");

    @Test
    void anEmptySlotIsAvailableAndFree() throws Exception {
        Presence p = render.state(dir, extensionView("102"), CAROL, List.of());
        assertNull(p.getShow());
        assertEquals("free", p.getStatus());
        assertEquals("102@park.example.com", p.getFrom().toString());
        Element park = park(p);
        assertEquals("102", park.getAttribute("slot"));
        assertEquals("extension", park.getAttribute("kind"));
        assertEquals("free", park.getAttribute("state"));
        assertEquals("0", park.getAttribute("calls"));
        assertEquals("sip:*88102@example.com", park.getAttribute("retrieve"), "no SIP domain: the component's");
    }

    @Test
    void aParkedCallIsDndWithCallerParkerAndCount() throws Exception {
        ParkedCall first = call(SlotId.extension(DEFAULT, "102"), "+4930123", "Customer Name", "101");
        ParkedCall second = call(SlotId.extension(DEFAULT, "102"), "+4930456", "", "");
        Presence p = render.state(dir, extensionView("102"), CAROL, List.of(first, second));
        assertEquals(Presence.Show.dnd, p.getShow());
        assertEquals("Parked: Customer Name (+4930123) by Bob (+1 more)", p.getStatus());
        Element park = park(p);
        assertEquals("parked", park.getAttribute("state"));
        assertEquals("2", park.getAttribute("calls"));
        Element call = (Element) park.getElementsByTagNameNS(ParkComponent.NAMESPACE, "call").item(0);
        assertEquals(first.id(), call.getAttribute("id"));
        assertEquals("parked", call.getAttribute("state"));
        assertEquals("sip:*88102@example.com", call.getAttribute("retrieve"));
    }

    @Test
    void namesWithMarkupAmpersandsAndQuotesStayText() throws Exception {
        String nasty = "<b>\"Tom\" & 'Jerry'</b>\u0007";
        ParkedCall c = call(SlotId.extension(DEFAULT, "102"), "+49<&>", nasty, "101");
        Presence p = render.state(dir, extensionView("102"), CAROL, List.of(c));
        String xml = p.toXML();
        assertFalse(xml.contains("<b>"), xml);
        assertFalse(xml.contains("& "), xml);
        assertFalse(xml.contains("\u0007"), xml);
        org.w3c.dom.Document doc = parse(xml);
        assertEquals("Parked: <b>\"Tom\" & 'Jerry'</b> (+49<&>) by Bob",
                doc.getElementsByTagName("status").item(0).getTextContent());
        Element caller = (Element) doc.getElementsByTagNameNS(ParkComponent.NAMESPACE, "caller").item(0);
        assertEquals("<b>\"Tom\" & 'Jerry'</b>", caller.getAttribute("name"));
        assertEquals("+49<&>", caller.getAttribute("number"));
        assertEquals(1, doc.getDocumentElement().getElementsByTagName("status").getLength(), "one status, no more");
    }

    @Test
    void theRetrieveHintIsTheDirectorysCode() throws Exception {
        ParkGroup sales = dir.parkGroup(DEFAULT, "sales").orElseThrow();
        assertEquals("sip:*88700@example.com", park(render.state(dir, groupView(sales, "101"), CAROL, List.of()))
                .getAttribute("retrieve"), "a group with a number");
        ParkGroup support = dir.parkGroup(ACME, "support").orElseThrow();
        assertEquals("sip:park+Support@acme.test", park(render.state(dir, groupView(support, "201"),
                new JID("karl@acme.test"), List.of())).getAttribute("retrieve"), "no number; the tenant's domain");
        ParkGroup digits = dir.parkGroup(DEFAULT, "42").orElseThrow();
        assertFalse(park(render.state(dir, groupView(digits, "104"), CAROL, List.of())).hasAttribute("retrieve"),
                "park+42 would mean extension 42: no code");
    }

    @Test
    void theHeadlineSaysWhatToDial() throws Exception {
        JID to = new JID("alice@example.com");
        ParkedCall onExt = call(SlotId.extension(DEFAULT, "102"), "+4930999", "First Caller", "101");
        Message m = render.headline(dir, onExt, null, render.slotJid("102"), to);
        assertEquals(Message.Type.headline, m.getType());
        assertEquals("Call from First Caller (+4930999) parked on 102 \u2014 dial *88102 or reply 'pickup'",
                m.getBody());
        assertEquals("parked", park(m).getAttribute("state"));

        ParkGroup sales = dir.parkGroup(DEFAULT, "sales").orElseThrow();
        assertEquals("Call from +4930 parked on Sales \u2014 dial *88700 or reply 'pickup'", render.headline(dir,
                call(sales.slot(), "+4930", "", "101"), sales, render.slotJid("sales"), to).getBody());
        ParkGroup support = dir.parkGroup(ACME, "support").orElseThrow();
        assertEquals("Call from unknown caller parked on Support \u2014 dial park+Support or reply 'pickup'",
                render.headline(dir, call(support.slot(), "", "", ""), support, render.slotJid("support"), to)
                        .getBody(), "not a bare *88: that takes the user's own extension's call first");
        ParkGroup digits = dir.parkGroup(DEFAULT, "42").orElseThrow();
        assertEquals("Call from +4930 parked on 42 \u2014 reply 'pickup'", render.headline(dir,
                call(digits.slot(), "+4930", "", ""), digits, render.slotJid("42"), to).getBody());
    }

    // ------------------------------------------------------------------------------------------ helpers

    private SlotView extensionView(String ext) {
        return new SlotView(dir.user(DEFAULT, "103").orElseThrow(), dir.tenant(DEFAULT).orElseThrow(),
                SlotId.extension(DEFAULT, ext), ext, ext, null);
    }

    private SlotView groupView(ParkGroup g, String member) {
        return new SlotView(dir.user(g.tenant(), g.members().contains(member) ? member : g.members().get(0))
                .orElseGet(() -> dir.allUsers().get(0)), dir.tenant(g.tenant()).orElseThrow(), g.slot(),
                g.name().toLowerCase(), g.name(), g);
    }

    private static int seq;

    private static ParkedCall call(SlotId slot, String number, String name, String parkedBy) {
        seq++;
        return new ParkedCall("call-" + seq, slot, CallerId.of(number, name), parkedBy, "", Instant.now(), seq,
                CallState.PARKED, null, 0, POLICY, "node-1", "leg-" + seq, null, 1);
    }

    private static Element park(Packet p) throws Exception {
        Element park = (Element) parse(p.toXML()).getElementsByTagNameNS(ParkComponent.NAMESPACE, "park").item(0);
        assertTrue(park != null, p.toXML());
        return park;
    }

    private static org.w3c.dom.Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
