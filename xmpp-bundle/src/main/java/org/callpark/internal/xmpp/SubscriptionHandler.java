package org.callpark.internal.xmpp;

import java.util.function.BiFunction;
import java.util.function.Consumer;

import org.callpark.api.ParkException;
import org.callpark.internal.xmpp.SlotAccess.SlotView;
import org.callpark.internal.xmpp.RosterSubscriberStore.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xmpp.packet.JID;
import org.xmpp.packet.Packet;
import org.xmpp.packet.Presence;

/**
 * Presence to a slot JID (RFC 6121): subscribe, subscribed, unsubscribe(d), probe and directed presence, remembered in
 * the {@link RosterSubscriberStore} and answered with the slot's current state. Whoever may not see the slot
 * ({@link SlotAccess}) gets {@code unsubscribed}.
 */
final class SubscriptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionHandler.class);

    private final ParkBackend backend;
    private final SlotAccess access;
    private final BiFunction<SlotView, JID, Presence> state;
    private final Consumer<Packet> send;

    /**
     * @param state the slot's current presence for a subscriber
     * @param send  the component's send
     */
    SubscriptionHandler(ParkBackend backend, SlotAccess access, BiFunction<SlotView, JID, Presence> state,
            Consumer<Packet> send) {
        this.backend = backend;
        this.access = access;
        this.state = state;
        this.send = send;
    }

    void handle(Presence in) {
        JID from = in.getFrom();
        JID to = in.getTo();
        if (from == null || to == null || to.getNode() == null) {
            return;
        }
        Presence.Type type = in.getType();
        if (type == Presence.Type.error || type == Presence.Type.unavailable) {
            return;
        }
        String slot = to.toBareJID();
        String user = from.toBareJID();
        SlotView view;
        try {
            view = access.view(backend.directory(), from, to.getNode());
        } catch (ParkException e) {
            LOG.debug("presence {} from {} to {} refused: {}", type, user, slot, e.getMessage());
            if (type != Presence.Type.unsubscribed) {
                send.accept(subscription(to, from.asBareJID(), Presence.Type.unsubscribed));
            }
            return;
        }
        if (type == Presence.Type.subscribe) {
            send.accept(subscription(to, from.asBareJID(), Presence.Type.subscribed));
            backend.subscribers().set(slot, user, State.SUBSCRIBED);
            send.accept(state.apply(view, from.asBareJID()));
        } else if (type == Presence.Type.subscribed) {
            // The user accepted our offer; clients that accept also subscribe back, which is what brings presence.
            backend.subscribers().set(slot, user, State.SUBSCRIBED);
            send.accept(state.apply(view, from.asBareJID()));
        } else if (type == Presence.Type.unsubscribe || type == Presence.Type.unsubscribed) {
            backend.subscribers().set(slot, user, State.DECLINED);
            if (type == Presence.Type.unsubscribe) {
                send.accept(subscription(to, from.asBareJID(), Presence.Type.unsubscribed));
            }
        } else if (type == Presence.Type.probe) {
            // The server asks on behalf of a contact with a subscription: answer from the current state, and heal
            // the store if it lost the subscriber (e.g. the whole cluster restarted).
            if (backend.subscribers().subscribers(slot).get(user) != State.SUBSCRIBED) {
                backend.subscribers().set(slot, user, State.SUBSCRIBED);
            }
            send.accept(state.apply(view, from));
        } else if (type == null) {
            // Directed available presence: answer it directly.
            send.accept(state.apply(view, from));
        }
    }

    /** A subscription stanza from a slot's bare JID. */
    static Presence subscription(JID from, JID to, Presence.Type type) {
        Presence p = new Presence(type);
        p.setFrom(from.asBareJID());
        p.setTo(to);
        return p;
    }
}
