package org.callpark.internal.xmpp;

import java.lang.reflect.Field;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jivesoftware.whack.ExternalComponent;
import org.jivesoftware.whack.ExternalComponentManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xmpp.component.Component;
import org.xmpp.component.ComponentException;
import org.xmpp.packet.IQ;
import org.xmpp.packet.JID;
import org.xmpp.packet.Packet;
import org.xmpp.packet.StreamError;

/**
 * Keeps one {@link Component} connected to an XMPP server as an external component (XEP-0114) through igniterealtime
 * Whack, and reconnects it with backoff (1 s doubling to 60 s) whenever the connection fails or is lost. Never blocks
 * its caller: {@link #start()} returns at once and connecting happens on the connector's own thread.
 * <p>
 * What it does that plain Whack does not: one WARN for the first failure of a streak and DEBUG for the retries (Whack
 * logs an ERROR with a stack trace every 5 s and retries on whichever thread found the loss, possibly the sender's);
 * loss detection by XMPP ping (Whack does not notice a stream the server closed cleanly); {@code TCP_NODELAY} on the
 * socket (without it presence waits up to ~40 ms for the Nagle timer); the thread context class loader set to this
 * bundle's while Whack creates its XML parser (the XPP factory is found through it); no Java preferences written (Whack's
 * {@code getProperty/setProperty} would), and in Karaf their root under {@code karaf.data}.
 * <p>
 * Each connection is one {@code initialize} + {@code start} of the component, each loss one {@code shutdown}.
 */
