package org.callpark.itests;

import java.time.Duration;
import java.util.List;

import org.callpark.internal.xmpp.ChatUser;
import org.callpark.internal.xmpp.ProsodyServer;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.xml.SmackXmlParser;
import org.jivesoftware.smack.xml.stax.StaxXmlPullParserFactory;

/**
 * A chat user watching a park slot's presence, as in {@code XmppST}: a real Prosody (xmpp-bundle's
 * {@link ProsodyServer}, loopback ports the test chose) for the container's XMPP component, and Bob
 * (bob@example.com, extension 101 in the shipped directory) on Smack (xmpp-bundle's {@link ChatUser}), subscribed to
 * the slot. Runs inside the Karaf container, like the rest of the test: Smack's classes are part of the test probe.
 */
final class SlotWatcher implements AutoCloseable {

    static final String SECRET = "itest-secret";

    private final ProsodyServer prosody;
    private final ChatUser bob;
    private final String slotJid;

    private SlotWatcher(ProsodyServer prosody, ChatUser bob, String slotJid) {
        this.prosody = prosody;
        this.bob = bob;
        this.slotJid = slotJid;
    }

    /** Starts prosody (c2s and component on the given 127.0.0.1 ports) and logs Bob in. */
    static SlotWatcher start(String name, int c2sPort, int componentPort, String slotJid) throws Exception {
        ProsodyServer prosody = new ProsodyServer(name, c2sPort, componentPort, "park.example.com", SECRET,
                List.of("example.com"));
        try {
            prosody.register("bob", "example.com", "pw-bob").start();
            // Smack finds its XML parser through java.util.ServiceLoader; inside OSGi that needs the probe's loader
            Thread current = Thread.currentThread();
            ClassLoader before = current.getContextClassLoader();
            current.setContextClassLoader(SlotWatcher.class.getClassLoader());
            try {
                SmackXmlParser.setXmlPullParserFactory(new StaxXmlPullParserFactory());
                return new SlotWatcher(prosody, new ChatUser("bob", "example.com", "pw-bob", c2sPort), slotJid);
            } finally {
                current.setContextClassLoader(before);
            }
        } catch (Exception | AssertionError e) {
            prosody.close();
            throw e;
        }
    }

    /** Bob subscribes to the slot until the component answers "free" (it connects in the background); the answer. */
    Presence subscribe(long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Presence free = null;
        while (free == null && System.currentTimeMillis() < deadline) {
            bob.subscribe(slotJid);
            free = await(Presence.Mode.available, Duration.ofSeconds(2));
        }
        return free;
    }

    /** The next available presence of the slot in {@code mode} Bob receives within {@code max}, else null. */
    Presence await(Presence.Mode mode, Duration max) throws InterruptedException {
        return bob.await(Presence.class, p -> p.getFrom() != null && p.getFrom().asBareJid().toString().equals(slotJid)
                && p.getType() == Presence.Type.available && p.getMode() == mode, max);
    }

    /** Forgets what Bob received so far. */
    void clear() {
        bob.clear();
    }

    @Override
    public void close() {
        try {
            bob.close();
        } finally {
            prosody.close();
        }
    }
}
