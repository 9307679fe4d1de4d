package org.callpark.spi.json;

import java.util.List;
import java.util.Objects;

import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.RingGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;

/**
 * A candidate directory as plain lists, before validation. Unlike {@link Directory}, which indexes by extension and
 * case-insensitive name, the lists keep every entry, so the validator can see two groups whose names differ only in
 * case. Disabled park groups are runtime state, not configuration, and are never part of a model. Public so that
 * other internal clients (REST, UI) can validate what they received before it collapses into a {@link Directory}.
 *
 * @param defaultTenant the tenant for unclaimed domains and IP literals
 * @param tenants       the tenants in configured order
 * @param users         the users
 * @param ringGroups    the ring groups
 * @param parkGroups    the (enabled) park groups
 */
public record DirectoryModel(TenantId defaultTenant, List<Tenant> tenants, List<User> users, List<RingGroup> ringGroups,
        List<ParkGroup> parkGroups) {

    public DirectoryModel {
        Objects.requireNonNull(defaultTenant, "defaultTenant");
        tenants = List.copyOf(tenants);
        users = List.copyOf(users);
        ringGroups = List.copyOf(ringGroups);
        parkGroups = List.copyOf(parkGroups);
    }

    /** The configuration part of a directory: everything but its disabled-until-empty park groups. */
    public static DirectoryModel of(Directory directory) {
        Objects.requireNonNull(directory, "directory");
        return new DirectoryModel(directory.defaultTenant(), directory.tenants(), directory.allUsers(),
                directory.allRingGroups(), directory.allParkGroups().stream().filter(g -> !g.disabled()).toList());
    }

    /** The directory; only meaningful for a model that passed validation (duplicates would collapse). */
    public Directory toDirectory() {
        return new Directory(defaultTenant, tenants, users, ringGroups, parkGroups);
    }
}
