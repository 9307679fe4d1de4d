package org.callpark.internal.xmpp;

import java.util.function.Consumer;

import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.PacketError;

/**
 * A chat message to a slot JID: {@code pickup} picks the call up ({@link Pickup}), every answer and the end come back
 * as replies in the same thread; any other text gets a one-line help.
 */
final class ChatPickup {

    private final Pickup pickup;
    private final Consumer<Packet> send;

    ChatPickup(Pickup pickup, Consumer<Packet> send) {
        this.pickup = pickup;
        this.send = send;
    }

    void handle(Message in) {
        if (in.getType() == Message.Type.error || in.getType() == Message.Type.headline || in.getFrom() == null) {
            return;
        }
        String body = in.getBody() == null ? "" : in.getBody().trim();
        if (body.isEmpty()) {
            return; // chat states, receipts
        }
        JID to = in.getTo();
        if (!body.equalsIgnoreCase(ParkComponent.PICKUP)) {
            reply(in, "Send 'pickup' to have your phone rung and connected to the call parked here.");
            return;
        }
        pickup.run(in.getFrom(), to == null ? null : to.getNode(), new Pickup.Outcome() {
            @Override
            public void accepted(String text) {
                reply(in, text);
            }

            @Override
            public void refused(PacketError.Condition condition, String text) {
                reply(in, text);
            }

            @Override
            public void finished(String text) {
                reply(in, text);
            }
        });
    }

    private void reply(Message in, String text) {
        Message m = new Message();
        m.setType(in.getType() == null ? Message.Type.normal : in.getType());
        m.setFrom(in.getTo());
        m.setTo(in.getFrom());
        if (in.getThread() != null) {
            m.setThread(in.getThread());
        }
        m.setBody(text);
        send.accept(m);
    }
}
