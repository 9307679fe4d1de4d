package org.callpark.api;

import java.util.List;
import java.util.Objects;

/**
 * A set of extensions rung at once (e.g. the reception desk) when a recall goes to the ring group.
 *
 * @param tenant  the tenant
 * @param name    the name, unique in the tenant (case-insensitive)
 * @param members the extensions, in configured order
 */
public record RingGroup(TenantId tenant, String name, List<String> members) {

    public RingGroup {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(name, "name");
        members = members == null ? List.of() : List.copyOf(members);
    }
}
