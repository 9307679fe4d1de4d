package org.callpark.internal.xmpp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.callpark.api.Directory;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.callpark.api.SlotKind;
import org.callpark.api.User;
import org.callpark.internal.xmpp.SlotAccess.SlotView;
import org.callpark.internal.xmpp.RosterSubscriberStore.State;
import org.dom4j.Element;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xmpp.component.Component;
import org.xmpp.component.ComponentException;
import org.xmpp.component.ComponentManager;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Message;
import org.xmpp.packet.Packet;
import org.xmpp.packet.PacketError;
import org.xmpp.packet.Presence;

/**
 * Park slots as XMPP contacts: an Openfire/Tinder {@link Component} serving {@code <ext>@park.<domain>} and
 * {@code <group>@park.<domain>} (or the group's number). It runs unchanged as an external XEP-0114 component (Whack,
 * inside Karaf) and inside Openfire as a plugin; everything it needs from the park service comes through
 * {@link ParkBackend}.
 * <ul>
 * <li>Presence: a slot is {@code dnd} with a status "Parked: Customer (+4930…) by Bob" while a call is parked, else
 * available with status "free"; both carry a {@code <park xmlns='urn:callpark:park:1'>} element (slot, calls, caller,
 * parker, since, retrieve URI). Sent to every subscriber of the slot on each park event, on (re)connect to every
 * subscriber, and in answer to probes.</li>
 * <li>Who may see a slot: the requesting bare JID is looked up in the directory ({@link User#jid()}); the slot JID's
 * node is then resolved in <em>that</em> user's tenant, so nobody ever sees another tenant's calls. An extension's slot
 * is visible to every user of the tenant, a group's slot to its members (the {@code *88} rules). Anyone else gets
 * {@code unsubscribed} or a {@code forbidden}/{@code item-not-found} error.</li>
 * <li>At park time the slot's owners (the extension's user, the group's members) are sent one {@code subscribe} ever
 * per slot (remembered in the {@link RosterSubscriberStore}) and a headline pop-up.</li>
 * <li>Pickup: the XEP-0050 command {@code pickup} or a chat message {@code pickup} to the slot JID rings the user's
 * own extension and connects the parked call there ({@link ParkBackend#sendTo}).</li>
 * </ul>
 * All stanza handling and every send happens on one thread of the component, in arrival order, so that presence to
 * a subscriber never overtakes earlier presence (inbound stanzas arrive on a pool, events on the park dispatcher).
 * Stanzas are dom4j elements throughout; caller names are cleaned of characters XML forbids ({@link XmppText}).
 * <p>
 * The parts: {@link SlotAccess} (who sees which slot), {@link SlotPresence} (the stanzas a slot shows),
 * {@link SubscriptionHandler} (inbound presence), {@link ChatPickup} and one {@link IqHandler} per IQ (ping, disco
 * info and items, the {@code pickup} command), both through {@link Pickup}. This class runs them on its thread and
 * fans park events out to the subscribers.
 */
public class ParkComponent implements Component {

    /** Our namespace for the machine-readable child of presence and headline messages. */
    public static final String NAMESPACE = "urn:callpark:park:1";
    static final String NS_COMMANDS = "http://jabber.org/protocol/commands";
    static final String NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
    static final String NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    static final String NS_PING = "urn:xmpp:ping";
    /** The ad-hoc command node. */
    public static final String PICKUP = "pickup";

    private static final String NAME = "Call Park";
    private static final Logger LOG = LoggerFactory.getLogger(ParkComponent.class);

    private final ParkBackend backend;
    private final SlotAccess access;
    private final SubscriptionHandler subscriptions;
    private final ChatPickup chat;
    private final List<IqHandler> iqHandlers;
    private volatile ComponentManager manager;
    private volatile String domain = "";
    private volatile SlotPresence presence = new SlotPresence("");
    private volatile ExecutorService worker;
    private volatile AutoCloseable listening;

