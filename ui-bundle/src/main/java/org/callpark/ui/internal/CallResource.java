package org.callpark.ui.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.Tenant;

/**
 * Parked calls: the lists, hang up (resolution {@code FORCED}) and "send to extension". A call of a tenant the caller
 * may not see is answered like a call that does not exist. Hang up and send need {@link Caller#OPERATOR} (or
 * {@link Caller#ADMIN}): acting on calls is the operator's job, configuration is not.
 */
final class CallResource {

    /** How long "send to extension" rings the extension at most. */
    static final Duration RING_FOR = Duration.ofSeconds(30);

    /** The {@code to} of a send body that means "the extension I am linked to". */
    static final String TO_ME = "me";

    private final DirectoryService directories;
    private final CallParkService park;
    private final CallSender sender;

    CallResource(DirectoryService directories, CallParkService park, CallSender sender) {
        this.directories = directories;
        this.park = park;
        this.sender = sender;
    }

    void register(Router router) {
        router.add("GET", "/calls", this::all);
        router.add("GET", "/tenants/{t}/calls", this::ofTenant);
        router.add("GET", "/tenants/{t}/calls/{id}", this::one);
        router.add("DELETE", "/tenants/{t}/calls/{id}", Caller.Permission.OPERATE, this::hangUp);
        router.add("POST", "/tenants/{t}/calls/{id}/send", Caller.Permission.OPERATE, this::send);
    }

    ApiResponse all(ApiRequest r) throws ParkException {
        Directory d = directories.current();
        List<ParkedCall> calls = park.list().stream().filter(c -> r.caller().sees(c.tenant())).toList();
        return ApiResponse.ok(Views.calls(d, calls));
    }

    ApiResponse ofTenant(ApiRequest r) throws ApiException, ParkException {
        Directory d = directories.current();
        Tenant t = Scope.tenant(r, d);
        return ApiResponse.ok(Views.calls(d, park.list(t.id())));
    }

    ApiResponse one(ApiRequest r) throws ApiException, ParkException {
        Directory d = directories.current();
        return ApiResponse.ok(Views.call(d, live(r, d)));
    }

    ApiResponse hangUp(ApiRequest r) throws ApiException, ParkException {
        ParkedCall call = live(r, directories.current());
        park.end(call.id(), Resolution.FORCED);
        return ApiResponse.noContent();
    }

    /**
     * "Send to": {@code {"extension":"104"}} rings that extension; {@code {"to":"me"}} rings the extension the web user
     * is linked to in the call's tenant ({@link WebUserLinks}), resolved here: 409 {@code NOT_LINKED} without a link.
     */
    ApiResponse send(ApiRequest r) throws ApiException, ParkException {
        Directory d = directories.current();
        ParkedCall call = live(r, d);
        Dtos.SendBody body = Json.read(r.body(), Dtos.SendBody.class);
        String extension = body.extension() == null ? "" : body.extension().trim();
        if (body.to() != null) {
            if (!body.to().equals(TO_ME)) {
                throw ApiException.invalid("to", "to can only be \"" + TO_ME + "\" (the extension this web user is"
                        + " linked to), was '" + body.to() + "'");
            }
            if (!extension.isEmpty()) {
                throw ApiException.invalid("to", "give either extension or to, not both");
            }
            extension = WebUserLinks.in(d, r.caller(), call.tenant())
                    .orElseThrow(() -> WebUserLinks.notLinked(r.caller(), call.tenant())).extension();
        }
        if (extension.isEmpty()) {
            throw ApiException.invalid("extension", "extension is required, e.g. {\"extension\": \"104\"}"
                    + " (or {\"to\": \"me\"})");
        }
        sender.send(call, extension, RING_FOR);
        return new ApiResponse(202, new Dtos.SendingDto("RINGING", extension), Map.of());
    }

    /** The live call {@code id} of the visible tenant {@code t}. */
    private ParkedCall live(ApiRequest r, Directory d) throws ApiException, ParkException {
        Tenant t = Scope.tenant(r, d);
        String id = r.path("id");
        return park.find(id).filter(c -> c.tenant().equals(t.id()) && c.isLive())
                .orElseThrow(() -> ApiException.notFound("tenant '" + t.id() + "' has no parked call '" + id + "'"));
    }
}
