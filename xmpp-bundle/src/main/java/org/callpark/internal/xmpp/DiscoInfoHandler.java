package org.callpark.internal.xmpp;

import java.util.List;
import java.util.function.Consumer;

import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.Packet;
import org.xmpp.packet.PacketError;

/**
 * XEP-0030 {@code disco#info}: the component (category component), a slot (automation command-list) and the
 * {@code pickup} command node.
 */
final class DiscoInfoHandler implements IqHandler {

    private final String name;
    private final Consumer<Packet> send;

    /**
     * @param name the component's name, its identity
     * @param send the component's send
     */
    DiscoInfoHandler(String name, Consumer<Packet> send) {
        this.name = name;
        this.send = send;
    }

    @Override
    public IQ.Type type() {
        return IQ.Type.get;
    }

    @Override
    public String namespace() {
        return ParkComponent.NS_DISCO_INFO;
    }

    @Override
    public void handle(IQ iq, Element child) {
        String node = child.attributeValue("node");
        IQ result = IqHandler.queryResult(iq, ParkComponent.NS_DISCO_INFO);
        Element query = result.getChildElement();
        if (ParkComponent.PICKUP.equals(node)) {
            query.addElement("identity").addAttribute("category", "automation").addAttribute("type", "command-node")
                    .addAttribute("name", "Pick up the parked call");
            query.addElement("feature").addAttribute("var", ParkComponent.NS_COMMANDS);
        } else if (node == null) {
            String slot = iq.getTo() == null ? null : iq.getTo().getNode();
            query.addElement("identity").addAttribute("category", slot == null ? "component" : "automation")
                    .addAttribute("type", slot == null ? "generic" : "command-list")
                    .addAttribute("name", slot == null ? name : "Park slot " + XmppText.clean(slot));
            for (String f : List.of(ParkComponent.NS_DISCO_INFO, ParkComponent.NS_DISCO_ITEMS,
                    ParkComponent.NS_COMMANDS, ParkComponent.NS_PING, ParkComponent.NAMESPACE)) {
                query.addElement("feature").addAttribute("var", f);
            }
        } else {
            send.accept(IqHandler.error(iq, PacketError.Condition.item_not_found, null));
            return;
        }
        send.accept(result);
    }
}
