package org.callpark.internal.sip;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import org.callpark.api.CallParkService;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.Resolution;
import org.callpark.spi.CallCarrier;
import com.hazelcast.core.HazelcastInstance;
import org.callpark.internal.blf.HazelcastDialogSubscriptionStore;
import org.callpark.internal.blf.InMemoryDialogSubscriptionStore;
import org.callpark.internal.blf.DialogSubscriptionStore;
import org.callpark.spi.ClusterNode;
import org.callpark.spi.MediaController;
import org.callpark.spi.NodeDrain;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.RecallDialer;
import org.callpark.spi.health.HealthCheck;
import org.callpark.spi.metrics.MeterBinders;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP entry point of the park server: a JAIN-SIP stack (UDP and TCP on one port) whose requests the
 * {@link SipDispatcher} routes — park by {@code *68}/{@code *68<ext>}/{@code *58}, retrieve by {@code *88}/
 * {@code *88<ext>}/{@code park+<ext|group>}, REGISTER into the cluster-wide {@link Registrations}, OPTIONS. See {@code docs/sip.md}.
 * <p>
 * <b>Configuration</b> ({@link SipConfig}, PID {@code org.callpark.sip}): every attribute can be overridden by the
 * system property {@code callpark.sip.<attribute>} or, if that is not set, the environment variable
 * {@code CALLPARK_SIP_<ATTRIBUTE>} (upper snake case, e.g. {@code CALLPARK_SIP_BIND_ADDRESS},
 * {@code CALLPARK_SIP_TRUSTED_PROXIES}); both win over the configuration. A change of address, port or transports
 * restarts the stack: parked callers stay parked (their dialogs live in the cluster records, their media legs keep
 * playing) and are taken up by the new stack, re-INVITEd if our Contact changed; bridged calls of the old stack are
 * hung up. Other changes (trusted proxies, realm, outbound proxy, user agent) apply at once; an invalid change is
 * refused and the running stack kept.
 * <p>
 * BLF: SUBSCRIBE {@code Event: dialog} to slot URIs is served by the {@link BlfNotifier}, registered as a
 * {@link ParkEventListener} service of its own while this component is active; subscriptions live in the Hazelcast
 * IMap {@code callpark.subscriptions} ({@link HazelcastDialogSubscriptionStore}). See {@code docs/phones.md}.
 * <p>
 * <b>The park core</b> ({@link CallParkService}, {@link DirectoryService}, {@link ClusterNode}, all of park-bundle) is
 * referenced optionally and dynamically and reached through {@link CoreAccess}: a {@code bundle:update
 * org.callpark.park} leaves this component, its stack and the parked callers' dialogs running. While the core is away
 * new requests are answered 503 with Retry-After and the parked callers' in-dialog requests are served; a caller who
 * hangs up meanwhile has its call ended when the core is back. See {@code docs/sip.md}.
 * <p>
 * It is also the {@link ParkEventListener} that hangs up (FORCED, FAILED) or plays "nobody-available" and then hangs
 * up (TIMED_OUT) the parked callers this node holds, and it registers the {@link SipRecallDialer} as the
 * {@link RecallDialer} service while it is active (the park core references it optionally and dynamically).
 */
