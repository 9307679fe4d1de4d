package org.callpark.ui.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "has any of our roles" check of every request and login, and the migration warning for realms that still grant web access through Karaf's {@code admin}/{@code viewer} instead
 * of the {@code callpark-*} roles: logged once per user name while the bundle runs (not per request), so the log says
 * who to migrate without flooding. See docs/operations.md, "Migrating from admin/viewer".
 */
final class RoleCheck {

    private static final Logger LOG = LoggerFactory.getLogger(RoleCheck.class);

    /** Bounded by the realm's user count: only users that logged in successfully are added. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** 403 unless the caller holds one of our roles; the migration warning (once per user) if only the old names. */
    void requireAny(Caller caller) throws ApiException {
        if (!caller.canRead()) {
            throw ApiException.notPermitted("user '" + caller.user() + "' has none of the roles " + Caller.ADMIN
                    + ", " + Caller.OPERATOR + ", " + Caller.VIEWER);
        }
        check(caller);
    }

    /** @return whether this call logged the warning */
    boolean check(Caller caller) {
        if (!caller.reliesOnLegacyRoles() || !warned.add(caller.user())) {
            return false;
        }
        LOG.warn("User '{}' has Call Park access only through Karaf's role '{}'; give it role {} in the JAAS realm "
                + "(etc/users.properties or the LDAP role mapping): the old names stop working in the next release",
                caller.user(), caller.roles().contains(Caller.LEGACY_ADMIN) ? Caller.LEGACY_ADMIN
                        : Caller.LEGACY_VIEWER, roleFor(caller.level()));
        return true;
    }

    /** The least role that grants {@code permission}. */
    static String roleFor(Caller.Permission permission) {
        return switch (permission) {
            case READ -> Caller.VIEWER;
            case OPERATE -> Caller.OPERATOR;
            case CONFIGURE -> Caller.ADMIN;
        };
    }
}
