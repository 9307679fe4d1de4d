package org.callpark.ui.internal;

import java.util.List;

import org.callpark.api.DialPlan;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.RecallLabels;
import org.callpark.api.Tenant;

/**
 * {@code GET/PUT /tenants/{t}/settings}: what an administrator sets per tenant besides its park groups — the feature
 * codes ({@link DialPlan}), the recall labels ({@link RecallLabels}), the prompt language and the final destination
 * of calls whose park group sets none. A PUT builds the
 * candidate directory (the tenant with these settings, everything else as configured) and hands it to
 * {@link DirectoryService#update}, which validates it with the directory file's own rules and writes it through
 * ConfigAdmin back to the file, as park group changes are. Its violations come back on the body's fields
 * ({@link ApiErrors#settingsField}); nothing here repeats a rule.
 */
final class TenantSettingsResource {

    private final DirectoryService directories;

    TenantSettingsResource(DirectoryService directories) {
        this.directories = directories;
    }

    void register(Router router) {
        router.add("GET", "/tenants/{t}/settings", this::get);
        router.add("PUT", "/tenants/{t}/settings", this::replace);
    }

    ApiResponse get(ApiRequest r) throws ApiException {
        return ApiResponse.ok(Views.tenantSettings(Scope.tenant(r, directories.current())));
    }

    /**
     * The whole settings: a field left out or empty takes its default (the codes {@code *68}/{@code *88}/{@code *58},
     * labels inherited from the SIP configuration, the media bundle's default language).
     */
    ApiResponse replace(ApiRequest r) throws ApiException {
        Scope.tenant(r, directories.current()); // an invisible tenant is 404 whatever the body
        Dtos.TenantSettingsDto b = Json.read(r.body(), Dtos.TenantSettingsDto.class);
        Tenant next;
        synchronized (DirectoryResource.WRITES) {
            Directory d = directories.current();
            Tenant t = Scope.tenant(r, d);
            next = t.withSettings(new DialPlan(b.parkCode(), b.retrieveCode(), b.groupParkCode()),
                    new RecallLabels(b.alertInfo(), b.callerIdPrefix()), b.language(), b.finalDestination());
            try {
                directories.update(candidate(d, next));
            } catch (ParkException e) {
                throw ApiErrors.translate(e, ApiErrors::settingsField);
            }
        }
        return ApiResponse.ok(Views.tenantSettings(directories.current().tenant(next.id()).orElse(next)));
    }

    /** The configured directory with {@code tenant} replaced (removed park groups are runtime state, left out). */
    private static Directory candidate(Directory d, Tenant tenant) {
        List<Tenant> tenants = d.tenants().stream().map(t -> t.id().equals(tenant.id()) ? tenant : t).toList();
        return new Directory(d.defaultTenant(), tenants, d.allUsers(), d.allRingGroups(),
                d.allParkGroups().stream().filter(g -> !g.disabled()).toList());
    }
}
