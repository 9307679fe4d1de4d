package org.callpark.internal.sip;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

import org.callpark.api.CallParkService;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.internal.blf.HazelcastSubscriptionStore;
import org.callpark.internal.blf.InMemorySubscriptionStore;
import org.callpark.internal.blf.SubscriptionStore;
import org.callpark.internal.cluster.ClusterMember;
import org.callpark.spi.MediaController;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.RecallDialer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP entry point of the park server: a JAIN-SIP stack (UDP and TCP on one port) whose requests the {@link B2bua}
 * handles — park by {@code *68}/{@code *68<ext>}/{@code *58}, retrieve by {@code *88}/{@code *88<ext>}/
 * {@code park+<ext|group>}, REGISTER into the cluster-wide {@link Registrations}, OPTIONS. See {@code docs/sip.md}.
 * <p>
 * <b>Configuration</b> ({@link SipConfig}, PID {@code org.callpark.sip}): every attribute can be overridden by the
 * system property {@code callpark.sip.<attribute>} or, if that is not set, the environment variable
 * {@code CALLPARK_SIP_<ATTRIBUTE>} (upper snake case, e.g. {@code CALLPARK_SIP_BIND_ADDRESS},
 * {@code CALLPARK_SIP_TRUSTED_PROXIES}); both win over the configuration. A change of address, port or transports
 * restarts the stack (the dialogs of the old stack die with it: their calls end as FAILED, logged as a warning); other
 * changes (trusted proxies, realm, outbound proxy, user agent) apply at once; an invalid change is refused and the
 * running stack kept.
 * <p>
 * BLF: SUBSCRIBE {@code Event: dialog} to slot URIs is served by the {@link BlfNotifier}, registered as a
 * {@link ParkEventListener} service of its own while this component is active; subscriptions live in the Hazelcast
 * IMap {@code callpark.subscriptions} ({@link HazelcastSubscriptionStore}). See {@code docs/phones.md}.
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
    private final B2bua b2bua;
    private final SipRecallDialer dialer;
    private SipEndpoint endpoint; // guarded by this
    private final BlfNotifier blf;
    private ServiceRegistration<RecallDialer> dialerRegistration; // guarded by this
    private ServiceRegistration<ParkEventListener> blfRegistration; // guarded by this

    /**
     * @throws IllegalArgumentException if the configuration is invalid; IllegalStateException if the port cannot be
     *                                  opened (the component does not activate)
     */
    @Activate
    public SipServer(@Reference CallParkService service, @Reference DirectoryService directory,
            @Reference MediaController media, @Reference ClusterMember cluster, SipConfig config,
            BundleContext context) {
        this(service, directory, media, new Registrations(cluster::instance),
                new HazelcastSubscriptionStore(cluster::instance), cluster::nodeId, config, System::getProperty,
                System::getenv);
        synchronized (this) {
            dialerRegistration = context.registerService(RecallDialer.class, dialer, null);
            blfRegistration = context.registerService(ParkEventListener.class, blf, null);
        }
    }

    /** For tests: the registrations and the local node id without a {@link ClusterMember}; BLF in memory. */
    SipServer(CallParkService service, DirectoryService directory, MediaController media,
            Registrations registrations, Supplier<String> localNode, SipConfig config,
            Function<String, String> sysprops, Function<String, String> env) {
        this(service, directory, media, registrations, new InMemorySubscriptionStore(), localNode, config, sysprops,
                env);
    }

    /** For tests: with a given subscription store. */
    SipServer(CallParkService service, DirectoryService directory, MediaController media,
            Registrations registrations, SubscriptionStore subscriptions, Supplier<String> localNode,
            SipConfig config, Function<String, String> sysprops, Function<String, String> env) {
        this.sysprops = sysprops;
        this.env = env;
        SipSettings settings = SipSettings.from(config, sysprops, env);
        this.async = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "callpark-sip-" + settings.port());
            t.setDaemon(true);
            return t;
        });
        this.b2bua = new B2bua(Objects.requireNonNull(service, "service"), Objects.requireNonNull(directory,
                "directory"), Objects.requireNonNull(media, "media"), registrations, localNode, async);
        synchronized (this) {
            try {
                endpoint = SipEndpoint.start(settings, b2bua);
            } catch (RuntimeException e) {
                async.shutdownNow();
                throw e;
            }
            b2bua.attach(endpoint);
        }
        this.dialer = new SipRecallDialer(b2bua, directory, media, registrations, async);
        b2bua.recalls(dialer);
        this.blf = new BlfNotifier(b2bua, service, directory, subscriptions, localNode);
        b2bua.blf(blf);
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
                if (!next.equals(b2bua.settings())) {
                    LOG.debug("SIP settings changed without a new stack: {}", next);
                }
                b2bua.apply(next);
                return;
            }
            LOG.warn("SIP address/port/transports changed ({}:{} -> {}:{}): restarting the SIP stack",
                    endpoint.settings.bindAddress(), endpoint.settings.port(), next.bindAddress(), next.port());
            SipEndpoint started;
            dialer.dropAll();
            b2bua.dropAll("the SIP stack restarts");
            endpoint.stop();
            try {
                started = SipEndpoint.start(next, b2bua);
            } catch (IllegalStateException e) {
                LOG.warn("{}; going back to the previous settings", e.getMessage());
                started = SipEndpoint.start(endpoint.settings, b2bua);
            }
            endpoint = started;
            b2bua.attach(started);
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            if (dialerRegistration != null) {
                try {
                    dialerRegistration.unregister();
                } catch (IllegalStateException e) {
                    LOG.debug("The recall dialer was unregistered already");
                }
                dialerRegistration = null;
            }
            if (blfRegistration != null) {
                try {
                    blfRegistration.unregister();
                } catch (IllegalStateException e) {
                    LOG.debug("The BLF notifier was unregistered already");
                }
                blfRegistration = null;
            }
            blf.stop();
            dialer.dropAll();
            b2bua.dropAll("the SIP server stops");
            endpoint.stop();
        }
        async.shutdown();
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        try {
            b2bua.onParkEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("Handling park event {} failed: {}", event.type(), e.toString());
        }
    }

    /** The effective settings (tests, diagnostics). */
    synchronized SipSettings settings() {
        return b2bua.settings();
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
        return b2bua.liveLegs();
    }
}
