package org.callpark.internal.directory;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/**
 * ConfigAdmin for the one PID {@code org.callpark.directory}, delivering like Felix's: {@link Configuration#update}
 * stores the properties and then, on a thread of its own and in order, hands them to the component (as DS calls
 * {@code modified}) and sends a {@code CM_UPDATED} event to the {@link ConfigurationListener}s. Every update is
 * recorded. {@link #fileEdited} plays FileInstall: an edit of the etc file arrives as an update carrying
 * {@code felix.fileinstall.filename}.
 */
final class DeliveringConfigurationAdmin implements ConfigurationAdmin, AutoCloseable {

    static final String FILE = "file:/opt/karaf/etc/org.callpark.directory.cfg";

    /** Every {@code update(Dictionary)}, in order. */
    final List<Map<String, Object>> updates = new CopyOnWriteArrayList<>();

    private final List<Consumer<Map<String, Object>>> components = new CopyOnWriteArrayList<>();
    private final List<ConfigurationListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-configadmin-delivery");
        t.setDaemon(true);
        return t;
    });
    private final Stored configuration = new Stored();
    @SuppressWarnings("unchecked")
    private final ServiceReference<ConfigurationAdmin> reference = (ServiceReference<ConfigurationAdmin>) Proxy
            .newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ServiceReference.class },
                    (proxy, method, args) -> switch (method.getName()) {
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "toString" -> "ServiceReference[ConfigurationAdmin]";
                        default -> null;
                    });

    /** The etc file as FileInstall loaded it at boot, before the component activated (no event). */
    void loaded(Map<String, ?> file) {
        Hashtable<String, Object> p = new Hashtable<>(file);
        p.put(DirectoryProperties.FILEINSTALL_FILENAME, FILE);
        p.put("service.pid", DirectoryProperties.PID);
        configuration.properties = p;
    }

    /** What DS hands the component now: the configuration (if any) plus DS's own properties. */
    Map<String, Object> componentProperties() {
        Map<String, Object> m = new HashMap<>();
        Hashtable<String, Object> p = configuration.properties;
        if (p != null) {
            m.putAll(p);
        }
        m.put("component.name", DirectoryServiceImpl.class.getName());
        m.put("component.id", 7L);
        return m;
    }

    /** FileInstall: the etc file was edited. */
    void fileEdited(Map<String, ?> file) {
        Hashtable<String, Object> p = new Hashtable<>(file);
        p.put(DirectoryProperties.FILEINSTALL_FILENAME, FILE);
        configuration.update(p);
    }

    /** FileInstall: the etc file was deleted. */
    void fileDeleted() {
        configuration.delete();
    }

    /** The component DS would call {@code modified} on. */
    void deliverTo(Consumer<Map<String, Object>> component) {
        components.add(component);
    }

    void addListener(ConfigurationListener listener) {
        listeners.add(listener);
    }

    /** The current properties without ConfigAdmin's and FileInstall's bookkeeping, {@code null} if none. */
    Map<String, Object> directoryProperties() {
        Hashtable<String, Object> p = configuration.properties;
        if (p == null) {
            return null;
        }
        Map<String, Object> m = new HashMap<>(p);
        m.keySet().removeIf(k -> k.startsWith("felix.") || k.startsWith("service."));
        return m;
    }

    /** Waits until everything updated so far has been delivered. */
    void drain() throws Exception {
        delivery.submit(() -> {
        }).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        delivery.shutdownNow();
    }

    @Override
    public Configuration getConfiguration(String pid, String location) {
        if (!DirectoryProperties.PID.equals(pid)) {
            throw new IllegalArgumentException("only " + DirectoryProperties.PID + " here, not " + pid);
        }
        return configuration;
    }

    @Override
    public Configuration getConfiguration(String pid) {
        return getConfiguration(pid, null);
    }

    @Override
    public Configuration createFactoryConfiguration(String factoryPid) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Configuration createFactoryConfiguration(String factoryPid, String location) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name, String location) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Configuration[] listConfigurations(String filter) {
        throw new UnsupportedOperationException();
    }

    private final class Stored implements Configuration {
        volatile Hashtable<String, Object> properties;
        volatile long changes;

        @Override
        public String getPid() {
            return DirectoryProperties.PID;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            Hashtable<String, Object> p = properties;
            return p == null ? null : new Hashtable<>(p);
        }

        @Override
        public Dictionary<String, Object> getProcessedProperties(ServiceReference<?> ref) {
            return getProperties();
        }

        @Override
        public synchronized void update(Dictionary<String, ?> update) {
            Hashtable<String, Object> copy = new Hashtable<>();
            for (String key : Collections.list(update.keys())) {
                copy.put(key, update.get(key));
            }
            copy.put("service.pid", DirectoryProperties.PID);
            properties = copy;
            changes++;
            updates.add(Collections.unmodifiableMap(new HashMap<>(copy)));
            Map<String, Object> delivered = componentProperties();
            delivery.execute(() -> {
                components.forEach(c -> c.accept(delivered));
                ConfigurationEvent event = new ConfigurationEvent(reference, ConfigurationEvent.CM_UPDATED, null,
                        DirectoryProperties.PID);
                listeners.forEach(l -> l.configurationEvent(event));
            });
        }

        /** FileInstall deletes the configuration when its etc file is deleted. */
        @Override
        public synchronized void delete() {
            properties = null;
            changes++;
            Map<String, Object> delivered = componentProperties();
            delivery.execute(() -> {
                components.forEach(c -> c.accept(delivered));
                ConfigurationEvent event = new ConfigurationEvent(reference, ConfigurationEvent.CM_DELETED, null,
                        DirectoryProperties.PID);
                listeners.forEach(l -> l.configurationEvent(event));
            });
        }

        @Override
        public String getFactoryPid() {
            return null;
        }

        @Override
        public void update() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean updateIfDifferent(Dictionary<String, ?> update) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setBundleLocation(String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String getBundleLocation() {
            return "?";
        }

        @Override
        public long getChangeCount() {
            return changes;
        }

        @Override
        public void addAttributes(ConfigurationAttribute... attrs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<ConfigurationAttribute> getAttributes() {
            return Set.of();
        }

        @Override
        public void removeAttributes(ConfigurationAttribute... attrs) {
            throw new UnsupportedOperationException();
        }
    }
}