@Component(service = ParkEventListener.class, immediate = true, configurationPid = "org.callpark.sip")
@Designate(ocd = SipConfig.class)
public final class SipServer implements ParkEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(SipServer.class);

    private final Function<String, String> sysprops;
    private final Function<String, String> env;
    private final ExecutorService async;
    private final SipMessages messages;
    private final CoreAccess core;
    private final java.util.concurrent.atomic.AtomicBoolean takeoversStarted = new java.util.concurrent.atomic.AtomicBoolean();
    private final SipLegs legs;
    private final ParkedLegs parkedLegs;
    private final SipDispatcher dispatcher;
    private final SipRecallDialer dialer;
    private final ReplacesDial attended;
    private SipEndpoint endpoint; // guarded by this
    private final BlfNotifier blf;
    /** The services this component registers itself (dialer, BLF listener, carrier, drain). */
    private final java.util.List<ServiceRegistration<?>> services = new java.util.ArrayList<>(); // guarded by this
    private final ScheduledExecutorService handoverTimer;
    private final Handover handover;
    private final Takeovers takeovers;
    private final SipCarrier carrier;
    private final NodeStop nodeStop;
    private final Supplier<String> localNode;
    /** Retrieve INVITEs, which may wait for a caller moved from another node, run here (bounded queue). */
    private final ExecutorService retrievals;
    static final int RETRIEVERS = 16;
    private volatile BundleContext context;
    private final Registrations registrations;
    private final DialogSubscriptionStore subscriptions;

    /**
     * @throws IllegalArgumentException if the configuration is invalid; IllegalStateException if the port cannot be
     *                                  opened (the component does not activate)
     */
    @Activate
    public SipServer(@Reference MediaController media, SipConfig config, BundleContext context) {
        this(CoreAccess.unbound(), media, config, context);
    }

    private SipServer(CoreAccess core, MediaController media, SipConfig config, BundleContext context) {
        this(core, media, new Registrations(core::hazelcast), new HazelcastDialogSubscriptionStore(core::hazelcast),
                core::nodeId, core::hazelcast, SessionJournal.inKarafData(), config, System::getProperty,
                System::getenv);
        synchronized (this) {
            this.context = context;
            services.add(context.registerService(RecallDialer.class, dialer, null));
            services.add(context.registerService(ParkEventListener.class, blf, null));
            services.add(context.registerService(CallCarrier.class, carrier(), null));
            services.add(context.registerService(NodeDrain.class, (NodeDrain) this::drain, null));
            java.util.Hashtable<String, Object> sip = new java.util.Hashtable<>();
            sip.put(HealthCheck.NAME, "sip");
            services.add(context.registerService(HealthCheck.class, this::health, sip));
            services.add(MeterBinders.register(context, () -> new SipMeters(messages.stats())));
        }
    }

    /** For tests: the registrations and the local node id without a {@link ClusterNode}; BLF in memory. */
    SipServer(CallParkService service, DirectoryService directory, MediaController media,
            Registrations registrations, Supplier<String> localNode, SipConfig config,
            Function<String, String> sysprops, Function<String, String> env) {
        this(CoreAccess.of(service, directory), media, registrations, new InMemoryDialogSubscriptionStore(), localNode,
                () -> null, null, config, sysprops, env);
    }

    /** For tests: a node of a cluster (takeovers, drain), BLF in memory. */
    SipServer(CallParkService service, DirectoryService directory, MediaController media,
            Registrations registrations, Supplier<String> localNode, Supplier<HazelcastInstance> hazelcast,
            SessionJournal journal, SipConfig config, Function<String, String> sysprops, Function<String, String> env) {
        this(CoreAccess.of(service, directory), media, registrations, new InMemoryDialogSubscriptionStore(), localNode,
                hazelcast, journal, config, sysprops, env);
    }

    /** For tests: with a given subscription store. */
    SipServer(CallParkService service, DirectoryService directory, MediaController media,
            Registrations registrations, DialogSubscriptionStore subscriptions, Supplier<String> localNode,
            SipConfig config, Function<String, String> sysprops, Function<String, String> env) {
        this(CoreAccess.of(service, directory), media, registrations, subscriptions, localNode, () -> null, null,
                config, sysprops, env);
    }

    private SipServer(CoreAccess core, MediaController media, Registrations registrations,
            DialogSubscriptionStore subscriptions, Supplier<String> localNode, Supplier<HazelcastInstance> hazelcast,
            SessionJournal journal, SipConfig config, Function<String, String> sysprops,
            Function<String, String> env) {
        this.sysprops = sysprops;
        this.localNode = localNode;
        this.env = env;
        SipSettings settings = SipSettings.from(config, sysprops, env);
        this.async = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "callpark-sip-" + settings.port());
            t.setDaemon(true);
            return t;
        });
        Objects.requireNonNull(media, "media");
        this.core = core;
        this.registrations = registrations;
        this.subscriptions = subscriptions;
        this.messages = new SipMessages(settings);
        SipAuthenticator auth = new SipAuthenticator(messages, core, java.time.Clock.systemUTC(), hazelcast);
        SipIdentities identities = new SipIdentities(messages, auth, registrations);
        DialogRequests dialogs = new DialogRequests(messages);
        this.legs = new SipLegs(messages, core, dialogs, async);
        this.handoverTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "callpark-sip-handover-" + settings.port());
            t.setDaemon(true);
            return t;
        });
        SessionTimers timers = new SessionTimers(messages, legs, handoverTimer, async,
                new SessionRecords(core, localNode));
        InviteAnswers answers = new InviteAnswers(messages, identities, legs, timers);
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.retrievals = new java.util.concurrent.ThreadPoolExecutor(RETRIEVERS, RETRIEVERS, 60, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(1_000), r -> {
                    Thread t = new Thread(r, "callpark-sip-retrieve-" + settings.port() + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.dialer = new SipRecallDialer(messages, identities, legs, core, media, registrations, async);
        this.attended = new ReplacesDial(messages, identities, legs, core, media, registrations, answers);
        this.handover = new Handover(messages, dialogs, legs, core, media, localNode,
                member -> Takeovers.isMember(hazelcast, localNode, member), handoverTimer, timers);
        this.takeovers = new Takeovers(handover, core, legs, localNode, hazelcast, handoverTimer);
        this.carrier = new SipCarrier(core, legs, handover, takeovers, localNode);
        this.parkedLegs = new ParkedLegs(legs, core, localNode, takeovers, journal);
        this.nodeStop = new NodeStop(takeovers, parkedLegs, () -> context);
        this.blf = new BlfNotifier(messages, auth, core, subscriptions, localNode);
        messages.stats().counts(registrations::size, subscriptions::size);
        ParkFlows parks = new ParkFlows(messages, identities, legs, answers, core, media, timers);
        this.dispatcher = new SipDispatcher(messages, auth, legs, answers, parks,
                new RetrieveFlows(messages, auth, legs, answers, core, media, localNode, retrievals), core,
                registrations, handover, blf, dialer, new InCallTransfer(messages, legs, core, localNode, async,
                        attended),
                new ReplacesFlow(messages, auth, legs, answers, core, media),
                new ConsultPark(messages, auth, identities, legs, answers, core, media, parks, handoverTimer));
        synchronized (this) {
            try {
                endpoint = SipEndpoint.start(settings, dispatcher);
            } catch (RuntimeException e) {
                blf.stop();
                handoverTimer.shutdownNow();
                retrievals.shutdownNow();
                async.shutdownNow();
                throw e;
            }
            messages.attach(endpoint);
        }
        handover.journal(journal);
        takeovers.journal(journal);
        core.onBack(this::coreBack);
        if (core.present()) {
            coreBack();
        }
    }

    /** The {@code sip} health check (/callpark/health): UP while the stack listens, with its transports. */
    private HealthCheck.Result health() {
        SipEndpoint e;
        synchronized (this) {
            e = endpoint;
        }
        java.util.List<String> transports = new java.util.ArrayList<>();
        if (e != null) {
            e.stack.getListeningPoints().forEachRemaining(lp -> transports.add(
                    ((javax.sip.ListeningPoint) lp).getTransport().toLowerCase(java.util.Locale.ROOT)));
        }
        return transports.isEmpty() ? HealthCheck.Result.down("not listening")
                : HealthCheck.Result.up(String.join(",", transports));
    }

    /**
     * The park core is bound (at start, or again after an update of its bundle; calls whose callers hung up meanwhile
     * are ended already): the first time, the calls this node held before this stack (a new revision, a restart) are
     * taken up. After a core update there is nothing to take up: the stack and its legs stayed.
     */
    private void coreBack() {
        if (takeoversStarted.compareAndSet(false, true)) {
            takeovers.start();
        } else {
            LOG.info("The park core is back: SIP requests are served again");
        }
    }

    // ------------------------------------------------------------------------------------------ the core (dynamic)

    /*
     * The park core's services are optional, dynamic and greedy: when park-bundle is updated they go away and come back
     * while this component — the SIP stack and the dialogs of the parked callers — stays active. A mandatory reference,
     * even a dynamic one, would deactivate the component when its only provider is unregistered.
     */

    @Reference(name = "service", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindService")
    void bindService(CallParkService service) {
        core.bind(service);
    }

    void unbindService(CallParkService service) {
        if (nodeStop.stopping()) {
            nodeStop.once(); // the framework stops the core first: drain or hang up while it still answers
        }
        core.unbind(service);
    }

    @Reference(name = "directory", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDirectory")
    void bindDirectory(DirectoryService directory) {
        core.bind(directory);
    }

    void unbindDirectory(DirectoryService directory) {
        core.unbind(directory);
    }

    /** The member outlives the park bundle (it belongs to the Hazelcast bundle): while unbound, the last one is used. */
    @Reference(name = "cluster", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindCluster")
    void bindCluster(ClusterNode cluster) {
        core.bind(cluster);
    }

    void unbindCluster(ClusterNode cluster) {
        core.unbind(cluster);
    }

    /** The holder of the core's services (tests). */
    CoreAccess core() {
        return core;
    }

    /** This node's {@link CallCarrier}: brings calls carried elsewhere here for a retriever or a send-to. */
    CallCarrier carrier() {
        return carrier;
    }

    /** {@code park:drain}: moves every call this node carries to the other nodes. */
    NodeDrain.Result drain(Duration timeout) throws ParkException, InterruptedException {
        Takeovers.Drained d = takeovers.drain(timeout);
        return new NodeDrain.Result(d.total(), d.moved(), d.left());
    }

    @Modified
    void modified(SipConfig config) {
        SipSettings next;
        try {
            next = SipSettings.from(config, sysprops, env);
        } catch (IllegalArgumentException e) {
            LOG.warn("Invalid SIP configuration, keeping the running one: {}", e.getMessage());
            return;
        }
        synchronized (this) {
            if (next.sameNetwork(endpoint.settings)) {
                if (!next.equals(messages.settings())) {
                    LOG.debug("SIP settings changed without a new stack: {}", next);
                }
                messages.apply(next);
                return;
            }
            LOG.warn("SIP address/port/transports changed ({}:{} -> {}:{}): restarting the SIP stack",
                    endpoint.settings.bindAddress(), endpoint.settings.port(), next.bindAddress(), next.port());
            SipEndpoint started;
            dialer.dropAll();
            attended.dropAll();
            takeovers.pause(true);
            handover.stop();
            parkedLegs.detach("the SIP stack restarts");
            flush();
            endpoint.stop();
            try {
                started = SipEndpoint.start(next, dispatcher);
            } catch (IllegalStateException e) {
                LOG.warn("{}; going back to the previous settings", e.getMessage());
                started = SipEndpoint.start(endpoint.settings, dispatcher);
            }
            endpoint = started;
            messages.attach(started);
            takeovers.pause(false);
        }
        takeovers.sweep(); // the parked callers learn the new address by a re-INVITE
    }

    /** Waits (briefly) for the BYEs queued on the async thread to go out while the stack still runs. */
    private void flush() {
        try {
            async.submit(() -> { }).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Flushing the SIP sends: {}", e.toString());
        }
    }

    /** Tests: whether "the framework stops" without a framework. */
    void nodeStoppingForTests(java.util.function.BooleanSupplier stopping) {
        nodeStop.stoppingForTests(stopping);
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            for (ServiceRegistration<?> r : services) {
                try {
                    r.unregister();
                } catch (IllegalStateException e) {
                    LOG.debug("A service of the SIP server was unregistered already");
                }
            }
            services.clear();
            blf.stop();
            dialer.dropAll();
            attended.dropAll();
            if (nodeStop.stopping()) {
                nodeStop.once();
            }
            takeovers.stop();
            handover.stop();
            parkedLegs.detach("the SIP server stops");
            flush();
            endpoint.stop();
            registrations.close();
            subscriptions.close();
        }
        java.util.Map<String, Resolution> unended = core.pendingEnds();
        if (!unended.isEmpty()) {
            LOG.warn("The SIP server stops while the park core is away: the end of {} call(s) whose callers hung up"
                    + " is not recorded; the next SIP stack's takeover finds them gone: {}", unended.size(),
                    unended.keySet());
        }
        handoverTimer.shutdownNow();
        retrievals.shutdown();
        async.shutdown();
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        try {
            parkedLegs.onParkEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("Handling park event {} failed: {}", event.type(), e.toString());
        }
    }

    /** The effective settings (tests, diagnostics). */
    synchronized SipSettings settings() {
        return messages.settings();
    }

    /** Park INVITEs from {@code ip} answered and not yet ACKed (tests). */
    int parksInProgressFrom(String ip) {
        return legs.inProgress().from(ip);
    }

    /** The recall dialer (tests; in OSGi it is a service). */
    RecallDialer recallDialer() {
        return dialer;
    }

    /** The BLF notifier (tests; in OSGi it is a {@link ParkEventListener} service of its own). */
    BlfNotifier blf() {
        return blf;
    }

    /** Open dialogs (tests). */
    int liveLegs() {
        return legs.liveLegs();
    }
}
