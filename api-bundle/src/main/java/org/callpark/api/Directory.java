package org.callpark.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of the tenants, users, ring groups and park groups. A snapshot is only ever built from a
 * configuration that passed validation as a whole (see {@link DirectoryService}); lookups are by exact extension and
 * case-insensitive group name and domain.
 */
public final class Directory {

    private final TenantId defaultTenant;
    private final Map<TenantId, Tenant> tenants;
    private final Map<TenantId, Map<String, User>> users;
    private final Map<TenantId, Map<String, RingGroup>> ringGroups;
    private final Map<TenantId, Map<String, ParkGroup>> parkGroups;
    private final Map<String, TenantId> domains;
    /** Items given twice (same tenant id, extension, or group name in a tenant): kept so that validation sees them. */
    private final List<Object> duplicates = new ArrayList<>();

    /**
     * @param defaultTenant the tenant for unclaimed domains and IP literals
     * @param tenants       every tenant
     * @param users         every user of every tenant
     * @param ringGroups    every ring group
     * @param parkGroups    every park group
     */
    public Directory(TenantId defaultTenant, List<Tenant> tenants, List<User> users, List<RingGroup> ringGroups,
            List<ParkGroup> parkGroups) {
        this.defaultTenant = defaultTenant;
        Map<TenantId, Tenant> t = new LinkedHashMap<>();
        Map<String, TenantId> d = new LinkedHashMap<>();
        for (Tenant tenant : sorted(tenants, Comparator.comparing(Tenant::id))) {
            if (t.putIfAbsent(tenant.id(), tenant) != null) {
                duplicates.add(tenant);
                continue;
            }
            for (String domain : tenant.domains()) {
                d.putIfAbsent(domain.toLowerCase(Locale.ROOT), tenant.id());
            }
        }
        this.tenants = Collections.unmodifiableMap(t);
        this.domains = Collections.unmodifiableMap(d);
        this.users = index(sorted(users, Comparator.comparing(User::extension)), User::tenant, User::extension);
        this.ringGroups = index(sorted(ringGroups, Comparator.comparing(g -> g.name().toLowerCase(Locale.ROOT))),
                RingGroup::tenant, g -> g.name().toLowerCase(Locale.ROOT));
        this.parkGroups = index(sorted(parkGroups, Comparator.comparing(g -> g.name().toLowerCase(Locale.ROOT))),
                ParkGroup::tenant, g -> g.name().toLowerCase(Locale.ROOT));
    }

    /** An empty directory: no tenants. */
    public static Directory empty() {
        return new Directory(TenantId.DEFAULT, List.of(), List.of(), List.of(), List.of());
    }

    private static <T> List<T> sorted(List<T> list, Comparator<T> order) {
        List<T> copy = new ArrayList<>(list);
        copy.sort(order);
        return copy;
    }

    /** Indexes by tenant and key; the first of two items with the same key is indexed, the second kept aside. */
    private <T> Map<TenantId, Map<String, T>> index(List<T> items, java.util.function.Function<T, TenantId> tenant,
            java.util.function.Function<T, String> key) {
        Map<TenantId, Map<String, T>> result = new LinkedHashMap<>();
        for (T item : items) {
            if (result.computeIfAbsent(tenant.apply(item), x -> new LinkedHashMap<>()).putIfAbsent(key.apply(item),
                    item) != null) {
                duplicates.add(item);
            }
        }
        result.replaceAll((k, v) -> Collections.unmodifiableMap(v));
        return Collections.unmodifiableMap(result);
    }

    /** The tenant that serves unclaimed domains and IP literals. */
    public TenantId defaultTenant() {
        return defaultTenant;
    }

    /** Every tenant as given, including one given twice (which no lookup returns and validation refuses). */
    public List<Tenant> tenants() {
        return withDuplicates(tenants.values(), Tenant.class);
    }

    private <T> List<T> withDuplicates(java.util.Collection<T> indexed, Class<T> type) {
        List<T> all = new ArrayList<>(indexed);
        for (Object d : duplicates) {
            if (type.isInstance(d)) {
                all.add(type.cast(d));
            }
        }
        return List.copyOf(all);
    }

    public Optional<Tenant> tenant(TenantId id) {
        return Optional.ofNullable(tenants.get(id));
    }

    /** The tenant that claims {@code domain} (case-insensitive), else the default tenant, if it exists. */
    public Optional<Tenant> tenantForDomain(String domain) {
        TenantId id = domain == null ? null : domains.get(domain.toLowerCase(Locale.ROOT));
        return tenant(id != null ? id : defaultTenant);
    }

    public List<User> users(TenantId tenant) {
        return List.copyOf(users.getOrDefault(tenant, Map.of()).values());
    }

    public Optional<User> user(TenantId tenant, String extension) {
        return Optional.ofNullable(users.getOrDefault(tenant, Map.of()).get(extension));
    }

    public List<RingGroup> ringGroups(TenantId tenant) {
        return List.copyOf(ringGroups.getOrDefault(tenant, Map.of()).values());
    }

    public Optional<RingGroup> ringGroup(TenantId tenant, String name) {
        return name == null ? Optional.empty()
                : Optional.ofNullable(ringGroups.getOrDefault(tenant, Map.of()).get(name.toLowerCase(Locale.ROOT)));
    }

