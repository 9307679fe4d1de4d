package org.callpark.ui.internal;

import org.callpark.api.Directory;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;

/**
 * Tenant visibility. A tenant the caller may not see is answered exactly like a tenant that does not exist (404), so
 * that tenant ids of other customers cannot be probed.
 */
final class Scope {

    private Scope() {
    }

    /** The tenant named by the path variable {@code t}, if it exists and the caller may see it. */
    static Tenant tenant(ApiRequest request, Directory directory) throws ApiException {
        String id = request.path("t");
        ApiException absent = ApiException.notFound("tenant '" + id + "' does not exist");
        TenantId tenant;
        try {
            tenant = TenantId.of(id);
        } catch (IllegalArgumentException e) {
            throw absent;
        }
        if (!request.caller().sees(tenant)) {
            throw absent;
        }
        return directory.tenant(tenant).orElseThrow(() -> absent);
    }
}
