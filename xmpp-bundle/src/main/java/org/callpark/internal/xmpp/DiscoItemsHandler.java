package org.callpark.internal.xmpp;

import java.util.function.Consumer;

import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.Packet;

/** XEP-0030 {@code disco#items}: a slot's command list (XEP-0050) holds {@code pickup}; nothing else has items. */
final class DiscoItemsHandler implements IqHandler {

    private final Consumer<Packet> send;

    DiscoItemsHandler(Consumer<Packet> send) {
        this.send = send;
    }

    @Override
    public IQ.Type type() {
        return IQ.Type.get;
    }

    @Override
    public String namespace() {
        return ParkComponent.NS_DISCO_ITEMS;
    }

    @Override
    public void handle(IQ iq, Element child) {
        String node = child.attributeValue("node");
        IQ result = IqHandler.queryResult(iq, ParkComponent.NS_DISCO_ITEMS);
        Element query = result.getChildElement();
        if (ParkComponent.NS_COMMANDS.equals(node) && iq.getTo() != null && iq.getTo().getNode() != null) {
            query.addElement("item").addAttribute("jid", iq.getTo().toBareJID())
                    .addAttribute("node", ParkComponent.PICKUP).addAttribute("name", "Pick up the parked call");
        }
        send.accept(result);
    }
}
