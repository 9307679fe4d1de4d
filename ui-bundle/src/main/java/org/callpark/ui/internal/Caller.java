package org.callpark.ui.internal;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.callpark.api.TenantId;

/**
 * Who sends a request, as the Karaf JAAS realm says: the user name and the role principals (groups already expanded).
 *
 * <ul>
 * <li>{@value #ADMIN} reads and changes, {@value #VIEWER} only reads; a user with neither may do nothing here.</li>
 * <li>Roles {@code callpark-tenant-<id>} limit the user to those tenants; without any, every tenant is visible.</li>
 * </ul>
 *
 * @param user  the login name
 * @param roles every role, sorted
 */
public record Caller(String user, Set<String> roles) {

    public static final String ADMIN = "admin";
    public static final String VIEWER = "viewer";
    public static final String TENANT_ROLE_PREFIX = "callpark-tenant-";

    public Caller {
        Objects.requireNonNull(user, "user");
        roles = Set.copyOf(new TreeSet<>(roles));
    }

    public boolean canEdit() {
        return roles.contains(ADMIN);
    }

    public boolean canRead() {
        return canEdit() || roles.contains(VIEWER);
    }

    /** The tenants named by {@code callpark-tenant-*} roles; empty means every tenant. */
    public Set<String> tenantScope() {
        Set<String> scope = new TreeSet<>();
        for (String role : roles) {
            if (role.startsWith(TENANT_ROLE_PREFIX) && role.length() > TENANT_ROLE_PREFIX.length()) {
                scope.add(role.substring(TENANT_ROLE_PREFIX.length()));
            }
        }
        return scope;
    }

    /** Whether this caller may see (and, with {@link #canEdit()}, change) the tenant. */
    public boolean sees(TenantId tenant) {
        Set<String> scope = tenantScope();
        return scope.isEmpty() || scope.contains(tenant.value());
    }

    /** The roles in a stable order, for JSON. */
    public List<String> sortedRoles() {
        return List.copyOf(new TreeSet<>(roles));
    }
}
