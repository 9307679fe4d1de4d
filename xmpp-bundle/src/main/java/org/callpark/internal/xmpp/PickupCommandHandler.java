package org.callpark.internal.xmpp;

import java.util.UUID;
import java.util.function.Consumer;

import org.dom4j.Element;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.PacketError;

/**
 * The XEP-0050 command {@code pickup} on a slot JID: one stage ({@code execute}/{@code complete}, or {@code cancel}).
 * The IQ result says "Ringing your phone …" or why not (a stanza error where the request was wrong, a completed command
 * with an error note where it is just an answer); the end follows as a chat message.
 */
final class PickupCommandHandler implements IqHandler {

    private final Pickup pickup;
    private final Consumer<Packet> send;

    PickupCommandHandler(Pickup pickup, Consumer<Packet> send) {
        this.pickup = pickup;
        this.send = send;
    }

    @Override
    public IQ.Type type() {
        return IQ.Type.set;
    }

    @Override
    public String namespace() {
        return ParkComponent.NS_COMMANDS;
    }

    @Override
    public void handle(IQ iq, Element command) {
        String node = command.attributeValue("node");
        String action = command.attributeValue("action");
        if (!ParkComponent.PICKUP.equals(node)) {
            send.accept(IqHandler.error(iq, PacketError.Condition.item_not_found, "unknown command '" + node + "'"));
            return;
        }
        String session = command.attributeValue("sessionid");
        String sessionId = session == null || session.isBlank() ? UUID.randomUUID().toString() : session;
        if ("cancel".equals(action)) {
            send.accept(commandResult(iq, sessionId, "canceled", null, null));
            return;
        }
        if (action != null && !"execute".equals(action) && !"complete".equals(action)) {
            send.accept(IqHandler.error(iq, PacketError.Condition.bad_request, "pickup has one stage: execute"));
            return;
        }
        JID from = iq.getFrom();
        pickup.run(from, iq.getTo() == null ? null : iq.getTo().getNode(), new Pickup.Outcome() {
            @Override
            public void accepted(String text) {
                send.accept(commandResult(iq, sessionId, "completed", "info", text));
            }

            @Override
            public void refused(PacketError.Condition condition, String text) {
                if (condition == null) {
                    send.accept(commandResult(iq, sessionId, "completed", "error", text));
                } else {
                    send.accept(IqHandler.error(iq, condition, text));
                }
            }

            @Override
            public void finished(String text) {
                Message m = new Message();
                m.setType(Message.Type.chat);
                m.setFrom(iq.getTo());
                m.setTo(from);
                m.setBody(text);
                send.accept(m);
            }
        });
    }

    private static IQ commandResult(IQ iq, String sessionId, String status, String noteType, String text) {
        IQ result = IQ.createResultIQ(iq);
        Element c = result.setChildElement("command", ParkComponent.NS_COMMANDS);
        c.addAttribute("node", ParkComponent.PICKUP).addAttribute("sessionid", sessionId).addAttribute("status", status);
        if (text != null) {
            c.addElement("note").addAttribute("type", noteType).setText(text);
        }
        return result;
    }
}
