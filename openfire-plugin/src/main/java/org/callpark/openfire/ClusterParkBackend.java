package org.callpark.openfire;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.internal.xmpp.HazelcastRosterSubscriberStore;
import org.callpark.internal.xmpp.ParkBackend;
import org.callpark.internal.xmpp.RosterSubscriberStore;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.json.CallCodec;
import org.callpark.spi.json.DirectorySnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig.ReconnectMode;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;

/**
 * The park service as the component sees it from inside Openfire, a JVM apart from the Karaf park nodes: a Hazelcast
 * <b>client</b> of their cluster that reads and watches the calls map ({@code callpark.calls}, {@link ClusterCalls}:
 * the records through the api's {@link CallCodec}, the events by the core's own rules), the directory the nodes
 * publish ({@code callpark.directory}, the api's {@link DirectorySnapshot}), and shares the subscriber map with them
 * ({@link HazelcastRosterSubscriberStore}). It never changes a call, and it is built from the api and the XMPP bundle
 * only: no class of the park core is in the plugin.
 * <p>
 * The client connects in the background ({@link #start}), retrying until it reaches the cluster, so Openfire starts
 * even when no park node runs. Until then {@link #directory()} and {@link #calls} fail (the component logs and
 * answers nothing); once connected, and after every reconnect, {@code onConnected} runs so that the component re-sends
 * every slot's state.
 * <p>
 * Pickup from chat ({@link #sendTo}) is refused with "dial *88… from your phone": ringing a phone and bridging the
 * parked caller needs the SIP stack and media of the Karaf node that holds the call.
 */
