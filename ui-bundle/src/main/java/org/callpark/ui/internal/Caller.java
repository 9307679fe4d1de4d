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
 * <li>{@value #ADMIN} changes configuration (park groups) and acts on calls, {@value #OPERATOR} acts on calls (hang
 * up, send to an extension: the board's buttons) and reads, {@value #VIEWER} only reads; a user with none of them
 * may do nothing here. Each role includes the ones below it.</li>
 * <li>Migration from release 0.1: Karaf's own {@value #LEGACY_ADMIN} still counts as {@value #ADMIN} and
 * {@value #LEGACY_VIEWER} as {@value #VIEWER}, so existing realms keep working; {@link #reliesOnLegacyRoles()} tells
 * the server to warn (docs/operations.md, "Migrating from admin/viewer"). Karaf's {@code admin} implies
 * {@value #ADMIN} the way Karaf's own ACLs let {@code admin} do everything.</li>
 * <li>Roles {@code callpark-tenant-<id>} limit the user to those tenants, whatever the role; without any, every tenant
 * is visible.</li>
 * </ul>
 *
 * @param user  the login name
 * @param roles every role, sorted
 */
public record Caller(String user, Set<String> roles) {

    public static final String ADMIN = "callpark-admin";
    public static final String OPERATOR = "callpark-operator";
    public static final String VIEWER = "callpark-viewer";
    /** Karaf's administrator role; the only web role of release 0.1. */
    public static final String LEGACY_ADMIN = "admin";
    /** Karaf's read-only role; the read-only web role of release 0.1. */
    public static final String LEGACY_VIEWER = "viewer";
    public static final String TENANT_ROLE_PREFIX = "callpark-tenant-";

    /** What a request needs, in increasing order: each level includes the ones before it. */
    public enum Permission {
        /** Lists, the directory, the event stream. */
        READ,
        /** Hang up a parked call, send it to an extension. */
        OPERATE,
        /** Park group create, change, delete. */
        CONFIGURE
    }

    public Caller {
        Objects.requireNonNull(user, "user");
        roles = Set.copyOf(new TreeSet<>(roles));
    }

    /** The highest permission the roles give, or {@code null} for none. */
    public Permission level() {
        Permission own = levelOf(roles.contains(ADMIN), roles.contains(OPERATOR), roles.contains(VIEWER));
        Permission legacy = levelOf(roles.contains(LEGACY_ADMIN), false, roles.contains(LEGACY_VIEWER));
        if (own == null) {
            return legacy;
        }
        return legacy == null || own.compareTo(legacy) >= 0 ? own : legacy;
    }

    private static Permission levelOf(boolean admin, boolean operator, boolean viewer) {
        return admin ? Permission.CONFIGURE : operator ? Permission.OPERATE : viewer ? Permission.READ : null;
    }

    /** Whether the roles allow {@code needed} (tenant scope aside: see {@link #sees(TenantId)}). */
    public boolean may(Permission needed) {
        Permission level = level();
        return level != null && level.compareTo(needed) >= 0;
    }

    /**
     * Whether this caller gets more from the old names {@code admin}/{@code viewer} than from the {@code callpark-*}
     * roles: such a realm should be migrated (the server warns once per user).
     */
    public boolean reliesOnLegacyRoles() {
        Permission own = levelOf(roles.contains(ADMIN), roles.contains(OPERATOR), roles.contains(VIEWER));
        Permission all = level();
        return all != null && (own == null || own.compareTo(all) < 0);
    }

    /** Park group changes (and everything an operator may). */
    public boolean canEdit() {
        return may(Permission.CONFIGURE);
    }

    /** Hang up, send to an extension. */
    public boolean canOperate() {
        return may(Permission.OPERATE);
    }

    public boolean canRead() {
        return may(Permission.READ);
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

    /** Whether this caller may see (and, with the role for it, act on or change) the tenant. */
    public boolean sees(TenantId tenant) {
        Set<String> scope = tenantScope();
        return scope.isEmpty() || scope.contains(tenant.value());
    }

    /** The roles in a stable order, for JSON. */
    public List<String> sortedRoles() {
        return List.copyOf(new TreeSet<>(roles));
    }
}
