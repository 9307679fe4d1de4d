package org.callpark.internal.xmpp;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.callpark.api.Directory;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.api.SlotKind;
import org.callpark.api.Tenant;
import org.callpark.api.User;
import org.callpark.internal.xmpp.SubscriberStore.State;
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
 * per slot (remembered in the {@link SubscriberStore}) and a headline pop-up.</li>
 * <li>Pickup: the XEP-0050 command {@code pickup} or a chat message {@code pickup} to the slot JID rings the user's
 * own extension and connects the parked call there ({@link ParkBackend#sendTo}).</li>
 * </ul>
 * All stanza handling and every send happens on one thread of the component, in arrival order, so that presence to
 * a subscriber never overtakes earlier presence (inbound stanzas arrive on a pool, events on the park dispatcher).
 * Stanzas are dom4j elements throughout; caller names are cleaned of characters XML forbids ({@link XmppText}).
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
    /** How long a pickup rings the user's phone. */
    static final Duration RING_FOR = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(ParkComponent.class);

    private final ParkBackend backend;
    private volatile ComponentManager manager;
    private volatile String domain = "";
    private volatile ExecutorService worker;
    private volatile AutoCloseable listening;
    private Directory indexed;
    private Map<String, User> usersByJid = Map.of();

    /**
     * @param backend the park service as this component sees it
     */
    public ParkComponent(ParkBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    @Override
    public String getName() {
        return "Call Park";
    }

    @Override
    public String getDescription() {
        return "Parked calls as presence of park slots; pick up from chat";
    }

    @Override
    public void initialize(JID jid, ComponentManager componentManager) throws ComponentException {
        this.manager = componentManager;
        this.domain = jid.getDomain();
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

    private void send(Packet packet) {
        ComponentManager m = manager;
        if (m == null) {
            return;
        }
        try {
            m.sendPacket(this, packet);
        } catch (ComponentException | RuntimeException e) {
            LOG.debug("could not send to {}: {}", packet.getTo(), e.toString());
        }
    }

    // ---------------------------------------------------------------- who is who

    /** A user's view of one slot JID: the slot in the user's tenant and whether the user may see it. */
    record SlotView(User user, Tenant tenant, SlotId slot, String node, String label, ParkGroup group) {
    }

    private Optional<User> user(Directory dir, JID jid) {
        if (jid == null || jid.getNode() == null) {
            return Optional.empty();
        }
        if (dir != indexed) {
            Map<String, User> byJid = new HashMap<>();
            for (User u : dir.allUsers()) {
                String bare = bare(u.jid());
                if (bare != null) {
                    byJid.putIfAbsent(bare, u);
                }
            }
            usersByJid = byJid;
            indexed = dir;
        }
        return Optional.ofNullable(usersByJid.get(jid.toBareJID().toLowerCase(Locale.ROOT)));
    }

    private static String bare(String jid) {
        if (jid == null || jid.isBlank()) {
            return null;
        }
        try {
            return new JID(jid.trim()).toBareJID().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Resolves {@code slotNode} in the tenant of {@code requester}.
     *
     * @throws ParkException {@code NOT_PERMITTED} for a requester the directory does not know or a group the
     *                       requester is not a member of; {@code NOT_FOUND} for a slot the requester's tenant lacks
     */
    SlotView view(Directory dir, JID requester, String slotNode) throws ParkException {
        User user = user(dir, requester).orElseThrow(() -> new ParkException(ParkException.Reason.NOT_PERMITTED,
                "your address " + (requester == null ? "" : requester.toBareJID()) + " is not in the directory"));
        Tenant tenant = dir.tenant(user.tenant()).orElseThrow(
                () -> new ParkException(ParkException.Reason.NOT_FOUND, "no tenant " + user.tenant()));
        if (slotNode == null || slotNode.isEmpty()) {
            throw new ParkException(ParkException.Reason.NOT_FOUND, "address a slot, e.g. 102@" + domain);
        }
        if (dir.user(tenant.id(), slotNode).isPresent()) {
            return new SlotView(user, tenant, SlotId.extension(tenant.id(), slotNode), slotNode, slotNode, null);
        }
        SlotId slot;
        try {
            slot = dir.slotFor(tenant.id(), user.extension(), RetrieveTarget.group(slotNode)); // the retrieve rules
        } catch (ParkException e) {
            // the same refusal, in chat words
            throw new ParkException(e.reason(), e.reason() == ParkException.Reason.NOT_FOUND
                    ? "no park slot '" + slotNode + "'"
                    : "only members of park group " + dir.parkGroup(tenant.id(), slotNode).map(ParkGroup::name)
                            .orElse(slotNode) + " may see or pick up its calls");
        }
        ParkGroup group = dir.parkGroup(tenant.id(), slot.name()).orElseThrow();
        return new SlotView(user, tenant, slot, slotNode, group.name(), group);
    }

    private JID slotJid(String node) {
        return new JID(node, domain, null);
    }

    // ---------------------------------------------------------------- inbound

    private void handle(Packet packet) {
        if (packet instanceof Presence presence) {
            handlePresence(presence);
        } else if (packet instanceof Message message) {
            handleMessage(message);
        } else if (packet instanceof IQ iq) {
            handleIq(iq);
        }
    }

    private void handlePresence(Presence in) {
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
            view = view(backend.directory(), from, to.getNode());
        } catch (ParkException e) {
            LOG.debug("presence {} from {} to {} refused: {}", type, user, slot, e.getMessage());
            if (type != Presence.Type.unsubscribed) {
                send(subscription(to, from.asBareJID(), Presence.Type.unsubscribed));
            }
            return;
        }
        if (type == Presence.Type.subscribe) {
            send(subscription(to, from.asBareJID(), Presence.Type.subscribed));
            backend.subscribers().set(slot, user, State.SUBSCRIBED);
            send(state(view, from.asBareJID()));
        } else if (type == Presence.Type.subscribed) {
            // The user accepted our offer; clients that accept also subscribe back, which is what brings presence.
            backend.subscribers().set(slot, user, State.SUBSCRIBED);
            send(state(view, from.asBareJID()));
        } else if (type == Presence.Type.unsubscribe || type == Presence.Type.unsubscribed) {
            backend.subscribers().set(slot, user, State.DECLINED);
            if (type == Presence.Type.unsubscribe) {
                send(subscription(to, from.asBareJID(), Presence.Type.unsubscribed));
            }
        } else if (type == Presence.Type.probe) {
            // The server asks on behalf of a contact with a subscription: answer from the current state, and heal
            // the store if it lost the subscriber (e.g. the whole cluster restarted).
            if (backend.subscribers().subscribers(slot).get(user) != State.SUBSCRIBED) {
                backend.subscribers().set(slot, user, State.SUBSCRIBED);
            }
            send(state(view, from));
        } else if (type == null) {
            // Directed available presence: answer it directly.
            send(state(view, from));
        }
    }

    private static Presence subscription(JID from, JID to, Presence.Type type) {
        Presence p = new Presence(type);
        p.setFrom(from.asBareJID());
        p.setTo(to);
        return p;
    }

    private void handleMessage(Message in) {
        if (in.getType() == Message.Type.error || in.getType() == Message.Type.headline || in.getFrom() == null) {
            return;
        }
        String body = in.getBody() == null ? "" : in.getBody().trim();
        if (body.isEmpty()) {
            return; // chat states, receipts
        }
        JID to = in.getTo();
        if (!body.equalsIgnoreCase(PICKUP)) {
            reply(in, "Send 'pickup' to have your phone rung and connected to the call parked here.");
            return;
        }
        pickup(in.getFrom(), to == null ? null : to.getNode(), new Outcome() {
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
        send(m);
    }

    private void handleIq(IQ iq) {
        if (iq.getType() == IQ.Type.result || iq.getType() == IQ.Type.error) {
            return;
        }
        Element child = iq.getChildElement();
        String ns = child == null ? "" : child.getNamespaceURI();
        if (iq.getType() == IQ.Type.get && NS_PING.equals(ns)) {
            send(IQ.createResultIQ(iq));
        } else if (iq.getType() == IQ.Type.get && NS_DISCO_INFO.equals(ns)) {
            discoInfo(iq, child.attributeValue("node"));
        } else if (iq.getType() == IQ.Type.get && NS_DISCO_ITEMS.equals(ns)) {
            discoItems(iq, child.attributeValue("node"));
        } else if (iq.getType() == IQ.Type.set && NS_COMMANDS.equals(ns)) {
            command(iq, child);
        } else {
            send(error(iq, PacketError.Condition.service_unavailable, null));
        }
    }

    private void discoInfo(IQ iq, String node) {
        IQ result = IQ.createResultIQ(iq);
        Element query = result.setChildElement("query", NS_DISCO_INFO);
        if (node != null) {
            query.addAttribute("node", node);
        }
        if (PICKUP.equals(node)) {
            query.addElement("identity").addAttribute("category", "automation").addAttribute("type", "command-node")
                    .addAttribute("name", "Pick up the parked call");
            query.addElement("feature").addAttribute("var", NS_COMMANDS);
        } else if (node == null) {
            String slot = iq.getTo() == null ? null : iq.getTo().getNode();
            query.addElement("identity").addAttribute("category", slot == null ? "component" : "automation")
                    .addAttribute("type", slot == null ? "generic" : "command-list")
                    .addAttribute("name", slot == null ? getName() : "Park slot " + XmppText.clean(slot));
            for (String f : List.of(NS_DISCO_INFO, NS_DISCO_ITEMS, NS_COMMANDS, NS_PING, NAMESPACE)) {
                query.addElement("feature").addAttribute("var", f);
            }
        } else {
            send(error(iq, PacketError.Condition.item_not_found, null));
            return;
        }
        send(result);
    }

    private void discoItems(IQ iq, String node) {
        IQ result = IQ.createResultIQ(iq);
        Element query = result.setChildElement("query", NS_DISCO_ITEMS);
        if (node != null) {
            query.addAttribute("node", node);
        }
        if (NS_COMMANDS.equals(node) && iq.getTo() != null && iq.getTo().getNode() != null) {
            query.addElement("item").addAttribute("jid", iq.getTo().toBareJID()).addAttribute("node", PICKUP)
                    .addAttribute("name", "Pick up the parked call");
        }
        send(result);
    }

    private void command(IQ iq, Element command) {
        String node = command.attributeValue("node");
        String action = command.attributeValue("action");
        if (!PICKUP.equals(node)) {
            send(error(iq, PacketError.Condition.item_not_found, "unknown command '" + node + "'"));
            return;
        }
        String session = command.attributeValue("sessionid");
        String sessionId = session == null || session.isBlank() ? UUID.randomUUID().toString() : session;
        if ("cancel".equals(action)) {
            send(commandResult(iq, sessionId, "canceled", null, null));
            return;
        }
        if (action != null && !"execute".equals(action) && !"complete".equals(action)) {
            send(error(iq, PacketError.Condition.bad_request, "pickup has one stage: execute"));
            return;
        }
        JID from = iq.getFrom();
        pickup(from, iq.getTo() == null ? null : iq.getTo().getNode(), new Outcome() {
            @Override
            public void accepted(String text) {
                send(commandResult(iq, sessionId, "completed", "info", text));
            }

            @Override
            public void refused(PacketError.Condition condition, String text) {
                if (condition == null) {
                    send(commandResult(iq, sessionId, "completed", "error", text));
                } else {
                    send(error(iq, condition, text));
                }
            }

            @Override
            public void finished(String text) {
                Message m = new Message();
                m.setType(Message.Type.chat);
                m.setFrom(iq.getTo());
                m.setTo(from);
                m.setBody(text);
                send(m);
            }
        });
    }

    private static IQ commandResult(IQ iq, String sessionId, String status, String noteType, String text) {
        IQ result = IQ.createResultIQ(iq);
        Element c = result.setChildElement("command", NS_COMMANDS);
        c.addAttribute("node", PICKUP).addAttribute("sessionid", sessionId).addAttribute("status", status);
        if (text != null) {
            c.addElement("note").addAttribute("type", noteType).setText(text);
        }
        return result;
    }

    private static IQ error(IQ iq, PacketError.Condition condition, String text) {
        IQ result = IQ.createResultIQ(iq);
        if (iq.getChildElement() != null) {
            result.setChildElement(iq.getChildElement().createCopy());
        }
        result.setError(text == null ? new PacketError(condition)
                : new PacketError(condition, condition.getDefaultType(), text));
        return result;
    }

    // ---------------------------------------------------------------- pickup

    /** How a pickup went: at once (accepted or refused), then, if accepted, its end. */
    interface Outcome {
        void accepted(String text);

        /** @param condition the stanza error, or {@code null} for a refusal that is an answer, not an error */
        void refused(PacketError.Condition condition, String text);

        void finished(String text);
    }

    private void pickup(JID from, String slotNode, Outcome outcome) {
        SlotView view;
        RetrieveRequest request;
        try {
            view = view(backend.directory(), from, slotNode);
            RetrieveTarget target = view.group() != null ? RetrieveTarget.group(view.group().name())
                    : RetrieveTarget.extension(view.slot().name());
            request = new RetrieveRequest(view.tenant().id(), view.user().extension(), target);
        } catch (ParkException e) {
            outcome.refused(condition(e), e.getMessage());
            return;
        }
        String ext = view.user().extension();
        try {
            backend.sendTo(request, ext, RING_FOR).whenComplete((call, failure) -> submit(() -> {
                if (failure == null) {
                    outcome.finished("Connected: the call from " + describe(call) + " is on your phone (" + ext + ").");
                } else {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    outcome.finished("Pickup failed: " + (cause instanceof ParkException pe ? pe.getMessage()
                            : "internal error") + ". The call stays parked on " + view.label() + ".");
                }
            }));
        } catch (ParkException e) {
            outcome.refused(condition(e), "Pickup failed: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.warn("pickup on {} for {}: {}", view.slot(), ext, e.toString(), e);
            outcome.refused(PacketError.Condition.internal_server_error, "Pickup failed: internal error");
            return;
        }
        outcome.accepted("Ringing your phone (" + ext + "): answer it to take the call parked on " + view.label()
                + ".");
    }

    /** The stanza error for a refused request, or {@code null} where the refusal is just an answer. */
    static PacketError.Condition condition(ParkException e) {
        return switch (e.reason()) {
            case NOT_PERMITTED -> PacketError.Condition.forbidden;
            case NOT_FOUND -> PacketError.Condition.item_not_found;
            case INVALID_ARGUMENT -> PacketError.Condition.bad_request;
            case STORE_UNAVAILABLE -> PacketError.Condition.service_unavailable;
            // Nothing parked any more, the user's phone cannot be called: an answer, not a protocol error.
            case SLOT_EMPTY, CONFLICT, UNREACHABLE, NO_FREE_SLOT, SLOT_OCCUPIED, MEDIA_FAILURE -> null;
        };
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
        for (String node : nodes) {
            String slotJid = slotJid(node).toBareJID();
            for (Map.Entry<String, State> e : backend.subscribers().subscribers(slotJid).entrySet()) {
                if (e.getValue() != State.SUBSCRIBED) {
                    continue;
                }
                Optional<SlotView> view = visible(dir, e.getKey(), node, slot);
                if (view.isPresent()) {
                    if (calls == null) {
                        calls = calls(slot);
                    }
                    send(state(view.get(), new JID(e.getKey()), calls));
                }
            }
        }
        if (event.type() == ParkEvent.Type.PARKED) {
            offerAndNotify(dir, call, group);
        }
    }

    /** The user's view of {@code node} if it is {@code slot} (same tenant, allowed). */
    private Optional<SlotView> visible(Directory dir, String userJid, String node, SlotId slot) {
        try {
            SlotView view = view(dir, new JID(userJid), node);
            return view.slot().equals(slot) ? Optional.of(view) : Optional.empty();
        } catch (ParkException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

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
        JID from = slotJid(node);
        for (User owner : owners) {
            String bare = bare(owner.jid());
            if (bare == null) {
                continue;
            }
            JID to = new JID(bare);
            if (backend.subscribers().offer(from.toBareJID(), bare)) {
                send(subscription(from, to, Presence.Type.subscribe));
            }
            Message m = new Message();
            m.setType(Message.Type.headline);
            m.setFrom(from);
            m.setTo(to);
            String label = group != null ? group.name() : slot.name();
            m.setSubject("Parked call");
            m.setBody("Call from " + describe(call) + " parked on " + label + " \u2014 "
                    + dir.retrieveCodeFor(slot).map(code -> "dial " + code + " or ").orElse("") + "reply 'pickup'");
            m.getElement().add(parkElement(dir, call.tenant(), slot, label, List.of(call)));
            send(m);
        }
    }

    private List<ParkedCall> calls(SlotId slot) {
        try {
            return backend.calls(slot);
        } catch (ParkException e) {
            LOG.debug("cannot read slot {}: {}", slot, e.getMessage());
            return List.of();
        }
    }

    private Presence state(SlotView view, JID to) {
        return state(view, to, calls(view.slot()));
    }

    /** The slot's presence for one subscriber: dnd + "Parked: …" while a call waits, else available "free". */
    Presence state(SlotView view, JID to, List<ParkedCall> calls) {
        Presence p = new Presence();
        p.setFrom(slotJid(view.node()));
        p.setTo(to);
        if (calls.isEmpty()) {
            p.setStatus("free");
        } else {
            p.setShow(Presence.Show.dnd);
            ParkedCall first = calls.get(0);
            String status = "Parked: " + describe(first);
            String parker = parkerName(backend.directory(), first);
            if (!parker.isEmpty()) {
                status += " by " + parker;
            }
            if (calls.size() > 1) {
                status += " (+" + (calls.size() - 1) + " more)";
            }
            p.setStatus(status);
        }
        p.getElement().add(parkElement(backend.directory(), view.tenant().id(), view.slot(), view.label(), calls));
        return p;
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
    private Element parkElement(Directory dir, org.callpark.api.TenantId tenant, SlotId slot, String label,
            List<ParkedCall> calls) {
        Element park = org.dom4j.DocumentHelper.createElement(org.dom4j.QName.get("park", NAMESPACE));
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
    private String retrieveUri(Directory dir, org.callpark.api.TenantId tenant, SlotId slot) {
        String sipDomain = dir.tenant(tenant).flatMap(Tenant::sipDomain)
                .orElseGet(() -> domain.startsWith("park.") ? domain.substring(5) : domain);
        return dir.retrieveCodeFor(slot).map(code -> "sip:" + code + "@" + sipDomain).orElse(null);
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
                    send(state(view(dir, to, slot.getNode()), to));
                    sent++;
                } catch (ParkException | IllegalArgumentException ex) {
                    LOG.debug("no state for {} on {}: {}", e.getKey(), slotJid, ex.getMessage());
                }
            }
        }
        LOG.debug("re-sent slot state to {} subscriptions", sent);
    }
}
