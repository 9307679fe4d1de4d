package org.callpark.internal.xmpp;

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
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XMPP entry point in Karaf: the {@link ParkComponent} on this node's park service ({@link ServiceParkBackend},
 * subscribers in Hazelcast), kept connected to the XMPP server as an external component by an {@link XmppConnector}.
 * A {@link ParkEventListener} service, so the park core hands it every event of the cluster. Configuration: PID
 * {@code org.callpark.xmpp} ({@link XmppConfig}). Activation never waits for the XMPP server: with none running the
 * connector retries in the background (one WARN, then DEBUG).
 */
@Component(service = ParkEventListener.class, configurationPid = "org.callpark.xmpp", immediate = true)
@Designate(ocd = XmppConfig.class)
public final class XmppEntryPoint implements ParkEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(XmppEntryPoint.class);

    private final ServiceParkBackend backend;
    private final ParkComponent component;
    private XmppSettings settings;
    private XmppConnector connector;

    @Activate
    public XmppEntryPoint(@Reference CallParkService service, @Reference DirectoryService directory,
            @Reference ClusterNode member, XmppConfig config) {
        this.backend = new ServiceParkBackend(service, directory, new HazelcastRosterSubscriberStore(member::instance));
        this.component = new ParkComponent(backend);
        configure(config);
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
