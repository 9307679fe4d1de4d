package org.callpark.api;

import java.util.Locale;
import java.util.Objects;

/**
 * A park slot: an extension's slot or a park group's slot within one tenant. Group names are case-insensitive, so a
 * group slot's name is kept in lower case; show the directory's spelling to people.
 *
 * @param tenant the tenant
 * @param kind   extension or group
 * @param name   the extension number, or the group name in lower case
 */
public record SlotId(TenantId tenant, SlotKind kind, String name) implements Comparable<SlotId> {

    public SlotId {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("invalid slot name '" + name + "'");
        }
        if (kind == SlotKind.GROUP) {
            name = name.toLowerCase(Locale.ROOT);
        }
    }

    public static SlotId extension(TenantId tenant, String extension) {
        return new SlotId(tenant, SlotKind.EXTENSION, extension);
    }

    public static SlotId group(TenantId tenant, String group) {
        return new SlotId(tenant, SlotKind.GROUP, group);
    }

    /** The stable key of this slot, {@code tenant/kind/name}, e.g. {@code default/ext/101}. */
    public String key() {
        return tenant.value() + "/" + kind.token() + "/" + name;
    }

    /**
     * Parses a key made by {@link #key()}.
     *
     * @throws IllegalArgumentException if the text is not a slot key
     */
    public static SlotId parse(String key) {
        String[] parts = key.split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("slot key must be tenant/ext|group/name: '" + key + "'");
        }
        return new SlotId(TenantId.of(parts[0]), SlotKind.fromToken(parts[1]), parts[2]);
    }

    @Override
    public int compareTo(SlotId o) {
        return key().compareTo(o.key());
    }

    @Override
    public String toString() {
        return key();
    }
}
