package org.callpark.internal.xmpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.commands.AdHocCommandManager;
import org.jivesoftware.smackx.commands.RemoteCommand;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * A chat user on a real Smack client: logs in over plain TCP, records every stanza it receives in order, and behaves
 * like a typical client when a contact asks to be added (accepts and subscribes back, if {@link #acceptOffers}).
 */
public final class ChatUser implements AutoCloseable {

    static {
        Roster.setDefaultSubscriptionMode(Roster.SubscriptionMode.manual);
    }

    public final String jid;
    private final XMPPTCPConnection connection;
    private final BlockingQueue<Stanza> inbox = new LinkedBlockingQueue<>();
    private final List<Stanza> seen = new ArrayList<>();
    public volatile boolean acceptOffers = true;

    public ChatUser(String user, String domain, String password, int port) throws Exception {
        this.jid = user + "@" + domain;
        XMPPTCPConnectionConfiguration config = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(domain).setHost("127.0.0.1").setPort(port)
                .setSecurityMode(SecurityMode.disabled).setUsernameAndPassword(user, password)
                .setResource("test").setSendPresence(true).build();
        connection = new XMPPTCPConnection(config);
        connection.setReplyTimeout(5000);
        connection.addSyncStanzaListener(stanza -> {
            if (stanza instanceof Presence p && p.getType() == Presence.Type.subscribe && acceptOffers) {
                send(connection.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.subscribed)
                        .to(p.getFrom().asBareJid()).build());
                send(connection.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.subscribe)
                        .to(p.getFrom().asBareJid()).build());
            }
            inbox.add(stanza);
        }, stanza -> stanza instanceof Presence || stanza instanceof Message);
        connection.connect().login();
    }

    public XMPPTCPConnection connection() {
        return connection;
    }

    public void send(Stanza stanza) {
        try {
            connection.sendStanza(stanza);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asks for {@code slotJid}'s presence (adds it to the roster). */
    public void subscribe(String slotJid) throws Exception {
        send(connection.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.subscribe)
                .to(JidCreate.bareFrom(slotJid)).build());
    }

    public void chat(String to, String body) throws Exception {
        send(connection.getStanzaFactory().buildMessageStanza().ofType(Message.Type.chat)
                .to(JidCreate.from(to)).setBody(body).build());
    }

    /** Runs the XEP-0050 command {@code node} on {@code jid}. */
    public RemoteCommand execute(String jid, String node) throws Exception {
        RemoteCommand command = AdHocCommandManager.getAddHocCommandsManager(connection)
                .getRemoteCommand(JidCreate.from(jid), node);
        command.execute();
        return command;
    }

    /** The next received stanza matching {@code match} within {@code max} (earlier non-matching ones are kept). */
    @SuppressWarnings("unchecked")
    public synchronized <T extends Stanza> T await(Class<T> type, Predicate<T> match, Duration max)
            throws InterruptedException {
        for (Stanza s : seen) {
            if (type.isInstance(s) && match.test((T) s)) {
                seen.remove(s);
                return (T) s;
            }
        }
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Stanza s = left <= 0 ? inbox.poll() : inbox.poll(left, TimeUnit.NANOSECONDS);
            if (s == null) {
                return null;
            }
            if (type.isInstance(s) && match.test((T) s)) {
                return (T) s;
            }
            seen.add(s);
        }
    }

    /** Forgets everything received so far. */
    public synchronized void clear() {
        seen.clear();
        inbox.clear();
    }

    /** Everything received and not yet taken by {@link #await}, after draining for {@code wait}. */
    public synchronized List<Stanza> drain(Duration wait) throws InterruptedException {
        Thread.sleep(wait.toMillis());
        List<Stanza> all = new ArrayList<>(seen);
        inbox.drainTo(all);
        seen.clear();
        return all;
    }

    public static EntityBareJid bare(String jid) {
        try {
            return JidCreate.entityBareFrom(jid);
        } catch (Exception e) {
            throw new IllegalArgumentException(jid, e);
        }
    }

    @Override
    public void close() {
        connection.disconnect();
    }
}
