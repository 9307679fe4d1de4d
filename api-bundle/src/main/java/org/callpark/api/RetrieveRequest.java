package org.callpark.api;

import java.util.Objects;

/**
 * A request to take a parked call out of its slot.
 *
 * @param tenant    the requester's tenant; calls of other tenants are never visible
 * @param requester the requesting extension, or {@code null} for an administrator acting for the tenant (who may
 *                  retrieve any call of the tenant but has no "own" slot)
 * @param target    which call
 * @param node      the cluster node the call is connected on ({@link ParkedCall#node()}), or {@code null} for any
 *                  node: a transport that joins the caller's media on its own node says which node it is on, and a
 *                  call carried by another node is first moved there ({@link org.callpark.spi.CallCarrier}); one that
 *                  cannot be moved is passed over
 */
public record RetrieveRequest(TenantId tenant, String requester, RetrieveTarget target, String node) {

    public RetrieveRequest {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(target, "target");
        requester = requester == null || requester.isBlank() ? null : requester;
        node = node == null || node.isBlank() ? null : node;
    }

    /** A retrieve of a call held by any node. */
    public RetrieveRequest(TenantId tenant, String requester, RetrieveTarget target) {
        this(tenant, requester, target, null);
    }

    public boolean byAdministrator() {
        return requester == null;
    }
}
