package org.callpark.ui.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallLabels;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotKind;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;

/**
 * Park group CRUD. Every change builds the candidate directory (the configured park groups with this one added,
 * replaced or removed) and hands it to {@link DirectoryService#update}: the directory's own validation decides, and
 * its violations come back to the client field by field ({@link ApiErrors}). Nothing here repeats a rule (a second
 * group with the same name is kept by the candidate {@link Directory} for the validator to refuse).
 */
final class ParkGroupResource {

    static final String BASE = "/callpark/api/v1";

    private final DirectoryService directories;
    private final CallParkService park;
    /** Read-modify-update of the directory, one at a time on this node. */
    private final Object lock = DirectoryResource.WRITES;

    ParkGroupResource(DirectoryService directories, CallParkService park) {
        this.directories = directories;
        this.park = park;
    }

    void register(Router router) {
        router.add("GET", "/tenants/{t}/park-groups", this::list);
        router.add("POST", "/tenants/{t}/park-groups", this::create);
        router.add("GET", "/tenants/{t}/park-groups/{name}", this::get);
        router.add("PUT", "/tenants/{t}/park-groups/{name}", this::replace);
        router.add("DELETE", "/tenants/{t}/park-groups/{name}", this::delete);
    }

    ApiResponse list(ApiRequest r) throws ApiException {
        Directory d = directories.current();
        Tenant t = Scope.tenant(r, d);
        Counts counts = counts(t.id());
        return ApiResponse.ok(d.parkGroups(t.id()).stream().map(g -> Views.parkGroup(g, counts.of(g))).toList());
    }

    ApiResponse get(ApiRequest r) throws ApiException {
        Directory d = directories.current();
        Tenant t = Scope.tenant(r, d);
        ParkGroup g = byName(d, t.id(), r.path("name")).orElseThrow(() -> absent(t.id(), r.path("name")));
        return ApiResponse.ok(Views.parkGroup(g, counts(t.id()).of(g)));
    }

    ApiResponse create(ApiRequest r) throws ApiException, ParkException {
        Scope.tenant(r, directories.current()); // an invisible tenant is 404 whatever the body
        Dtos.ParkGroupBody body = Json.read(r.body(), Dtos.ParkGroupBody.class);
        ParkGroup group;
        synchronized (lock) {
            Directory d = directories.current();
            Tenant t = Scope.tenant(r, d);
            group = toGroup(t, body, "");
            List<ParkGroup> groups = configured(d);
            groups.add(group);
            directories.update(candidate(d, groups));
        }
        return new ApiResponse(201, saved(group), Map.of("Location", location(group)));
    }

    ApiResponse replace(ApiRequest r) throws ApiException, ParkException {
        Scope.tenant(r, directories.current()); // an invisible tenant is 404 whatever the body
        Dtos.ParkGroupBody body = Json.read(r.body(), Dtos.ParkGroupBody.class);
        ParkGroup group;
        synchronized (lock) {
            Directory d = directories.current();
            Tenant t = Scope.tenant(r, d);
            ParkGroup old = enabled(d, t.id(), r.path("name"));
            group = toGroup(t, body, old.name());
            List<ParkGroup> groups = configured(d);
            groups.removeIf(g -> same(g, old));
            groups.add(group);
            directories.update(candidate(d, groups));
        }
        return new ApiResponse(200, saved(group), Map.of());
    }

    ApiResponse delete(ApiRequest r) throws ApiException, ParkException {
        synchronized (lock) {
            Directory d = directories.current();
            Tenant t = Scope.tenant(r, d);
            ParkGroup old = enabled(d, t.id(), r.path("name"));
            List<ParkGroup> groups = configured(d);
            groups.removeIf(g -> same(g, old));
            directories.update(candidate(d, groups));
        }
        return ApiResponse.noContent();
    }

