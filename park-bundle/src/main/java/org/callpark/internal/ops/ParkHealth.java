package org.callpark.internal.ops;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.spi.ClusterNode;
import org.callpark.spi.health.HealthCheck;
import org.callpark.spi.health.HealthCheck.Result;
import org.callpark.spi.metrics.MeterBinders;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The park core's health checks for {@code /callpark/health}: {@code cluster} (the Hazelcast member runs; the figure
 * is the cluster size) and {@code directory} (the active directory has a tenant and passes validation). Registered
 * while the cluster member and the directory service are there: when they go (bundle stopped), the checks go and
 * the health answer says "not running".
 */
@Component(service = {}, immediate = true)
public final class ParkHealth {

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    public ParkHealth(@Reference ClusterNode cluster, @Reference DirectoryService directory, BundleContext context) {
        registrations.add(context.registerService(HealthCheck.class, () -> cluster(cluster), name("cluster")));
        registrations.add(context.registerService(HealthCheck.class, () -> directory(directory), name("directory")));
    }

    static Result cluster(ClusterNode cluster) {
        try {
            var instance = cluster.instance();
            if (instance == null || !instance.getLifecycleService().isRunning()) {
                return Result.down("member not running");
            }
            return Result.up("members=" + instance.getCluster().getMembers().size());
        } catch (RuntimeException e) {
            return Result.down("member not running");
        }
    }

    static Result directory(DirectoryService directory) {
        Directory current = directory.current();
        if (current.tenants().isEmpty()) {
            return Result.down("no tenant configured");
        }
        int violations = directory.validate(current).size();
        return violations == 0 ? Result.up("tenants=" + current.tenants().size())
                : Result.down(violations + " violations");
    }

    private static Dictionary<String, Object> name(String name) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HealthCheck.NAME, name);
        return props;
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(MeterBinders::unregister);
        registrations.clear();
    }
}
