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
 * @param parkerVerified whether the transport verified that {@code parker} really parks the call (SIP: digest
 *                credentials of that user, a trusted proxy, or that user's registered address). A parker named by
 *                a request nobody vouched for is kept for people to see, but the recall never rings it
 *                ({@link ParkedCall#parkerVerified()}). Always {@code true} without a parker. Since 1.5.
 */
public record ParkRequest(TenantId tenant, ParkTarget target, String parker, CallerId caller, String leg,
        String session, boolean parkerVerified) {

    /** A request whose parker, if any, is verified (every request before 1.5). */
    public ParkRequest(TenantId tenant, ParkTarget target, String parker, CallerId caller, String leg,
            String session) {
        this(tenant, target, parker, caller, leg, session, true);
    }

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
        parkerVerified = parkerVerified || parker == null;
    }
}
