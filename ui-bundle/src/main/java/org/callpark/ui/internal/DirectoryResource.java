package org.callpark.ui.internal;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.Tenant;

/** {@code GET /tenants}, {@code /tenants/{t}/users}, {@code /tenants/{t}/ring-groups}: read-only directory views. */
final class DirectoryResource {

    /**
     * Read-modify-update of the directory through this API, one at a time on this node (park groups, tenant
     * settings): two changes built from the same snapshot would otherwise undo each other.
     */
    static final Object WRITES = new Object();

    private final DirectoryService directories;

    DirectoryResource(DirectoryService directories) {
        this.directories = directories;
    }

    void register(Router router) {
        router.add("GET", "/tenants", this::tenants);
        router.add("GET", "/tenants/{t}", this::tenant);
        router.add("GET", "/tenants/{t}/users", this::users);
        router.add("GET", "/tenants/{t}/ring-groups", this::ringGroups);
    }

    ApiResponse tenants(ApiRequest r) {
        return ApiResponse.ok(directories.current().tenants().stream().filter(t -> r.caller().sees(t.id()))
                .map(Views::tenant).toList());
    }

    ApiResponse tenant(ApiRequest r) throws ApiException {
        return ApiResponse.ok(Views.tenant(Scope.tenant(r, directories.current())));
    }

    ApiResponse users(ApiRequest r) throws ApiException {
        Directory d = directories.current();
        Tenant t = Scope.tenant(r, d);
        return ApiResponse.ok(d.users(t.id()).stream().map(u -> Views.user(d, u)).toList());
    }

    ApiResponse ringGroups(ApiRequest r) throws ApiException {
        Directory d = directories.current();
        Tenant t = Scope.tenant(r, d);
        return ApiResponse.ok(d.ringGroups(t.id()).stream().map(Views::ringGroup).toList());
    }
}
