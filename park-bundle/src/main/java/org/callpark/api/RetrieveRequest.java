package org.callpark.api;

import java.util.Objects;

/**
 * A request to take a parked call out of its slot.
 *
 * @param tenant    the requester's tenant; calls of other tenants are never visible
 * @param requester the requesting extension, or {@code null} for an administrator acting for the tenant (who may
 *                  retrieve any call of the tenant but has no "own" slot)
 * @param target    which call
 */
public record RetrieveRequest(TenantId tenant, String requester, RetrieveTarget target) {

    public RetrieveRequest {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(target, "target");
        requester = requester == null || requester.isBlank() ? null : requester;
    }

    public boolean byAdministrator() {
        return requester == null;
    }
}
