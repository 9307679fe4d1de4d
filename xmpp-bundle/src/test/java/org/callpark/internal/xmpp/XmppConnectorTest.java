package org.callpark.internal.xmpp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xmpp.component.Component;
import org.xmpp.component.ComponentManager;
import org.xmpp.packet.JID;
import org.xmpp.packet.Packet;

/**
 * The connector against a real Prosody (component port 127.0.0.1:26377, c2s 26252) that is not there yet, goes away
 * and comes back: connecting never blocks, the first failure is one WARN, a clean server shutdown (a closed stream,
 * which Whack itself does not notice) is found by the XMPP ping, and every reconnect starts the component again.
 */
class XmppConnectorTest {

    private static final int C2S = 26252;
    private static final int COMPONENT = 26377;

    private ProsodyServer prosody;
    private XmppConnector connector;

    /** Counts its lifecycle calls. */
    static final class CountingComponent implements Component {
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger shutdowns = new AtomicInteger();

        @Override
        public String getName() {
            return "counting";
        }

        @Override
        public String getDescription() {
            return "counting";
        }

        @Override
        public void processPacket(Packet packet) {
        }

        @Override
        public void initialize(JID jid, ComponentManager componentManager) {
        }

        @Override
        public void start() {
            starts.incrementAndGet();
        }

        @Override
        public void shutdown() {
            shutdowns.incrementAndGet();
        }
    }

    @AfterEach
    void stop() {
        if (connector != null) {
            connector.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    private static XmppSettings settings(String secret) {
        return new XmppSettings(true, "127.0.0.1", COMPONENT, "example.com", "park", secret, Duration.ofSeconds(1));
    }

    private ProsodyServer prosody() throws Exception {
        return new ProsodyServer("connector", C2S, COMPONENT, "park.example.com", "right", List.of("example.com"));
    }

    @Test
    void serverLateThenGoneThenBack_connectsReconnectsAndRestartsTheComponent() throws Exception {
        CountingComponent component = new CountingComponent();
        connector = new XmppConnector(settings("right"), component);
        long t0 = System.nanoTime();
        connector.start();
        assertTrue((System.nanoTime() - t0) < 500_000_000L, "start() must not wait for the server");
        Thread.sleep(1500);
        assertFalse(connector.isConnected());

        prosody = prosody();
        prosody.start();
        await(connector::isConnected, Duration.ofSeconds(10), "connected once the server is up (backoff 1, 2, 4 s)");
        assertTrue(component.starts.get() == 1, "started once: " + component.starts);

        prosody.close(); // SIGTERM: prosody closes the stream cleanly
        await(() -> !connector.isConnected(), Duration.ofSeconds(5), "the loss noticed (ping)");
        await(() -> component.shutdowns.get() >= 1, Duration.ofSeconds(2), "the component shut down");

        prosody = prosody();
        prosody.start();
        await(connector::isConnected, Duration.ofSeconds(15), "reconnected");
        await(() -> component.starts.get() == 2, Duration.ofSeconds(2), "started again (re-sends its state)");
    }

    @Test
    void wrongSecret_neverConnected_keepsRetryingQuietly() throws Exception {
        prosody = prosody();
        prosody.start();
        CountingComponent component = new CountingComponent();
        connector = new XmppConnector(settings("wrong"), component);
        connector.start();
        Thread.sleep(2500);
        assertFalse(connector.isConnected());
        assertTrue(component.starts.get() == 0);
    }

    private static void await(BooleanSupplier condition, Duration max, String what) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out: " + what);
            Thread.sleep(20);
        }
    }
}
