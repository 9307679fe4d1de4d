package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.jivesoftware.openfire.container.Plugin;

/**
 * What the plugin ITs need from outside the plugin: the artifacts Maven hands over as system properties, and a look
 * at the loaded plugin (its classes live in Openfire's plugin class loader, so only through reflection).
 */
final class PluginProbe {

    private PluginProbe() {
    }

    /** Whether the plugin's cluster client is connected and has the directory (ClusterParkBackend#isReady). */
    static boolean isReady(Plugin plugin) throws Exception {
        Method backendMethod = plugin.getClass().getDeclaredMethod("backend");
        backendMethod.setAccessible(true);
        Object backend = backendMethod.invoke(plugin);
        return backend != null && (boolean) backend.getClass().getMethod("isReady").invoke(backend);
    }

    static void awaitReady(Plugin plugin, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (isReady(plugin)) {
                return;
            }
            Thread.sleep(50);
        }
        fail("the plugin did not connect to the park cluster within " + timeout);
    }

    /** A file named by a system property; fails (never skips, CI or not) when it is missing: a build problem. */
    static Path requiredFile(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value))) {
            fail("system property " + property + " must name an existing file: " + value
                    + " (run through Maven: mvn verify -pl openfire-plugin -am)");
        }
        return Path.of(value);
    }

    /** The park node's jars (the api and park bundles, Hazelcast, Jackson). */
    static List<Path> nodeJars() {
        return Arrays.stream(System.getProperty("callpark.node.classpath", "").split(","))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    static ParkNodeControl startNode(String cluster, int port) throws Exception {
        return IsolatedNodeLoader.of(requiredFile("callpark.node.classes"), nodeJars())
                .startNode(cluster, port, requiredFile("callpark.directory.cfg"));
    }

    static boolean classMissing(String name) {
        try {
            Class.forName(name, false, PluginProbe.class.getClassLoader());
            return false;
        } catch (ClassNotFoundException e) {
            return true;
        }
    }
}
