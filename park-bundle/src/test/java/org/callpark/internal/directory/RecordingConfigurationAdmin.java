package org.callpark.internal.directory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;

import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Holds configurations in memory and records every {@code getConfiguration} and {@code update(Dictionary)} call. */
final class RecordingConfigurationAdmin implements ConfigurationAdmin {

    final List<String> requested = new ArrayList<>();
    final List<Hashtable<String, Object>> updates = new ArrayList<>();
    volatile boolean failing;
    private final Recorded configuration = new Recorded();

    /** Pretends the configuration came from a FileInstall-watched file, as in Karaf. */
    void loadedFrom(String file, Hashtable<String, Object> properties) {
        configuration.properties = new Hashtable<>(properties);
        configuration.properties.put("felix.fileinstall.filename", file);
    }

    @Override
    public Configuration getConfiguration(String pid, String location) throws IOException {
        requested.add(pid + "@" + location);
        if (failing) {
            throw new IOException("disk full");
        }
        configuration.pid = pid;
        return configuration;
    }

    @Override
    public Configuration getConfiguration(String pid) throws IOException {
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

    private final class Recorded implements Configuration {
        String pid;
        Hashtable<String, Object> properties;
        long changes;

        @Override
        public String getPid() {
            return pid;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            return properties == null ? null : new Hashtable<>(properties);
        }

        @Override
        public Dictionary<String, Object> getProcessedProperties(ServiceReference<?> reference) {
            return getProperties();
        }

        @Override
        public void update(Dictionary<String, ?> update) {
            Hashtable<String, Object> copy = new Hashtable<>();
            for (String key : Collections.list(update.keys())) {
                copy.put(key, update.get(key));
            }
            updates.add(copy);
            properties = copy;
            changes++;
        }

        @Override
        public void delete() {
            throw new UnsupportedOperationException();
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