    public List<ParkGroup> parkGroups(TenantId tenant) {
        return List.copyOf(parkGroups.getOrDefault(tenant, Map.of()).values());
    }

    /** A park group by name (case-insensitive) or by its number. */
    public Optional<ParkGroup> parkGroup(TenantId tenant, String nameOrNumber) {
        if (nameOrNumber == null || nameOrNumber.isEmpty()) {
            return Optional.empty();
        }
        Map<String, ParkGroup> groups = parkGroups.getOrDefault(tenant, Map.of());
        ParkGroup byName = groups.get(nameOrNumber.toLowerCase(Locale.ROOT));
        if (byName != null) {
            return Optional.of(byName);
        }
        return groups.values().stream().filter(g -> g.number().equals(nameOrNumber)).findFirst();
    }

    /**
     * The slot an {@code EXTENSION} or {@code GROUP} target names, by the rules of a retrieve: for {@code EXTENSION}
     * the extension's own slot, else the slot of the park group with that number; for {@code GROUP} the park group with
     * that name (or number). A group's slot is only for its members ({@code requester} null: an administrator of the
     * tenant, who may see every slot). The one place these rules live: retrieves, BLF and presence ask here.
     *
     * @throws ParkException {@code NOT_FOUND} if the tenant has no such slot; {@code NOT_PERMITTED} for a group the
     *                       requester is not a member of
     * @throws IllegalArgumentException for an {@code OWN} or {@code CALL} target, which name no single slot
     */
    public SlotId slotFor(TenantId tenant, String requester, RetrieveTarget target) throws ParkException {
        String value = target.value();
        ParkGroup group;
        switch (target.kind()) {
            case EXTENSION -> {
                if (user(tenant, value).isPresent()) {
                    return SlotId.extension(tenant, value);
                }
                group = parkGroup(tenant, value).filter(g -> g.number().equals(value))
                        .orElseThrow(() -> new ParkException(ParkException.Reason.NOT_FOUND,
                                "no extension or park group number " + value + " in tenant '" + tenant + "'"));
            }
            case GROUP -> group = parkGroup(tenant, value).orElseThrow(() -> new ParkException(
                    ParkException.Reason.NOT_FOUND, "no park group '" + value + "' in tenant '" + tenant + "'"));
            default -> throw new IllegalArgumentException(target + " names no single slot");
        }
        if (requester != null && !group.hasMember(requester)) {
            throw new ParkException(ParkException.Reason.NOT_PERMITTED,
                    "extension " + requester + " is not a member of park group '" + group.name() + "'");
        }
        return group.slot();
    }

    /**
     * What a user dials to pick up the calls parked on {@code slot}, as the user part of a SIP URI (the one rule for
     * BLF, XMPP presence and headlines): {@code *88<ext>} for an extension's slot, {@code *88<number>} for a park group
     * with a number, else {@code park+<Name>} (the directory's spelling), with the tenant's retrieve code
     * ({@link Tenant#dialPlan}) for {@code *88}. The retrieve code alone is no answer: it takes the dialling user's own
     * extension's call first.
     *
     * @return empty if the directory has no such extension or group, or if no code names the group: a group without a
     *         number whose name is all digits ({@code park+700} means extension or group number 700)
     */
    public Optional<String> retrieveCodeFor(SlotId slot) {
        String retrieve = tenant(slot.tenant()).map(Tenant::dialPlan).orElse(DialPlan.DEFAULT).retrieveCode();
        if (slot.kind() == SlotKind.EXTENSION) {
            return user(slot.tenant(), slot.name()).map(u -> retrieve + u.extension());
        }
        return parkGroup(slot.tenant(), slot.name()).filter(g -> g.slot().equals(slot)).flatMap(g -> {
            if (!g.number().isEmpty()) {
                return Optional.of(retrieve + g.number());
            }
            return g.name().chars().allMatch(c -> c >= '0' && c <= '9') ? Optional.empty()
                    : Optional.of("park+" + g.name());
        });
    }

    /** The park group the extension belongs to, if any. */
    public Optional<ParkGroup> parkGroupOf(TenantId tenant, String extension) {
        if (extension == null) {
            return Optional.empty();
        }
        return parkGroups.getOrDefault(tenant, Map.of()).values().stream()
                .filter(g -> !g.disabled() && g.hasMember(extension)).findFirst();
    }

    /** Every park group of every tenant. */
    public List<ParkGroup> allParkGroups() {
        List<ParkGroup> all = new ArrayList<>();
        parkGroups.values().forEach(m -> all.addAll(m.values()));
        return withDuplicates(all, ParkGroup.class);
    }

    /** Every user of every tenant. */
    public List<User> allUsers() {
        List<User> all = new ArrayList<>();
        users.values().forEach(m -> all.addAll(m.values()));
        return withDuplicates(all, User.class);
    }

    /** Every ring group of every tenant. */
    public List<RingGroup> allRingGroups() {
        List<RingGroup> all = new ArrayList<>();
        ringGroups.values().forEach(m -> all.addAll(m.values()));
        return withDuplicates(all, RingGroup.class);
    }

    /** This directory with extra park groups (the disabled-until-empty ones) added. */
    public Directory withParkGroups(List<ParkGroup> extra) {
        List<ParkGroup> groups = new ArrayList<>(allParkGroups());
        groups.addAll(extra);
        return new Directory(defaultTenant, tenants(), allUsers(), allRingGroups(), groups);
    }
}
