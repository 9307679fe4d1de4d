package org.callpark.internal.directory;

import java.util.List;
import java.util.Locale;

import org.callpark.api.ParkException.Violation;
import org.callpark.api.TenantId;
import org.callpark.internal.FinalDestination;
import org.callpark.spi.json.DirectoryModel;

/**
 * The rules of a tenant's or park group's final destination, part of {@link DirectoryValidator}: it parses
 * ({@link FinalDestination#parse}), an extension is a user of the same tenant, a ring group is one of the same
 * tenant's, and a SIP URI does not point at a domain a tenant of this server claims (that is an extension or a feature
 * code of this server: use the extension or {@code ringgroup:} form, and no URI can ring another tenant's phones or
 * loop back into a park code). Only administrators write the directory; nothing a caller sends takes part in it. Pure
 * and thread-safe.
 */
final class FinalDestinationRules {

    private FinalDestinationRules() {
    }

    static void check(DirectoryModel m, TenantId tenant, String value, String key, String words,
            List<Violation> out) {
        FinalDestination d;
        try {
            d = FinalDestination.parse(value);
        } catch (IllegalArgumentException e) {
            out.add(new Violation(key, words + ": finalDestination " + e.getMessage()));
            return;
        }
        switch (d.kind()) {
            case EXTENSION -> {
                if (m.users().stream().noneMatch(u -> u.tenant().equals(tenant) && u.extension().equals(d.value()))) {
                    out.add(new Violation(key, words + ": finalDestination " + d.value()
                            + " is not an extension of tenant '" + tenant + "'"));
                }
            }
            case RING_GROUP -> {
                if (m.ringGroups().stream()
                        .noneMatch(r -> r.tenant().equals(tenant) && r.name().equalsIgnoreCase(d.value()))) {
                    out.add(new Violation(key, words + ": finalDestination '" + d.text()
                            + "' is not a ring group of tenant '" + tenant + "'"));
                }
            }
            case SIP_URI -> {
                String host = d.host().toLowerCase(Locale.ROOT);
                m.tenants().stream().filter(t -> t.domains().contains(host)).findFirst()
                        .ifPresent(t -> out.add(new Violation(key, words + ": finalDestination '" + d.value()
                                + "' calls domain '" + host + "' of tenant '" + t.id() + "' on this server; use "
                                + (t.id().equals(tenant) ? "the extension or ringgroup:<name> form" : "a destination"
                                        + " of tenant '" + tenant + "'"))));
            }
            default -> {
                // prompt-and-hangup
            }
        }
    }
}
