package org.callpark.internal.xmpp;

import java.util.concurrent.atomic.AtomicReference;

import org.callpark.api.CallParkService;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.spi.ClusterNode;
import org.callpark.spi.ParkEventListener;
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

import com.hazelcast.core.HazelcastInstance;

/**
 * The XMPP entry point in Karaf: the {@link ParkComponent} on this node's park service ({@link ServiceParkBackend},
 * subscribers in Hazelcast), kept connected to the XMPP server as an external component by an {@link XmppConnector}.
 * A {@link ParkEventListener} service, so the park core hands it every event of the cluster. Configuration: PID
 * {@code org.callpark.xmpp} ({@link XmppConfig}). Activation never waits for the XMPP server: with none running the
 * connector retries in the background (one WARN, then DEBUG).
 * <p>
 * The park core's services ({@link CallParkService}, {@link DirectoryService}, {@link ClusterNode}) are dynamic,
 * optional, greedy references, as in sip-bundle's {@code SipServer}: a {@code bundle:update org.callpark.park} does not
 * restart this component, so the XMPP connection stays up. While the core is away {@link ServiceParkBackend} refuses
 * pickups ("the park service is restarting, try again"); when it is back every slot's presence is re-sent. The
 * subscriber map lives in the Hazelcast member, which outlives the park bundle: while no {@link ClusterNode} is bound
 * the last one's instance is used.
 */
@Component(service = ParkEventListener.class, configurationPid = "org.callpark.xmpp", immediate = true)
@Designate(ocd = XmppConfig.class)
public final class XmppEntryPoint implements ParkEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(XmppEntryPoint.class);

    private final ServiceParkBackend backend;
    private final ParkComponent component;
    private final AtomicReference<ClusterNode> cluster = new AtomicReference<>();
    private volatile HazelcastInstance lastInstance;
    private XmppSettings settings;
    private XmppConnector connector;

    @Activate
    public XmppEntryPoint(XmppConfig config) {
        this.backend = new ServiceParkBackend(new HazelcastRosterSubscriberStore(this::hazelcast));
        this.component = new ParkComponent(backend);
        backend.onBack(component::resend);
        configure(config);
    }

    // ------------------------------------------------------------------------------------------ the core, dynamic

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindService(CallParkService s) {
        backend.bind(s);
    }

    void unbindService(CallParkService s) {
        backend.unbind(s);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDirectory(DirectoryService d) {
        backend.bind(d);
    }

    void unbindDirectory(DirectoryService d) {
        backend.unbind(d);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindCluster(ClusterNode c) {
        cluster.set(c);
        lastInstance = c.instance();
    }

    void unbindCluster(ClusterNode c) {
        cluster.compareAndSet(c, null); // the instance stays: the member outlives the park bundle
    }

    /** The Hazelcast member of the bound cluster node, else the last one's. */
    private HazelcastInstance hazelcast() {
        ClusterNode c = cluster.get();
        if (c != null) {
            HazelcastInstance hz = c.instance();
            lastInstance = hz;
            return hz;
        }
        HazelcastInstance last = lastInstance;
        if (last == null) {
            throw new IllegalStateException(ParkBackend.RESTARTING);
        }
        return last;
    }

    /** The backend, for tests. */
    ServiceParkBackend backend() {
        return backend;
    }

    /** Applies a changed configuration; an invalid one is refused as a whole and the running connection kept. */
    @Modified
    public synchronized void configure(XmppConfig config) {
        XmppSettings next;
        try {
            next = XmppSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.warn("org.callpark.xmpp: {}; {}", e.getMessage(),
                    settings == null ? "the XMPP component stays off" : "keeping the previous settings");
            return;
        }
        if (next.equals(settings)) {
            return; // the same values again (features + FileInstall both deliver the file)
        }
        stop();
        settings = next;
        if (!next.enabled()) {
            LOG.info("XMPP component disabled (org.callpark.xmpp enabled = false)");
            return;
        }
        connector = new XmppConnector(next, component);
        connector.start();
    }

    @Override
    public void onParkEvent(ParkEvent event) {
        backend.onParkEvent(event);
    }

    /** Whether the component is connected to the XMPP server now. */
    public boolean connected() {
        XmppConnector c = connector;
        return c != null && c.isConnected();
    }

    @Deactivate
    public synchronized void deactivate() {
        stop();
        settings = null;
    }

    private void stop() {
        if (connector != null) {
            connector.close();
            connector = null;
        }
    }
}