    /** A client's park group; fields it leaves out take the tenant's recall defaults. */
    static ParkGroup toGroup(Tenant tenant, Dtos.ParkGroupBody b, String defaultName) throws ApiException {
        RecallPolicy defaults = tenant.recallDefaults();
        RecallMode mode = defaults.mode();
        if (b.recallTo() != null) {
            try {
                mode = RecallMode.valueOf(b.recallTo());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("recallTo", "recallTo must be one of " + Arrays.stream(RecallMode.values())
                        .map(Enum::name).collect(Collectors.joining(", ")) + ", was '" + b.recallTo() + "'");
            }
        }
        String ringGroup = b.ringGroup() != null ? b.ringGroup() : b.recallTo() == null ? defaults.ringGroup() : "";
        List<String> members = b.members() == null ? List.of() : b.members();
        if (members.stream().anyMatch(m -> m == null)) {
            throw ApiException.invalid("members", "members must be extensions, e.g. [\"101\", \"102\"]; null found");
        }
        Duration ring = b.ringDurationSeconds() != null ? Duration.ofSeconds(b.ringDurationSeconds())
                : defaults.ringDuration();
        Duration wait = b.waitBeforeRingGroupSeconds() != null ? Duration.ofSeconds(b.waitBeforeRingGroupSeconds())
                : defaults.waitBeforeRingGroup();
        int retries = b.retries() != null ? b.retries() : defaults.retries();
        return new ParkGroup(tenant.id(), b.name() != null ? b.name() : defaultName, b.number(), members, mode,
                ringGroup, ring, wait, retries, false, new RecallLabels(b.alertInfo(), b.callerIdPrefix()),
                b.finalDestination());
    }

    /** The park groups of the configuration (the disabled-until-empty ones are runtime state, not configuration). */
    private static List<ParkGroup> configured(Directory d) {
        return new ArrayList<>(d.allParkGroups().stream().filter(g -> !g.disabled()).toList());
    }

    private static Directory candidate(Directory d, List<ParkGroup> groups) {
        return new Directory(d.defaultTenant(), d.tenants(), d.allUsers(), d.allRingGroups(), groups);
    }

    private static boolean same(ParkGroup a, ParkGroup b) {
        return a.tenant().equals(b.tenant()) && a.name().equalsIgnoreCase(b.name());
    }

    private static Optional<ParkGroup> byName(Directory d, TenantId tenant, String name) {
        return d.parkGroups(tenant).stream().filter(g -> g.name().equalsIgnoreCase(name)).findFirst();
    }

    private static ParkGroup enabled(Directory d, TenantId tenant, String name) throws ApiException {
        ParkGroup g = byName(d, tenant, name).orElseThrow(() -> absent(tenant, name));
        if (g.disabled()) {
            throw new ApiException(409, "CONFLICT", "park group '" + g.name() + "' of tenant '" + tenant
                    + "' was removed and only waits for its parked calls to end; create it again to use it");
        }
        return g;
    }

    private static ApiException absent(TenantId tenant, String name) {
        return ApiException.notFound("tenant '" + tenant + "' has no park group '" + name + "'");
    }

    /** The group as the directory now has it (normalised), else as sent. */
    private Dtos.ParkGroupDto saved(ParkGroup group) {
        ParkGroup g = byName(directories.current(), group.tenant(), group.name()).orElse(group);
        return Views.parkGroup(g, counts(group.tenant()).of(g));
    }

    static String location(ParkGroup g) {
        return BASE + "/tenants/" + g.tenant() + "/park-groups/" + URLEncoder.encode(g.name(), StandardCharsets.UTF_8);
    }

    private Counts counts(TenantId tenant) {
        try {
            return new Counts(park.list(tenant));
        } catch (ParkException e) {
            return new Counts(null);
        }
    }

    /** Live calls per group slot; {@code null} counts when the cluster store could not be asked. */
    private record Counts(List<ParkedCall> calls) {
        Integer of(ParkGroup g) {
            if (calls == null) {
                return null;
            }
            String slot = g.name().toLowerCase(Locale.ROOT);
            return (int) calls.stream()
                    .filter(c -> c.slot().kind() == SlotKind.GROUP && c.slot().name().equals(slot)).count();
        }
    }
}
