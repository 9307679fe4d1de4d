package org.callpark.api;

import java.util.Objects;

/**
 * A request to park a call. Every transport builds this one model.
 *
 * @param tenant the tenant (from the request's domain)
 * @param target where to park
 * @param parker the extension that parks the call (the transferor), or {@code null} if not known
 * @param caller the party being parked
 * @param leg     the owning node's handle for the caller's leg, opaque to the service (may be empty)
 * @param session the carrier's session record ({@link ParkedCall#session()}), opaque to the service (may be empty)
 */
public record ParkRequest(TenantId tenant, ParkTarget target, String parker, CallerId caller, String leg,
        String session) {

    /** A request without a carrier session. */
    public ParkRequest(TenantId tenant, ParkTarget target, String parker, CallerId caller, String leg) {
        this(tenant, target, parker, caller, leg, "");
    }

    public ParkRequest {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(caller, "caller");
        parker = parker == null || parker.isBlank() ? null : parker;
        leg = leg == null ? "" : leg;
        session = session == null ? "" : session;
    }
}
