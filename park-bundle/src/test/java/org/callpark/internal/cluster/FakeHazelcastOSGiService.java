package org.callpark.internal.cluster;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.Bundle;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.osgi.HazelcastOSGiInstance;
import com.hazelcast.osgi.HazelcastOSGiService;

/**
 * Hazelcast's OSGi service outside OSGi: real members, kept by name like the Hazelcast bundle keeps them, wrapped in a
 * proxy implementing {@link HazelcastOSGiInstance}.
 */
final class FakeHazelcastOSGiService implements HazelcastOSGiService {

    final AtomicInteger created = new AtomicInteger();
    private final Map<String, HazelcastOSGiInstance> instances = new ConcurrentHashMap<>();

    @Override
    public String getId() {
        return "fake";
    }

    @Override
    public Bundle getOwnerBundle() {
        return null;
    }

    @Override
    public HazelcastOSGiInstance getDefaultHazelcastInstance() {
        return null;
    }

    @Override
    public HazelcastOSGiInstance newHazelcastInstance(Config config) {
        HazelcastInstance delegate = Hazelcast.newHazelcastInstance(config);
        HazelcastOSGiInstance wrapped = (HazelcastOSGiInstance) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { HazelcastOSGiInstance.class }, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getDelegatedInstance":
                            return delegate;
                        case "getOwnerService":
                            return this;
                        case "equals":
                            return proxy == args[0];
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "toString":
                            return "osgi(" + delegate.getName() + ")";
                        default:
                            try {
                                return method.invoke(delegate, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
        created.incrementAndGet();
        instances.put(delegate.getName(), wrapped);
        return wrapped;
    }

    @Override
    public HazelcastOSGiInstance newHazelcastInstance() {
        throw new UnsupportedOperationException();
    }

    @Override
    public HazelcastOSGiInstance getHazelcastInstanceByName(String name) {
        return instances.get(name);
    }

    @Override
    public Set<HazelcastOSGiInstance> getAllHazelcastInstances() {
        return new HashSet<>(instances.values());
    }

    @Override
    public void shutdownHazelcastInstance(HazelcastOSGiInstance instance) {
        instances.values().remove(instance);
        instance.getDelegatedInstance().shutdown();
    }

    @Override
    public void shutdownAll() {
        for (HazelcastOSGiInstance i : getAllHazelcastInstances()) {
            shutdownHazelcastInstance(i);
        }
    }
}
