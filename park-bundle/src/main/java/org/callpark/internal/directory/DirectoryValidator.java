package org.callpark.internal.directory;

import static org.callpark.spi.json.DirectoryKeys.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.callpark.api.Directory;
import org.callpark.api.ParkException.Violation;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RingGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.callpark.spi.json.DirectoryModel;
import org.callpark.spi.json.Durations;

/**
 * The directory rules, applied to a candidate as a whole: every violation is collected, nothing stops at the first.
 * Each violation's field is the configuration key an administrator would edit (also for directories built by code,
 * e.g. from REST DTOs), its message names tenant, user or group in words. Pure and thread-safe.
 */
public final class DirectoryValidator {

    /** Group names appear in SIP URIs ({@code park+Sales}) and JIDs. */
    static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");
    static final Pattern EXTENSION = Pattern.compile("[0-9]{1,15}");
    private static final Pattern HOST = Pattern
            .compile("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern JID_FORMAT = Pattern.compile("[^@\\s/]+@[^@\\s/]+");
    private static final Pattern HA1_FORMAT = Pattern.compile("[0-9a-f]{32}");
    /** Goes into a quoted {@code realm="…"} parameter: printable ASCII, no quote, no backslash. */
    private static final Pattern REALM_FORMAT = Pattern.compile("[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]{1,64}");

    /**
     * The rule that needs the directory a change replaces: a user known only by HA1 cannot follow a change of the
     * tenant's realm (its own {@code realm}, or its first domain when the realm derives from it), because the HA1 of
     * the new realm needs the password. Such a change is rejected naming the user's {@code password}, unless the
     * change also gives a new {@code ha1} (one that is not the old realm's).
     *
     * @param previous the directory the change replaces ({@code null}: none, nothing to compare)
     * @param next     the changed directory
     */
    public List<Violation> validateChange(Directory previous, DirectoryModel next) {
        List<Violation> out = new ArrayList<>();
        if (previous == null) {
            return out;
        }
        Map<TenantId, String> realms = new HashMap<>();
        next.tenants().forEach(t -> realms.putIfAbsent(t.id(), t.digestRealm()));
        for (User u : next.users()) {
            String realm = realms.get(u.tenant());
            Optional<Tenant> before = previous.tenant(u.tenant());
            if (!u.sipPassword().isEmpty() || u.ha1().isEmpty() || realm == null || before.isEmpty()
                    || before.get().digestRealm().equals(realm)) {
                continue;
            }
            String oldRealm = before.get().digestRealm();
            boolean oldHa1 = previous.user(u.tenant(), u.extension())
                    .map(p -> p.ha1For(oldRealm).equals(u.ha1())).orElse(false);
            if (oldHa1) {
                out.add(new Violation(userKey(u.tenant(), u.extension(), PASSWORD),
                        userWords(u.tenant().value(), u.extension()) + ": the realm changes from '" + oldRealm
                                + "' to '" + realm + "'; HA1 of the old realm cannot be re-computed: give the password"
                                + " again"));
            }
        }
        return out;
    }

    /** Checks a directory built by code; its disabled park groups are runtime state and are not checked. */
    public List<Violation> validate(Directory candidate) {
        return validate(DirectoryModel.of(candidate));
    }

    public List<Violation> validate(DirectoryModel m) {
        List<Violation> out = new ArrayList<>();
        Map<TenantId, Tenant> tenants = new LinkedHashMap<>();
        for (Tenant t : m.tenants()) {
            if (tenants.putIfAbsent(t.id(), t) != null) {
                out.add(new Violation(TENANTS, tenantWords(t.id().value()) + " is defined twice"));
            }
        }
        if (!tenants.isEmpty() && !tenants.containsKey(m.defaultTenant())) {
            out.add(new Violation(DEFAULT_TENANT, "default tenant '" + m.defaultTenant()
                    + "' is not one of the tenants (" + String.join(", ", tenants.keySet().stream()
                            .map(TenantId::value).toList()) + ")"));
        }

        Map<TenantId, Set<String>> extensions = new HashMap<>();
        for (User u : m.users()) {
            extensions.computeIfAbsent(u.tenant(), x -> new HashSet<>()).add(u.extension());
        }

        checkTenants(m, tenants, out);
        checkUsers(m, tenants, out);
        WebLoginRules.check(m, out);
        checkRingGroups(m, tenants, extensions, out);
        checkParkGroups(m, tenants, extensions, out);
        return out;
    }

    private static void checkTenants(DirectoryModel m, Map<TenantId, Tenant> tenants, List<Violation> out) {
        Map<String, TenantId> claimed = new HashMap<>();
        for (Tenant t : tenants.values()) {
            String id = t.id().value();
            String key = tenantKey(t.id(), DOMAINS);
            Set<String> own = new HashSet<>();
            for (String domain : t.domains()) {
                String lower = domain.toLowerCase(Locale.ROOT);
                if (!HOST.matcher(domain).matches()) {
                    out.add(new Violation(key, tenantWords(id) + ": '" + domain + "' is not a valid domain name"));
                } else if (!own.add(lower)) {
                    out.add(new Violation(key, tenantWords(id) + ": domain '" + domain + "' is listed twice"));
                } else {
                    TenantId other = claimed.putIfAbsent(lower, t.id());
                    if (other != null) {
                        out.add(new Violation(key, tenantWords(id) + ": domain '" + domain
                                + "' is already claimed by tenant '" + other + "'; a domain belongs to one tenant"));
                    }
                }
            }
            if (!t.realm().isEmpty() && !REALM_FORMAT.matcher(t.realm()).matches()) {
                out.add(new Violation(tenantKey(t.id(), REALM), tenantWords(id) + ": realm must be 1 to 64 printable"
                        + " characters without quotes or backslashes, was '" + t.realm() + "'"));
            }
            if (!t.xmppDomain().isEmpty() && !HOST.matcher(t.xmppDomain()).matches()) {
                out.add(new Violation(tenantKey(t.id(), XMPP_DOMAIN),
                        tenantWords(id) + ": xmppDomain '" + t.xmppDomain() + "' is not a valid domain name"));
            }
            RecallPolicy r = t.recallDefaults();
            checkRecall(m, t.id(), recallDefaultsWords(id), "mode", r.mode(), r.ringGroup(), r.ringDuration(),
                    r.waitBeforeRingGroup(), r.retries(), tenantKey(t.id(), RECALL_RING_GROUP),
                    tenantKey(t.id(), RECALL_RING_DURATION), tenantKey(t.id(), RECALL_WAIT),
                    tenantKey(t.id(), RECALL_RETRIES), out);
            DialPlanRules.check(m, t, out);
            RecallLabelRules.check(t.recallLabels(), tenantKey(t.id(), RECALL_ALERT_INFO),
                    tenantKey(t.id(), RECALL_CALLER_ID_PREFIX), recallDefaultsWords(id), out);
            if (!t.language().isEmpty() && !Tenant.isLanguageTag(t.language())) {
                out.add(new Violation(tenantKey(t.id(), LANGUAGE), tenantWords(id) + ": language must be a BCP 47"
                        + " tag such as de or pt-BR (language, optional script and region), was '" + t.language()
                        + "'"));
            }
            FinalDestinationRules.check(m, t.id(), t.finalDestination(), tenantKey(t.id(), FINAL_DESTINATION),
                    tenantWords(id), out);
        }
    }

    private static void checkUsers(DirectoryModel m, Map<TenantId, Tenant> tenants, List<Violation> out) {
        Set<List<String>> seen = new HashSet<>();
        for (User u : m.users()) {
            String t = u.tenant().value();
            String words = userWords(t, u.extension());
            if (!tenants.containsKey(u.tenant())) {
                out.add(new Violation(userKey(t, u.extension(), NAME), words + ": tenant '" + t + "' does not exist"));
            }
            if (!EXTENSION.matcher(u.extension()).matches()) {
                out.add(new Violation(userKey(t, u.extension(), NAME),
                        words + ": the extension must be 1 to 15 digits, was '" + u.extension() + "'"));
            }
            if (!seen.add(List.of(t, u.extension()))) {
                out.add(new Violation(userKey(t, u.extension(), NAME), words + ": extension is defined twice"));
            }
            if (u.displayName().isBlank()) {
                out.add(new Violation(userKey(t, u.extension(), NAME), words + ": name is required"));
            }
            if (!u.ha1().isEmpty() && !HA1_FORMAT.matcher(u.ha1()).matches()) {
                out.add(new Violation(userKey(t, u.extension(), HA1), words
                        + ": ha1 must be 32 hexadecimal digits, MD5(extension:realm:password)"));
            } else if (!u.ha1().isEmpty() && !u.sipPassword().isEmpty()) {
                out.add(new Violation(userKey(t, u.extension(), HA1), words
                        + ": give either password or ha1, not both"));
            } else if (u.ha1().isEmpty() && u.sipPassword().isBlank()) {
                out.add(new Violation(userKey(t, u.extension(), PASSWORD), words
                        + ": password (or ha1) is required"));
            }
            if (!u.jid().isEmpty() && !JID_FORMAT.matcher(u.jid()).matches()) {
                out.add(new Violation(userKey(t, u.extension(), JID),
                        words + ": jid must look like name@domain, was '" + u.jid() + "'"));
            }
        }
    }

    private static void checkRingGroups(DirectoryModel m, Map<TenantId, Tenant> tenants,
            Map<TenantId, Set<String>> extensions, List<Violation> out) {
        Map<List<String>, String> names = new HashMap<>();
        for (RingGroup g : m.ringGroups()) {
            String t = g.tenant().value();
            String words = ringGroupWords(t, g.name());
            String key = ringGroupKey(t, g.name(), MEMBERS);
            checkName(tenants, g.tenant(), g.name(), "ring group", words, key, names, out);
            checkMembers(g.tenant(), g.members(), extensions, words, key, out);
        }
    }

    private static void checkParkGroups(DirectoryModel m, Map<TenantId, Tenant> tenants,
            Map<TenantId, Set<String>> extensions, List<Violation> out) {
        Map<List<String>, String> names = new HashMap<>();
        Map<List<String>, String> groupOfUser = new HashMap<>();
        Map<List<String>, String> groupOfNumber = new HashMap<>();
        for (ParkGroup g : m.parkGroups()) {
            if (g.disabled()) {
                continue;
            }
            String t = g.tenant().value();
            String words = parkGroupWords(t, g.name());
            String membersKey = parkGroupKey(t, g.name(), MEMBERS);
            checkName(tenants, g.tenant(), g.name(), "park group", words, parkGroupKey(t, g.name(), MEMBERS), names,
                    out);
            checkMembers(g.tenant(), g.members(), extensions, words, membersKey, out);
            for (String member : new java.util.LinkedHashSet<>(g.members())) {
                String other = groupOfUser.putIfAbsent(List.of(t, member), g.name());
                if (other != null) {
                    out.add(new Violation(membersKey, words + ": user " + member
                            + " is already a member of park group '" + other + "'; a user can be in one park group only"));
                }
            }
            if (!g.number().isEmpty()) {
                String numberKey = parkGroupKey(t, g.name(), NUMBER);
                if (!EXTENSION.matcher(g.number()).matches()) {
                    out.add(new Violation(numberKey,
                            words + ": number must be 1 to 15 digits, was '" + g.number() + "'"));
                } else if (extensions.getOrDefault(g.tenant(), Set.of()).contains(g.number())) {
                    out.add(new Violation(numberKey, words + ": number " + g.number()
                            + " is already the extension of a user of tenant '" + t + "'"));
                } else {
                    String other = groupOfNumber.putIfAbsent(List.of(t, g.number()), g.name());
                    if (other != null) {
                        out.add(new Violation(numberKey, words + ": number " + g.number()
                                + " is already the number of park group '" + other + "'"));
                    }
                }
            }
            checkRecall(m, g.tenant(), words, RECALL_TO, g.recallTo(), g.ringGroup(), g.ringDuration(),
                    g.waitBeforeRingGroup(), g.retries(), parkGroupKey(t, g.name(), RING_GROUP_NAME),
                    parkGroupKey(t, g.name(), RING_DURATION), parkGroupKey(t, g.name(), WAIT),
                    parkGroupKey(t, g.name(), RETRIES), out);
            RecallLabelRules.check(g.recallLabels(), parkGroupKey(t, g.name(), ALERT_INFO),
                    parkGroupKey(t, g.name(), CALLER_ID_PREFIX), words, out);
            FinalDestinationRules.check(m, g.tenant(), g.finalDestination(),
                    parkGroupKey(t, g.name(), FINAL_DESTINATION), words, out);
        }
    }

    private static void checkName(Map<TenantId, Tenant> tenants, TenantId tenant, String name, String what,
            String words, String key, Map<List<String>, String> names, List<Violation> out) {
        if (!tenants.containsKey(tenant)) {
            out.add(new Violation(key, words + ": tenant '" + tenant + "' does not exist"));
        }
        if (!GROUP_NAME.matcher(name).matches()) {
            out.add(new Violation(key, words + ": the name must be 1 to 32 letters, digits, '_' or '-', "
                    + "starting with a letter or digit"));
        }
        String other = names.putIfAbsent(List.of(tenant.value(), name.toLowerCase(Locale.ROOT)), name);
        if (other != null) {
            out.add(new Violation(key, words + ": the name is already used by " + what + " '" + other
                    + "' (names are case-insensitive)"));
        }
    }

    private static void checkMembers(TenantId tenant, List<String> members, Map<TenantId, Set<String>> extensions,
            String words, String key, List<Violation> out) {
        Set<String> seen = new HashSet<>();
        for (String member : members) {
            if (!seen.add(member)) {
                out.add(new Violation(key, words + ": member " + member + " is listed twice"));
            } else if (!extensions.getOrDefault(tenant, Set.of()).contains(member)) {
                out.add(new Violation(key,
                        words + ": member " + member + " is not a user of tenant '" + tenant + "'"));
            }
        }
    }

    private static void checkRecall(DirectoryModel m, TenantId tenant, String words, String modeAttr, RecallMode mode,
            String ringGroup, Duration ringDuration, Duration wait, int retries, String ringGroupKey,
            String ringDurationKey, String waitKey, String retriesKey, List<Violation> out) {
        if (retries < RecallPolicy.MIN_RETRIES || retries > RecallPolicy.MAX_RETRIES) {
            out.add(new Violation(retriesKey, words + ": retries must be between " + RecallPolicy.MIN_RETRIES + " and "
                    + RecallPolicy.MAX_RETRIES + ", was " + retries));
        }
        if (ringDuration.isNegative() || ringDuration.isZero()) {
            out.add(new Violation(ringDurationKey,
                    words + ": ringDuration must be positive, was " + Durations.format(ringDuration)));
        }
        if (wait.isNegative() || wait.isZero()) {
            out.add(new Violation(waitKey,
                    words + ": waitBeforeRingGroup must be positive, was " + Durations.format(wait)));
        }
        String name = ringGroup == null ? "" : ringGroup;
        if (name.isEmpty()) {
            if (mode.needsRingGroup()) {
                out.add(new Violation(ringGroupKey, words + ": " + modeAttr + " " + mode + " needs a ring group"));
            }
            return;
        }
        boolean here = m.ringGroups().stream()
                .anyMatch(r -> r.tenant().equals(tenant) && r.name().equalsIgnoreCase(name));
        if (!here) {
            Optional<RingGroup> elsewhere = m.ringGroups().stream().filter(r -> r.name().equalsIgnoreCase(name))
                    .findFirst();
            out.add(new Violation(ringGroupKey, words + ": ring group '" + name + "' is not a ring group of tenant '"
                    + tenant + "'" + elsewhere.map(r -> " (it belongs to tenant '" + r.tenant() + "')").orElse("")));
        }
    }
}
