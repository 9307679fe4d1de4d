package org.callpark.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identifies a tenant: lower-case letters, digits and dashes, e.g. {@code default} or {@code acme}.
 *
 * @param value the identifier
 */
public record TenantId(String value) implements Comparable<TenantId> {

    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** The tenant that serves every domain no other tenant claims. */
    public static final TenantId DEFAULT = new TenantId("default");

    public TenantId {
        Objects.requireNonNull(value, "value");
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("tenant id must match " + VALID.pattern() + ": '" + value + "'");
        }
    }

    public static TenantId of(String value) {
        return new TenantId(value);
    }

    @Override
    public int compareTo(TenantId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
