package org.callpark.openfire;

import java.io.File;

import org.callpark.internal.xmpp.ParkComponent;
import org.jivesoftware.openfire.component.InternalComponentManager;
import org.jivesoftware.openfire.container.Plugin;
import org.jivesoftware.openfire.container.PluginManager;
import org.jivesoftware.util.JiveGlobals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xmpp.component.ComponentException;

/**
 * The Openfire plugin: registers the park presence component ({@link ParkComponent}, the same class Karaf runs as an
 * external component) with Openfire's internal component manager on the subdomain {@code callpark.subdomain}
 * (default {@code park}), on a {@link ClusterParkBackend} that reads the Karaf nodes' cluster as a Hazelcast client.
 * Settings: {@link PluginSettings}. Removing or reloading the plugin removes the component and disconnects.
 */
public final class CallParkPlugin implements Plugin {

    private static final Logger LOG = LoggerFactory.getLogger(CallParkPlugin.class);

    private volatile ClusterParkBackend backend;
    private volatile ParkComponent component;
    private volatile String subdomain;

    @Override
    public void initializePlugin(PluginManager manager, File pluginDirectory) {
        PluginSettings settings;
        try {
            settings = PluginSettings.from(JiveGlobals::getProperty);
        } catch (IllegalArgumentException e) {
            LOG.warn("Call Park plugin not started, fix its system properties: {}", e.getMessage());
            return;
        }
        ParkComponent parkComponent;
        ClusterParkBackend clusterBackend;
        synchronized (this) {
            clusterBackend = new ClusterParkBackend(settings, this::resend);
            parkComponent = new ParkComponent(clusterBackend);
            backend = clusterBackend;
            component = parkComponent;
        }
        try {
            InternalComponentManager.getInstance().addComponent(settings.subdomain(), parkComponent);
        } catch (ComponentException e) {
            LOG.warn("Call Park plugin: cannot register the component on subdomain '{}': {}", settings.subdomain(),
                    e.getMessage());
            clusterBackend.close();
            backend = null;
            component = null;
            return;
        }
        subdomain = settings.subdomain();
        clusterBackend.start();
        LOG.info("Call Park plugin: component on {}.{}, cluster '{}' at {}", settings.subdomain(),
                InternalComponentManager.getInstance().getServerName(), settings.clusterName(), settings.members());
    }

    /** The component re-sends every slot's state: after (re)connecting to the cluster. */
    private void resend() {
        ParkComponent c = component;
        if (c != null) {
            c.shutdown();
            c.start();
        }
    }

    @Override
    public void destroyPlugin() {
        String s = subdomain;
        ParkComponent c = component;
        ClusterParkBackend b = backend;
        subdomain = null;
        component = null;
        backend = null;
        if (s != null && c != null) {
            InternalComponentManager.getInstance().removeComponent(s, c);
        }
        if (b != null) {
            b.close();
        }
    }

    /** The running component, for tests and diagnostics; {@code null} when not started. */
    ParkComponent component() {
        return component;
    }

    /** The backend, for tests and diagnostics; {@code null} when not started. */
    ClusterParkBackend backend() {
        return backend;
    }
}
