package org.callpark.openfire;

import java.io.File;

import org.jivesoftware.openfire.container.Plugin;
import org.jivesoftware.openfire.container.PluginManager;

/**
 * Takes the place of Openfire's web admin console in tests: Openfire 4.2.0 loads a plugin named {@code admin} before
 * any other (the real one starts Jetty on ports 9090/9091 and needs the console's web app, which is not on Maven
 * Central). Does nothing.
 */
public final class StandInAdminPlugin implements Plugin {

    @Override
    public void initializePlugin(PluginManager manager, File pluginDirectory) {
        // nothing: no web console in tests
    }

    @Override
    public void destroyPlugin() {
        // nothing
    }
}
