package org.callpark.internal.xmpp;

import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.SlotKind;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.internal.xmpp.SlotAccess.SlotView;
import org.dom4j.DocumentHelper;
import org.dom4j.Element;
import org.dom4j.QName;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Presence;

/**
 * What a slot and its calls look like as stanzas: the presence a subscriber sees ({@code dnd} with "Parked: Customer
 * (+4930…) by Bob" while a call waits, else available "free") and the headline at park time, each with a
 * {@code <park xmlns='urn:callpark:park:1'>} child. Pure: built from the directory, the slot and its calls, nothing
 * sent, nothing remembered. Values go in as element text and attributes (the writer escapes them), cleaned of
 * characters XML forbids ({@link XmppText}). The dial hint is {@link Directory#retrieveCodeFor}.
 */
final class SlotPresence {

    private final String domain;

    /**
     * @param domain the component's domain, e.g. {@code park.example.com}
     */
    SlotPresence(String domain) {
        this.domain = domain;
    }

    /** The JID of a slot node on this component. */
    JID slotJid(String node) {
        return new JID(node, domain, null);
    }

    /** The slot's presence for one subscriber: dnd + "Parked: …" while a call waits, else available "free". */
    Presence state(Directory dir, SlotView view, JID to, List<ParkedCall> calls) {
        Presence p = new Presence();
        p.setFrom(slotJid(view.node()));
        p.setTo(to);
        if (!calls.isEmpty()) {
            p.setShow(Presence.Show.dnd);
        }
        p.setStatus(status(dir, calls));
        p.getElement().add(parkElement(dir, view.tenant().id(), view.slot(), view.label(), calls));
        return p;
    }

    /** "free", or "Parked: Customer (+4930…) by Bob (+1 more)" for the first of the calls. */
    static String status(Directory dir, List<ParkedCall> calls) {
        if (calls.isEmpty()) {
            return "free";
        }
        ParkedCall first = calls.get(0);
        String status = "Parked: " + describe(first);
        String parker = parkerName(dir, first);
        if (!parker.isEmpty()) {
            status += " by " + parker;
        }
        if (calls.size() > 1) {
            status += " (+" + (calls.size() - 1) + " more)";
        }
        return status;
    }

    /**
     * The pop-up for an owner of the slot at park time: "Call from … parked on 102 — dial *88102 or reply 'pickup'".
     *
     * @param group the call's park group, or {@code null} for an extension's slot
     */
    Message headline(Directory dir, ParkedCall call, ParkGroup group, JID from, JID to) {
        SlotId slot = call.slot();
        Message m = new Message();
        m.setType(Message.Type.headline);
        m.setFrom(from);
        m.setTo(to);
        String label = group != null ? group.name() : slot.name();
        m.setSubject("Parked call");
        m.setBody("Call from " + describe(call) + " parked on " + label + " \u2014 "
                + dir.retrieveCodeFor(slot).map(code -> "dial " + code + " or ").orElse("") + "reply 'pickup'");
        m.getElement().add(parkElement(dir, call.tenant(), slot, label, List.of(call)));
        return m;
    }

    /** "Customer Name (+4930…)", or whichever part is known. */
    static String describe(ParkedCall call) {
        String name = XmppText.clean(call.caller().displayName());
        String number = XmppText.clean(call.caller().number());
        if (name.isEmpty()) {
            return number.isEmpty() ? "unknown caller" : number;
        }
        return number.isEmpty() ? name : name + " (" + number + ")";
    }

    private static String parkerName(Directory dir, ParkedCall call) {
        if (call.parkedBy().isEmpty()) {
            return "";
        }
        return dir.user(call.tenant(), call.parkedBy()).map(u -> XmppText.clean(u.displayName()))
                .filter(n -> !n.isEmpty()).orElse(XmppText.clean(call.parkedBy()));
    }

    /**
     * {@code <park xmlns='urn:callpark:park:1' slot='102' kind='extension' state='parked' calls='1'><call id since
     * state retrieve><caller number name/><parker extension name/></call></park>}, built as elements (the writer
     * escapes the values).
     */
    private Element parkElement(Directory dir, TenantId tenant, SlotId slot, String label, List<ParkedCall> calls) {
        Element park = DocumentHelper.createElement(QName.get("park", ParkComponent.NAMESPACE));
        park.addAttribute("slot", label);
        park.addAttribute("kind", slot.kind() == SlotKind.GROUP ? "group" : "extension");
        park.addAttribute("state", calls.isEmpty() ? "free" : "parked");
        park.addAttribute("calls", Integer.toString(calls.size()));
        String retrieve = retrieveUri(dir, tenant, slot);
        park.addAttribute("retrieve", retrieve);
        for (ParkedCall call : calls) {
            Element c = park.addElement("call");
            c.addAttribute("id", XmppText.clean(call.id()));
            c.addAttribute("since", DateTimeFormatter.ISO_INSTANT.format(call.parkedAt().truncatedTo(ChronoUnit.MILLIS)));
            c.addAttribute("state", call.state().name().toLowerCase(Locale.ROOT));
            c.addAttribute("retrieve", retrieve);
            c.addElement("caller").addAttribute("number", XmppText.clean(call.caller().number()))
                    .addAttribute("name", XmppText.clean(call.caller().displayName()));
            if (!call.parkedBy().isEmpty()) {
                c.addElement("parker").addAttribute("extension", XmppText.clean(call.parkedBy()))
                        .addAttribute("name", parkerName(dir, call));
            }
        }
        return park;
    }

    /**
     * {@code sip:<code>@<domain>}: {@link Directory#retrieveCodeFor} at the tenant's {@link Tenant#sipDomain} (for a
     * tenant without domains, this component's domain without {@code park.}); {@code null} (no attribute) where no code
     * dials the slot.
     */
    String retrieveUri(Directory dir, TenantId tenant, SlotId slot) {
        String sipDomain = dir.tenant(tenant).flatMap(Tenant::sipDomain)
                .orElseGet(() -> domain.startsWith("park.") ? domain.substring(5) : domain);
        return dir.retrieveCodeFor(slot).map(code -> "sip:" + code + "@" + sipDomain).orElse(null);
    }
}