    /**
     * @param backend the park service as this component sees it
     */
    public ParkComponent(ParkBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.access = new SlotAccess(() -> domain);
        Pickup pickup = new Pickup(backend, access, this::submit);
        this.subscriptions = new SubscriptionHandler(backend, access, this::state, this::send);
        this.chat = new ChatPickup(pickup, this::send);
        this.iqHandlers = List.of(
                IqHandler.of(IQ.Type.get, NS_PING, (iq, child) -> send(IQ.createResultIQ(iq))),
                new DiscoInfoHandler(NAME, this::send),
                new DiscoItemsHandler(this::send),
                new PickupCommandHandler(pickup, this::send));
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getDescription() {
        return "Parked calls as presence of park slots; pick up from chat";
    }

    @Override
    public void initialize(JID jid, ComponentManager componentManager) throws ComponentException {
        this.manager = componentManager;
        this.domain = jid.getDomain();
        this.presence = new SlotPresence(jid.getDomain());
    }

    /** The component's own domain, e.g. {@code park.example.com}; empty before {@link #initialize}. */
    public String domain() {
        return domain;
    }

    /**
     * Starts handling: listens to park events and re-sends every slot's state to every subscriber (after a
     * reconnect nobody's view is stale).
     */
    @Override
    public synchronized void start() {
        if (worker == null || worker.isShutdown()) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "callpark-xmpp");
                t.setDaemon(true);
                return t;
            });
        }
        if (listening == null) {
            listening = backend.listen(event -> submit(() -> onEvent(event)));
        }
        submit(this::resendAll);
        LOG.debug("XMPP component {} started", domain);
    }

    /**
     * Stops listening and handling; {@link #start} may follow (a reconnect). While the connection is still up (a clean
     * stop) every subscriber is sent the slots' {@code unavailable} presence, so that nobody keeps a stale "free" or
     * "Parked" while the park service is away.
     */
    @Override
    public synchronized void shutdown() {
        AutoCloseable l = listening;
        listening = null;
        if (l != null) {
            try {
                l.close();
            } catch (Exception e) {
                LOG.debug("closing the event subscription: {}", e.toString());
            }
        }
        submit(this::sendUnavailable);
        ExecutorService w = worker;
        worker = null;
        if (w != null) {
            w.shutdown();
            try {
                w.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.debug("XMPP component {} stopped", domain);
    }

    /**
     * Re-sends every slot's state to every subscriber, on the component's thread (the park core is back after an
     * update: what subscribers were shown meanwhile may be stale).
     */
    public void resend() {
        submit(this::resendAll);
    }

    @Override
    public void processPacket(Packet packet) {
        submit(() -> handle(packet));
    }

    private void submit(Runnable task) {
        ExecutorService w = worker;
        if (w == null) {
            LOG.debug("component not started, dropped a task");
            return;
        }
        try {
            w.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("XMPP component: {}", e.toString(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("component stopping, dropped a task");
        }
    }

    /** Sends {@code packet}; {@code null} (a state that cannot be read now) is nothing to send. */
    private void send(Packet packet) {
        ComponentManager m = manager;
        if (m == null || packet == null) {
            return;
        }
        try {
            m.sendPacket(this, packet);
        } catch (ComponentException | RuntimeException e) {
            LOG.debug("could not send to {}: {}", packet.getTo(), e.toString());
        }
    }

    // ---------------------------------------------------------------- inbound

    private void handle(Packet packet) {
        try {
            if (packet instanceof Presence p) {
                subscriptions.handle(p);
            } else if (packet instanceof Message m) {
                chat.handle(m);
            } else if (packet instanceof IQ iq) {
                handleIq(iq);
            }
        } catch (IllegalStateException e) {
            // the park service is not there (yet): no directory was ever seen, or no cluster
            LOG.debug("{} from {} not answered: {}", packet.getElement().getName(), packet.getFrom(), e.getMessage());
        }
    }

    private void handleIq(IQ iq) {
        if (iq.getType() == IQ.Type.result || iq.getType() == IQ.Type.error) {
            return;
        }
        Element child = iq.getChildElement();
        String ns = child == null ? "" : child.getNamespaceURI();
        for (IqHandler h : iqHandlers) {
            if (h.type() == iq.getType() && h.namespace().equals(ns)) {
                h.handle(iq, child);
                return;
            }
        }
        send(IqHandler.error(iq, PacketError.Condition.service_unavailable, null));
    }

    // ---------------------------------------------------------------- outbound state

    private void onEvent(ParkEvent event) {
        if (event.type() == ParkEvent.Type.MOVED) {
            return; // another node carries it now: nothing a contact shows changed
        }
        ParkedCall call = event.call();
        Directory dir = backend.directory();
        SlotId slot = call.slot();
        Set<String> nodes = new LinkedHashSet<>();
        nodes.add(slot.name());
        ParkGroup group = null;
        if (slot.kind() == SlotKind.GROUP) {
            group = dir.parkGroup(slot.tenant(), slot.name()).orElse(null);
            if (group != null && !group.number().isEmpty()) {
                nodes.add(group.number());
            }
        }
        List<ParkedCall> calls = null;
        fanOut:
        for (String node : nodes) {
            String slotJid = presence.slotJid(node).toBareJID();
            for (Map.Entry<String, State> e : backend.subscribers().subscribers(slotJid).entrySet()) {
                if (e.getValue() != State.SUBSCRIBED) {
                    continue;
                }
                Optional<SlotView> view = access.visible(dir, e.getKey(), node, slot);
                if (view.isPresent()) {
                    if (calls == null) {
                        calls = calls(slot);
                        if (calls == null) {
                            break fanOut; // cannot be read now: sent again once the park service is back
                        }
                    }
                    send(presence.state(backend.directory(), view.get(), new JID(e.getKey()), calls));
                }
            }
        }
        if (event.type() == ParkEvent.Type.PARKED) {
            offerAndNotify(dir, call, group);
        }
    }

    /** The slot's owners (the extension's user, the group's members) are offered it once, and get a headline. */
    private void offerAndNotify(Directory dir, ParkedCall call, ParkGroup group) {
        SlotId slot = call.slot();
        List<User> owners = new ArrayList<>();
        String node;
        if (slot.kind() == SlotKind.EXTENSION) {
            dir.user(slot.tenant(), slot.name()).ifPresent(owners::add);
            node = slot.name();
        } else {
            if (group == null) {
                return;
            }
            group.members().forEach(m -> dir.user(slot.tenant(), m).ifPresent(owners::add));
            node = group.name().toLowerCase(Locale.ROOT);
        }
        SlotPresence render = presence;
        JID from = render.slotJid(node);
        for (User owner : owners) {
            String bare = SlotAccess.bare(owner.jid());
            if (bare == null) {
                continue;
            }
            JID to = new JID(bare);
            if (backend.subscribers().offer(from.toBareJID(), bare)) {
                send(SubscriptionHandler.subscription(from, to, Presence.Type.subscribe));
            }
            send(render.headline(dir, call, group, from, to));
        }
    }

    /** The slot's live calls, or {@code null} if they cannot be read now (park service away, cluster lost). */
    private List<ParkedCall> calls(SlotId slot) {
        try {
            return backend.calls(slot);
        } catch (ParkException e) {
            LOG.debug("cannot read slot {}: {}", slot, e.getMessage());
            return null;
        }
    }

    /**
     * The slot's current presence for one subscriber, or {@code null} (nothing is sent) while its calls cannot be
     * read: better no answer than a "free" that may be wrong; every slot is re-sent when the service is back.
     */
    private Presence state(SlotView view, JID to) {
        List<ParkedCall> calls = calls(view.slot());
        return calls == null ? null : presence.state(backend.directory(), view, to, calls);
    }

    private void sendUnavailable() {
        for (String slotJid : backend.subscribers().slots()) {
            for (Map.Entry<String, State> e : backend.subscribers().subscribers(slotJid).entrySet()) {
                if (e.getValue() == State.SUBSCRIBED) {
                    try {
                        Presence p = new Presence(Presence.Type.unavailable);
                        p.setFrom(new JID(slotJid));
                        p.setTo(new JID(e.getKey()));
                        send(p);
                    } catch (IllegalArgumentException ex) {
                        LOG.debug("bad JID in the subscriber store: {}", ex.getMessage());
                    }
                }
            }
        }
    }

    /** Every subscriber gets the current state of every slot it subscribed to. */
    private void resendAll() {
        Directory dir = backend.directory();
        int sent = 0;
        for (String slotJid : backend.subscribers().slots()) {
            JID slot;
            try {
                slot = new JID(slotJid);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (!domain.equalsIgnoreCase(slot.getDomain()) || slot.getNode() == null) {
                continue;
            }
            for (Map.Entry<String, State> e : backend.subscribers().subscribers(slotJid).entrySet()) {
                if (e.getValue() != State.SUBSCRIBED) {
                    continue;
                }
                try {
                    JID to = new JID(e.getKey());
                    Presence p = state(access.view(dir, to, slot.getNode()), to);
                    if (p != null) {
                        send(p);
                        sent++;
                    }
                } catch (ParkException | IllegalArgumentException ex) {
                    LOG.debug("no state for {} on {}: {}", e.getKey(), slotJid, ex.getMessage());
                }
            }
        }
        LOG.debug("re-sent slot state to {} subscriptions", sent);
    }
}