public final class ClusterParkBackend implements ParkBackend, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterParkBackend.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(5);

    private final PluginSettings settings;
    private final Runnable onConnected;
    private final DirectorySnapshot snapshot = new DirectorySnapshot();
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    private volatile HazelcastInstance client;
    private volatile ClusterCalls view;
    private volatile RosterSubscriberStore subscribers;
    private volatile Directory directory;
    private volatile boolean closed;
    private Thread connector; // guarded by lock

    /**
     * @param settings    where the cluster is
     * @param onConnected run (on a Hazelcast or the connector thread) once connected and after each reconnect
     */
    public ClusterParkBackend(PluginSettings settings, Runnable onConnected) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.onConnected = Objects.requireNonNull(onConnected, "onConnected");
    }

    /** Starts connecting to the cluster in the background; returns at once. */
    public void start() {
        synchronized (lock) {
            if ((connector != null && connector.isAlive()) || closed) {
                return;
            }
            ClassLoader loader = ClusterParkBackend.class.getClassLoader();
            connector = new Thread(this::connectLoop, "callpark-cluster-connect");
            connector.setDaemon(true);
            connector.setContextClassLoader(loader);
            connector.start();
        }
    }

    /** Whether the client is connected to the cluster and has read the directory. */
    public boolean isReady() {
        return view != null && directory != null;
    }

    private void connectLoop() {
        boolean warned = false;
        while (!closed) {
            HazelcastInstance hz = null;
            try {
                Lifecycle lifecycle = new Lifecycle();
                hz = HazelcastClient.newHazelcastClient(clientConfig(lifecycle));
                synchronized (lock) {
                    if (closed) {
                        hz.shutdown();
                        return;
                    }
                    client = hz;
                }
                lifecycle.bind(hz);
                attach(hz);
                LOG.info("Call Park: connected to park cluster '{}' at {}", settings.clusterName(), settings.members());
                return;
            } catch (RuntimeException e) {
                if (hz != null) {
                    discard(hz); // connected, but reading the cluster failed: start over with a new client
                }
                if (closed) {
                    return;
                }
                if (!warned) {
                    LOG.warn("Call Park: cannot reach park cluster '{}' at {} ({}); retrying every {} s",
                            settings.clusterName(), settings.members(), e.getMessage(), RETRY_PAUSE.toSeconds());
                    warned = true;
                } else {
                    LOG.debug("Call Park: cluster still unreachable: {}", e.getMessage());
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(RETRY_PAUSE.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void discard(HazelcastInstance hz) {
        synchronized (lock) {
            if (client == hz) {
                client = null;
            }
        }
        view = null;
        for (Watch w : watches) {
            w.detach();
        }
        try {
            hz.shutdown();
        } catch (RuntimeException e) {
            LOG.debug("Call Park: shutting a cluster client down: {}", e.toString());
        }
    }

    ClientConfig clientConfig(LifecycleListener lifecycle) {
        ClientConfig config = new ClientConfig();
        config.setInstanceName("callpark-openfire-" + UUID.randomUUID());
        config.setClusterName(settings.clusterName());
        config.setClassLoader(ClusterParkBackend.class.getClassLoader());
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.getNetworkConfig().setAddresses(settings.members());
        config.getConnectionStrategyConfig().setAsyncStart(false).setReconnectMode(ReconnectMode.ON)
                .getConnectionRetryConfig()
                .setClusterConnectTimeoutMillis(settings.connectTimeout().toMillis())
                .setInitialBackoffMillis(200).setMaxBackoffMillis(5_000);
        config.addListenerConfig(new ListenerConfig(lifecycle));
        return config;
    }

    /** Reads the directory, starts watching it and the calls, then tells the owner. */
    private void attach(HazelcastInstance hz) {
        subscribers = new HazelcastRosterSubscriberStore(() -> hz);
        IMap<String, HazelcastJsonValue> published = hz.getMap(DirectorySnapshot.MAP);
        published.addEntryListener(new DirectoryWatch(), true);
        readDirectory(published.get(DirectorySnapshot.KEY));
        ClusterCalls v = new ClusterCalls(hz.getMap(CallCodec.MAP));
        view = v;
        for (Watch w : watches) {
            w.attach(v);
        }
        onConnected.run();
    }

    private void readDirectory(HazelcastJsonValue value) {
        if (value == null) {
            LOG.info("Call Park: waiting for a park node to publish the directory ({})", DirectorySnapshot.MAP);
            return;
        }
        try {
            Directory d = snapshot.decode(value);
            directory = d;
            LOG.debug("Call Park: directory with {} users", d.allUsers().size());
        } catch (IllegalArgumentException e) {
            LOG.warn("Call Park: ignoring the published directory, the previous one stays: {}", e.getMessage());
        }
    }

    @Override
    public Directory directory() {
        Directory d = directory;
        if (d == null) {
            throw new IllegalStateException(view == null
                    ? "not connected to the park cluster yet (" + PluginSettings.MEMBERS + " " + settings.members() + ")"
                    : "no park node has published the directory yet");
        }
        return d;
    }

    @Override
    public List<ParkedCall> calls(SlotId slot) throws ParkException {
        ClusterCalls v = view;
        if (v == null) {
            throw new ParkException(Reason.STORE_UNAVAILABLE, "not connected to the park cluster yet");
        }
        return v.live(slot);
    }

    @Override
    public AutoCloseable listen(ParkEventListener listener) {
        Watch w = new Watch(Objects.requireNonNull(listener, "listener"));
        watches.add(w);
        ClusterCalls v = view;
        if (v != null) {
            w.attach(v);
        }
        return w;
    }

    /**
     * Always refused: ringing the user's phone and connecting the parked caller needs the SIP stack and media of the
     * Karaf node holding the call, which this Openfire plugin cannot ask for. The answer tells the user the feature
     * code to dial instead.
     */
    @Override
    public CompletionStage<ParkedCall> sendTo(RetrieveRequest request, String extension, Duration ringFor)
            throws ParkException {
        throw new ParkException(Reason.UNREACHABLE, "pickup from chat is not available on this server, "
                + dialHint(directory, request));
    }

    /**
     * What the user should dial instead: the slot's retrieve code ({@link Directory#retrieveCodeFor}, the rule BLF keys
     * and presence use too), or plain {@code *88} (their own slot, or when the slot is unknown here).
     */
    static String dialHint(Directory directory, RetrieveRequest request) {
        RetrieveTarget target = request.target();
        if (directory != null && (target.kind() == RetrieveTarget.Kind.EXTENSION
                || target.kind() == RetrieveTarget.Kind.GROUP)) {
            try {
                SlotId slot = directory.slotFor(request.tenant(), request.requester(), target);
                Optional<String> code = directory.retrieveCodeFor(slot);
                if (code.isPresent()) {
                    return "dial " + code.get() + " from your phone";
                }
            } catch (ParkException e) {
                // not a slot this user may pick up from: the generic hint
            }
        }
        return "dial *88 from your phone";
    }

    @Override
    public RosterSubscriberStore subscribers() {
        RosterSubscriberStore s = subscribers;
        if (s == null) {
            throw new IllegalStateException("not connected to the park cluster yet");
        }
        return s;
    }

    /** Stops watching and disconnects from the cluster. */
    @Override
    public void close() {
        Thread c;
        HazelcastInstance hz;
        synchronized (lock) {
            closed = true;
            c = connector;
            hz = client;
            client = null;
        }
        if (c != null) {
            c.interrupt();
        }
        for (Watch w : watches) {
            w.close();
        }
        view = null;
        if (hz != null) {
            try {
                hz.shutdown();
            } catch (HazelcastException e) {
                LOG.debug("Call Park: shutting the cluster client down: {}", e.getMessage());
            }
        }
    }

    /** One {@link #listen} registration: attached to the store once connected. */
    private final class Watch implements AutoCloseable {
        private final ParkEventListener listener;
        private AutoCloseable registration; // guarded by this
        private boolean done; // guarded by this

        Watch(ParkEventListener listener) {
            this.listener = listener;
        }

        synchronized void attach(ClusterCalls v) {
            if (done || registration != null) {
                return;
            }
            try {
                registration = v.listen(listener);
            } catch (RuntimeException e) {
                LOG.warn("Call Park: cannot watch the parked calls: {}", e.toString());
            }
        }

        /** The registration died with its client: attach again to the next one. */
        synchronized void detach() {
            registration = null;
        }

        @Override
        public void close() {
            AutoCloseable r;
            synchronized (this) {
                done = true;
                r = registration;
                registration = null;
            }
            watches.remove(this);
            if (r != null) {
                try {
                    r.close();
                } catch (Exception e) {
                    LOG.debug("Call Park: closing a call watch: {}", e.toString());
                }
            }
        }
    }

    /** Keeps the directory current. */
    private final class DirectoryWatch implements EntryAddedListener<String, HazelcastJsonValue>,
            EntryUpdatedListener<String, HazelcastJsonValue> {
        @Override
        public void entryAdded(EntryEvent<String, HazelcastJsonValue> event) {
            readDirectory(event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, HazelcastJsonValue> event) {
            readDirectory(event.getValue());
        }
    }

    /**
     * Follows one client's life: after a lost connection came back, events may have been missed, so the directory is
     * re-read and the owner told (the component re-sends every slot); if the client gave up reconnecting (longer than
     * {@code callpark.cluster.connectTimeout}) it shuts down, and connecting starts over.
     */
    private final class Lifecycle implements LifecycleListener {
        private volatile HazelcastInstance instance;

        void bind(HazelcastInstance hz) {
            instance = hz;
        }

        @Override
        public void stateChanged(LifecycleEvent event) {
            HazelcastInstance hz = instance;
            if (hz == null || closed) {
                return; // still starting (the connect loop handles failures), or we are closing
            }
            if (event.getState() == LifecycleState.CLIENT_DISCONNECTED) {
                LOG.warn("Call Park: lost the park cluster; reconnecting");
            } else if (event.getState() == LifecycleState.CLIENT_CONNECTED) {
                LOG.info("Call Park: reconnected to the park cluster");
                background("callpark-cluster-reconnected", () -> {
                    readDirectory(hz.<String, HazelcastJsonValue>getMap(DirectorySnapshot.MAP)
                            .get(DirectorySnapshot.KEY));
                    onConnected.run();
                });
            } else if (event.getState() == LifecycleState.SHUTDOWN) {
                background("callpark-cluster-lost", () -> clientLost(hz));
            }
        }
    }

    /** The client gave up: forget it and its registrations, then connect anew. */
    private void clientLost(HazelcastInstance dead) {
        synchronized (lock) {
            if (closed || client != dead) {
                return;
            }
            client = null;
            view = null;
        }
        for (Watch w : watches) {
            w.detach();
        }
        LOG.warn("Call Park: gave up reconnecting to the park cluster after {} s; connecting anew",
                settings.connectTimeout().toSeconds());
        synchronized (lock) {
            connector = null;
        }
        start();
    }

    private static void background(String name, Runnable task) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("Call Park: {}: {}", name, e.toString());
            }
        }, name);
        t.setDaemon(true);
        t.setContextClassLoader(ClusterParkBackend.class.getClassLoader());
        t.start();
    }
}
