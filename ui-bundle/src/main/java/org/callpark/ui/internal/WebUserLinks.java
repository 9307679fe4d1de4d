package org.callpark.ui.internal;

import java.util.List;
import java.util.Optional;

import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.TenantId;
import org.callpark.api.User;

/**
 * Which extension a web user sits at: the directory's {@code user.<t>.<ext>.login} names the Karaf JAAS user, at most
 * one extension per tenant (the directory validates that). The session shows the links so that the board can offer
 * "Send to me" and the "Mine" / "My group" filters; "send to me" resolves the extension here, on the server, from the
 * logged-in user: the browser never names the extension it means by "me". Read from the directory of the moment, so a
 * changed link applies to the next request. Pure.
 */
final class WebUserLinks {

    private WebUserLinks() {
    }

    /** The extension {@code caller} is linked to in {@code tenant}, if any. */
    static Optional<User> in(Directory d, Caller caller, TenantId tenant) {
        return d.users(tenant).stream().filter(u -> u.isLinkedTo(caller.user())).findFirst();
    }

    /** Every link of {@code caller} in the tenants it may see, in the directory's tenant order. */
    static List<Dtos.LinkDto> of(Directory d, Caller caller) {
        return d.tenants().stream().map(t -> t.id()).filter(caller::sees)
                .flatMap(t -> in(d, caller, t).stream())
                .map(u -> new Dtos.LinkDto(u.tenant().value(), u.extension(), u.displayName(),
                        d.parkGroupOf(u.tenant(), u.extension()).map(ParkGroup::name).orElse(null)))
                .toList();
    }

    /** 409 {@code NOT_LINKED}: what "send to me" answers for a web user linked to no extension of the tenant. */
    static ApiException notLinked(Caller caller, TenantId tenant) {
        return new ApiException(409, "NOT_LINKED", "web user '" + caller.user() + "' is linked to no extension of"
                + " tenant '" + tenant + "'; an administrator links it in the directory: user." + tenant
                + ".<extension>.login = " + caller.user());
    }
}
