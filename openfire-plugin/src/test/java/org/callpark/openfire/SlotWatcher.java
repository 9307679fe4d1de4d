package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.impl.JidCreate;

/** A Smack user who puts a slot JID in the roster and records, in order, the presence and messages it sends. */
final class SlotWatcher implements AutoCloseable {

    final XMPPTCPConnection connection;
    final BareJid slot;
    private final BlockingQueue<Presence> presence = new LinkedBlockingQueue<>();
    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();

    private SlotWatcher(XMPPTCPConnection connection, BareJid slot) {
        this.connection = connection;
        this.slot = slot;
    }

    /** Logs in and starts recording what {@code slotJid} sends; {@link #subscribe} adds it to the roster. */
    static SlotWatcher login(EmbeddedOpenfire openfire, String user, String password, String slotJid)
            throws Exception {
        SlotWatcher w = new SlotWatcher(SmackClients.connect(openfire, user, password), JidCreate.bareFrom(slotJid));
        w.connection.addSyncStanzaListener(p -> w.presence.add((Presence) p),
                new AndFilter(StanzaTypeFilter.PRESENCE, FromMatchesFilter.createBare(w.slot)));
        w.connection.addSyncStanzaListener(m -> w.messages.add((Message) m),
                new AndFilter(StanzaTypeFilter.MESSAGE, FromMatchesFilter.createBare(w.slot)));
        Roster.getInstanceFor(w.connection).setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        return w;
    }

    /** Adds the slot to the roster and asks for its presence, as a chat client's "add contact" does. */
    void subscribe(String name) throws Exception {
        Roster.getInstanceFor(connection).createItemAndRequestSubscription(slot, name, null);
    }

    /** The next presence of the slot that matches, skipping others; fails after {@code within}. */
    Presence awaitPresence(Predicate<Presence> wanted, Duration within, String what) throws InterruptedException {
        return await(presence, wanted, within, "presence of " + slot + " matching '" + what + "'");
    }

    Message awaitMessage(Predicate<Message> wanted, Duration within, String what) throws InterruptedException {
        return await(messages, wanted, within, "message from " + slot + " matching '" + what + "'");
    }

    void clearMessages() {
        messages.clear();
    }

    private static <T> T await(BlockingQueue<T> queue, Predicate<T> wanted, Duration within, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            T item = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (item == null) {
                return fail("no " + what + " within " + within);
            }
            if (wanted.test(item)) {
                return item;
            }
        }
    }

    @Override
    public void close() {
        connection.instantShutdown();
    }
}