public final class XmppConnector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(XmppConnector.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(60);
    private static final String PING_PREFIX = "callpark-ping-";

    private final XmppSettings settings;
    private final Component component;
    private final ScheduledExecutorService thread;
    private final AtomicLong pings = new AtomicLong();

    // Touched only on the connector's thread.
    private Link link;
    private ScheduledFuture<?> pinger;
    private String pendingPing;
    private Duration backoff = FIRST_RETRY;
    private int failures;
    private boolean closed;
    private volatile boolean connected;

    /**
     * @param settings  where to connect (must be {@link XmppSettings#enabled() enabled})
     * @param component the component to keep connected
     */
    public XmppConnector(XmppSettings settings, Component component) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.component = Objects.requireNonNull(component, "component");
        ClassLoader bundle = XmppConnector.class.getClassLoader();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "callpark-xmpp-connect");
            t.setDaemon(true);
            // Whack's reader thread is started from here and inherits it; XmlPullParserFactory looks up through it.
            t.setContextClassLoader(bundle);
            return t;
        });
    }

    /** Starts connecting in the background. */
    public void start() {
        thread.execute(this::attempt);
    }

    /** Whether the component is connected and authenticated now. */
    public boolean isConnected() {
        return connected;
    }

    /** Disconnects (the component gets {@code shutdown}) and stops reconnecting. */
    @Override
    public void close() {
        try {
            thread.submit(() -> {
                closed = true;
                drop();
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing the XMPP connection: {}", e.toString());
        }
        thread.shutdownNow();
    }

    /**
     * Whack's manager takes {@code Preferences.userRoot()} when it is constructed (we never read or write it, but the
     * JDK then creates {@code ~/.java/.userPrefs} and a sync timer). Inside Karaf, unless the administrator chose a
     * place, that goes under Karaf's data directory instead of the service user's home.
     */
    private static void preferencesUnderKarafData() {
        String data = System.getProperty("karaf.data");
        if (data != null && System.getProperty("java.util.prefs.userRoot") == null) {
            System.setProperty("java.util.prefs.userRoot", data + java.io.File.separator + "prefs");
        }
    }

    private void attempt() {
        if (closed) {
            return;
        }
        preferencesUnderKarafData();
        String where = settings.host() + ":" + settings.port();
        Manager manager = new Manager(settings);
        Link candidate = new Link(component, manager);
        try {
            candidate.connect(settings.host(), settings.port(), settings.subdomain());
            noDelay(candidate);
            manager.link = candidate;
            link = candidate;
            candidate.initialize(new JID(null, candidate.getDomain(), null), manager);
            candidate.start();
        } catch (ComponentException | RuntimeException e) {
            if (link == candidate) {
                link = null;
                try {
                    candidate.shutdown();
                } catch (RuntimeException ignored) {
                    // half-open: nothing more to release
                }
            }
            failures++;
            String why = reason(e);
            if (failures == 1) {
                LOG.warn("XMPP component {} cannot connect to {}: {}; retrying in the background",
                        settings.componentDomain(), where, why);
            } else {
                LOG.debug("XMPP component {}: attempt {} to {} failed: {}", settings.componentDomain(), failures,
                        where, why);
            }
            Duration wait = backoff;
            backoff = backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
            thread.schedule(this::attempt, wait.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        LOG.info("XMPP component {} connected to {}{}", candidate.getDomain(), where,
                failures > 0 ? " after " + failures + " failed attempts" : "");
        failures = 0;
        backoff = FIRST_RETRY;
        connected = true;
        long every = settings.pingInterval().toMillis();
        pinger = thread.scheduleWithFixedDelay(() -> ping(candidate), every, every, TimeUnit.MILLISECONDS);
    }

    private static String reason(Exception e) {
        Throwable t = e;
        if (e instanceof ComponentException ce && ce.getStreamError() != null) {
            StreamError se = ce.getStreamError();
            return "the server refused the component (" + se.getCondition()
                    + (se.getCondition() == StreamError.Condition.not_authorized ? ": wrong secret?" : "") + ")";
        }
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static void noDelay(Link l) {
        try {
            Field f = ExternalComponent.class.getDeclaredField("socket");
            f.setAccessible(true);
            Object socket = f.get(l);
            if (socket instanceof Socket s) {
                s.setTcpNoDelay(true);
            }
        } catch (ReflectiveOperationException | RuntimeException | java.net.SocketException e) {
            LOG.debug("could not set TCP_NODELAY on the component socket: {}", e.toString());
        }
    }

    private void ping(Link l) {
        if (l != link || closed) {
            return;
        }
        if (pendingPing != null) {
            lost(l, "no answer to an XMPP ping");
            return;
        }
        IQ ping = new IQ(IQ.Type.get, PING_PREFIX + pings.incrementAndGet());
        ping.setFrom(l.getDomain());
        ping.setTo(settings.domain());
        ping.setChildElement("ping", ParkComponent.NS_PING);
        pendingPing = ping.getID();
        l.send(ping);
        long timeout = Math.min(10_000, settings.pingInterval().toMillis());
        String id = pendingPing;
        thread.schedule(() -> {
            if (l == link && id.equals(pendingPing)) {
                lost(l, "no answer to an XMPP ping in " + timeout + " ms");
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    private void pong(Link l, String id) {
        if (l == link && id.equals(pendingPing)) {
            pendingPing = null;
        }
    }

    private void lost(Link l, String why) {
        if (l != link || closed) {
            return;
        }
        LOG.info("XMPP component {} lost its connection to {}:{} ({}); reconnecting", settings.componentDomain(),
                settings.host(), settings.port(), why);
        // Nothing more is written to the dead socket (Whack would log an ERROR for each stanza).
        l.manager.link = null;
        drop();
        backoff = FIRST_RETRY;
        thread.schedule(this::attempt, FIRST_RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes the current connection, if any; the component gets {@code shutdown}. */
    private void drop() {
        connected = false;
        pendingPing = null;
        if (pinger != null) {
            pinger.cancel(false);
            pinger = null;
        }
        Link l = link;
        link = null;
        if (l != null) {
            try {
                l.shutdown();
            } catch (RuntimeException e) {
                LOG.debug("closing the component connection: {}", e.toString());
            }
        }
    }

    /** Whack's manager, reduced to what one connection needs; no preferences, no reconnect loop of its own. */
    private static final class Manager extends ExternalComponentManager {
        private volatile Link link;

        Manager(XmppSettings settings) {
            super(settings.host(), settings.port());
            setServerName(settings.domain());
            setDefaultSecretKey(settings.secret());
            setConnectTimeout(5000);
        }

        @Override
        public void addComponent(String subdomain, Component component) throws ComponentException {
            throw new ComponentException("components are connected by XmppConnector");
        }

        @Override
        public void removeComponent(String subdomain) {
            Link l = link;
            if (l != null) {
                l.shutdown();
            }
        }

        @Override
        public void sendPacket(Component component, Packet packet) {
            Link l = link;
            if (l == null) {
                throw new IllegalStateException("not connected");
            }
            l.send(packet);
        }

        @Override
        public IQ query(Component component, IQ packet, long timeout) throws ComponentException {
            throw new ComponentException("queries are not supported");
        }

        @Override
        public void query(Component component, IQ packet, org.xmpp.component.IQResultListener listener)
                throws ComponentException {
            throw new ComponentException("queries are not supported");
        }

        @Override
        public String getProperty(String name) {
            return null;
        }

        @Override
        public void setProperty(String name, String value) {
            // no Java preferences
        }
    }

    /** One connection: Whack's, with losses reported to the connector instead of Whack's own retry loop. */
    private final class Link extends ExternalComponent {

        private final Manager manager;

        Link(Component component, Manager manager) {
            super(component, manager);
            this.manager = manager;
        }

        @Override
        public void connectionLost() {
            thread.execute(() -> lost(this, "connection closed"));
        }

        @Override
        public void processPacket(Packet packet) {
            if (packet instanceof IQ iq && iq.getID() != null && iq.getID().startsWith(PING_PREFIX)
                    && (iq.getType() == IQ.Type.result || iq.getType() == IQ.Type.error)) {
                String id = iq.getID();
                thread.execute(() -> pong(this, id));
                return;
            }
            super.processPacket(packet);
        }
    }
}
