package org.callpark.openfire;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the park node ({@code org.callpark.openfire.node}) with the api and park bundles, Hazelcast and Jackson from their own
 * jars, none of which is on the test class path: so the Openfire plugin, whose class loader asks the test class path
 * first, finds these classes only in its own {@code lib/}. Classes of the node package are loaded here first (they
 * are on the test class path too); everything else asks the parent first (JDK, SLF4J, {@link ParkNodeControl}).
 */
final class IsolatedNodeLoader extends URLClassLoader {

    private static final String NODE_PACKAGE = "org.callpark.openfire.node.";

    private IsolatedNodeLoader(URL[] urls, ClassLoader parent) {
        super("callpark-park-node", urls, parent);
    }

    /**
     * @param testClasses the test classes directory (holds the node package)
     * @param jars        the api and park bundles, Hazelcast, Jackson
     */
    static IsolatedNodeLoader of(Path testClasses, List<Path> jars) throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        urls.add(testClasses.toUri().toURL());
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("park node jar missing: " + jar);
            }
            urls.add(jar.toUri().toURL());
        }
        return new IsolatedNodeLoader(urls.toArray(URL[]::new), IsolatedNodeLoader.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(NODE_PACKAGE)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = findClass(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /** Starts {@code org.callpark.openfire.node.ParkNode} in this loader. */
    ParkNodeControl startNode(String clusterName, int port, Path directoryCfg) throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(this);
        try {
            Class<?> node = loadClass(NODE_PACKAGE + "ParkNode");
            return (ParkNodeControl) node.getConstructor(String.class, int.class, Path.class)
                    .newInstance(clusterName, port, directoryCfg);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
