package org.callpark.spi.json;

import static org.callpark.spi.json.DirectoryKeys.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.callpark.api.BlfOptions;
import org.callpark.api.DialPlan;
import org.callpark.api.ParkException.Violation;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallLabels;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RingGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;

/**
 * Reads the flat directory configuration (PID {@code org.callpark.directory}) into a {@link DirectoryModel}. It reports
 * what only the text can get wrong: unknown or misspelt keys, keys of tenants not listed in {@code tenants}, invalid
 * tenant ids, numbers, durations and recall modes. Everything else is the {@link DirectoryValidator}'s job. A value
 * that cannot be read is reported and replaced by its default, so one mistake gives one violation.
 * <p>
 * Values may be strings ({@code .cfg} files: a list is one comma-separated string), string arrays or collections
 * (typed {@code .config} files, programmatic updates), or numbers. Stateless and thread-safe.
 */
public final class DirectoryParser {

    /** The model and what was wrong with the text; the model is only to be used if both parse and validation pass. */
    public record Result(DirectoryModel model, List<Violation> violations) {
        public Result {
            violations = List.copyOf(violations);
        }

        public boolean isValid() {
            return violations.isEmpty();
        }
    }

    private static final String TENANT_ID_RULE = "lower-case letters, digits and dashes, starting with a letter or digit";

    public Result parse(Map<String, ?> properties) {
        Map<String, Object> props = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key != null && !isBookkeeping(key.trim()) && value != null) {
                props.put(key.trim(), value);
            }
        });
        List<Violation> violations = new ArrayList<>();

        // tenants
        Set<String> listed = new LinkedHashSet<>();
        Set<String> invalidIds = new HashSet<>();
        for (String id : list(props.remove(TENANTS))) {
            if (!isTenantId(id)) {
                invalidIds.add(id);
                violations.add(new Violation(TENANTS, "'" + id + "' is not a valid tenant id (" + TENANT_ID_RULE + ")"));
            } else if (!listed.add(id)) {
                violations.add(new Violation(TENANTS, tenantWords(id) + " is listed twice"));
            }
        }

        // defaultTenant: an invalid one is reported here and replaced, so the validator does not report it again
        TenantId defaultTenant = TenantId.DEFAULT;
        Object defaultValue = props.remove(DEFAULT_TENANT);
        if (defaultValue != null) {
            String text = scalar(DEFAULT_TENANT, "", defaultValue, violations);
            if (isTenantId(text)) {
                defaultTenant = TenantId.of(text);
            } else if (!text.isEmpty()) {
                violations.add(new Violation(DEFAULT_TENANT,
                        "default tenant '" + text + "' is not a valid tenant id (" + TENANT_ID_RULE + ")"));
                defaultTenant = listed.isEmpty() ? TenantId.DEFAULT : TenantId.of(listed.iterator().next());
            }
        }

        // sort the remaining keys into entities
        Map<String, Map<String, Object>> tenantValues = new LinkedHashMap<>();
        listed.forEach(t -> tenantValues.put(t, new LinkedHashMap<>()));
        Map<List<String>, Map<String, Object>> userValues = new LinkedHashMap<>();
        Map<List<String>, Map<String, Object>> ringGroupValues = new LinkedHashMap<>();
        Map<List<String>, Map<String, Object>> parkGroupValues = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : props.entrySet()) {
            String key = e.getKey();
            String[] parts = key.split("\\.", -1);
            String kind = parts[0];
            if (!KINDS.contains(kind) || parts.length < (kind.equals(TENANT) ? 3 : 4)) {
                violations.add(unknownKey(key, kind));
                continue;
            }
            String tenant = parts[1];
            if (!listed.contains(tenant)) {
                if (!invalidIds.contains(tenant)) {
                    violations.add(new Violation(key, tenantWords(tenant) + " is not listed in '" + TENANTS + "' ("
                            + (listed.isEmpty() ? "no tenants" : String.join(", ", listed)) + ")"));
                }
                continue;
            }
            if (kind.equals(TENANT)) {
                String attr = String.join(".", Arrays.asList(parts).subList(2, parts.length));
                if (accept(key, attr, TENANT_ATTRS, tenantWords(tenant), violations)) {
                    tenantValues.get(tenant).put(attr, e.getValue());
                }
                continue;
            }
            String attr = parts[parts.length - 1];
            String name = String.join(".", Arrays.asList(parts).subList(2, parts.length - 1));
            List<String> id = List.of(tenant, name);
            switch (kind) {
                case USER -> {
                    if (accept(key, attr, USER_ATTRS, userWords(tenant, name), violations)) {
                        userValues.computeIfAbsent(id, x -> new LinkedHashMap<>()).put(attr, e.getValue());
                    }
                }
                case RING_GROUP -> {
                    if (accept(key, attr, RING_GROUP_ATTRS, ringGroupWords(tenant, name), violations)) {
                        ringGroupValues.computeIfAbsent(id, x -> new LinkedHashMap<>()).put(attr, e.getValue());
                    }
                }
                default -> {
                    if (accept(key, attr, PARK_GROUP_ATTRS, parkGroupWords(tenant, name), violations)) {
                        parkGroupValues.computeIfAbsent(id, x -> new LinkedHashMap<>()).put(attr, e.getValue());
                    }
                }
            }
        }

        // build the entities
        List<User> users = new ArrayList<>();
        userValues.forEach((id, values) -> {
            String t = id.get(0);
            String ext = id.get(1);
            users.add(new User(TenantId.of(t), ext, scalar(userKey(t, ext, NAME), userWords(t, ext), values.get(NAME), violations),
                    scalar(userKey(t, ext, PASSWORD), userWords(t, ext), values.get(PASSWORD), violations),
                    scalar(userKey(t, ext, JID), userWords(t, ext), values.get(JID), violations),
                    scalar(userKey(t, ext, HA1), userWords(t, ext), values.get(HA1), violations),
                    scalar(userKey(t, ext, LOGIN), userWords(t, ext), values.get(LOGIN), violations)));
        });
        List<RingGroup> ringGroups = new ArrayList<>();
        ringGroupValues.forEach((id, values) -> ringGroups
                .add(new RingGroup(TenantId.of(id.get(0)), id.get(1), list(values.get(MEMBERS)))));
        List<ParkGroup> parkGroups = new ArrayList<>();
        parkGroupValues.forEach((id, values) -> {
            String t = id.get(0);
            String g = id.get(1);
            String words = parkGroupWords(t, g);
            parkGroups.add(new ParkGroup(TenantId.of(t), g,
                    scalar(parkGroupKey(t, g, NUMBER), words, values.get(NUMBER), violations),
                    list(values.get(MEMBERS)),
                    mode(parkGroupKey(t, g, RECALL_TO), words, RECALL_TO, values.get(RECALL_TO), violations),
                    scalar(parkGroupKey(t, g, RING_GROUP_NAME), words, values.get(RING_GROUP_NAME), violations),
                    duration(parkGroupKey(t, g, RING_DURATION), words, RING_DURATION, values.get(RING_DURATION),
                            DEFAULT_RING_DURATION, violations),
                    duration(parkGroupKey(t, g, WAIT), words, WAIT, values.get(WAIT), DEFAULT_WAIT, violations),
                    integer(parkGroupKey(t, g, RETRIES), words, RETRIES, values.get(RETRIES), DEFAULT_RETRIES,
                            violations),
                    false,
                    new RecallLabels(scalar(parkGroupKey(t, g, ALERT_INFO), words, values.get(ALERT_INFO), violations),
                            scalar(parkGroupKey(t, g, CALLER_ID_PREFIX), words, values.get(CALLER_ID_PREFIX),
                                    violations)),
                    scalar(parkGroupKey(t, g, FINAL_DESTINATION), words, values.get(FINAL_DESTINATION),
                            violations)));
        });
        List<Tenant> tenants = new ArrayList<>();
        tenantValues.forEach((t, values) -> {
            String words = tenantWords(t);
            String recallWords = recallDefaultsWords(t);
            String ringGroup = scalar(tenantKey(t, RECALL_RING_GROUP), recallWords, values.get(RECALL_RING_GROUP),
                    violations);
            List<String> ringGroupMembers = ringGroups.stream()
                    .filter(r -> r.tenant().value().equals(t) && r.name().equalsIgnoreCase(ringGroup))
                    .findFirst().map(RingGroup::members).orElse(List.of());
            RecallPolicy recall = new RecallPolicy(
                    mode(tenantKey(t, RECALL_MODE), recallWords, "mode", values.get(RECALL_MODE), violations),
                    ringGroup.isEmpty() ? null : ringGroup, ringGroupMembers,
                    duration(tenantKey(t, RECALL_RING_DURATION), recallWords, RING_DURATION,
                            values.get(RECALL_RING_DURATION), DEFAULT_RING_DURATION, violations),
                    duration(tenantKey(t, RECALL_WAIT), recallWords, WAIT, values.get(RECALL_WAIT), DEFAULT_WAIT,
                            violations),
                    integer(tenantKey(t, RECALL_RETRIES), recallWords, RETRIES, values.get(RECALL_RETRIES),
                            DEFAULT_RETRIES, violations));
            tenants.add(new Tenant(TenantId.of(t), scalar(tenantKey(t, NAME), words, values.get(NAME), violations),
                    list(values.get(DOMAINS)).stream().map(d -> d.toLowerCase(Locale.ROOT)).toList(),
                    scalar(tenantKey(t, XMPP_DOMAIN), words, values.get(XMPP_DOMAIN), violations), recall,
                    new BlfOptions(blfState(tenantKey(t, BLF_STATE), words, values.get(BLF_STATE), violations),
                            bool(tenantKey(t, BLF_BROADWORKS), words, values.get(BLF_BROADWORKS), violations)),
                    scalar(tenantKey(t, REALM), words, values.get(REALM), violations),
                    new DialPlan(scalar(tenantKey(t, PARK_CODE), words, values.get(PARK_CODE), violations),
                            scalar(tenantKey(t, RETRIEVE_CODE), words, values.get(RETRIEVE_CODE), violations),
                            scalar(tenantKey(t, GROUP_PARK_CODE), words, values.get(GROUP_PARK_CODE), violations)),
                    new RecallLabels(scalar(tenantKey(t, RECALL_ALERT_INFO), words, values.get(RECALL_ALERT_INFO),
                            violations), scalar(tenantKey(t, RECALL_CALLER_ID_PREFIX), words,
                                    values.get(RECALL_CALLER_ID_PREFIX), violations)),
                    scalar(tenantKey(t, LANGUAGE), words, values.get(LANGUAGE), violations),
                    scalar(tenantKey(t, FINAL_DESTINATION), words, values.get(FINAL_DESTINATION), violations)));
        });
        return new Result(new DirectoryModel(defaultTenant, tenants, users, ringGroups, parkGroups), violations);
    }

    private static boolean isTenantId(String text) {
        try {
            TenantId.of(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Violation unknownKey(String key, String kind) {
        String hint = suggest(kind, List.of(TENANT, USER, RING_GROUP, PARK_GROUP, TENANTS, DEFAULT_TENANT));
        String expected = "expected defaultTenant, tenants, tenant.<t>.<setting>, user.<t>.<ext>.<setting>, "
                + "ringgroup.<t>.<name>.<setting> or parkgroup.<t>.<name>.<setting>";
        return new Violation(key, "unknown key '" + key + "'"
                + (hint != null && !hint.equals(kind) ? " (did you mean '" + hint + "'?)" : "") + "; " + expected);
    }

    private static boolean accept(String key, String attr, List<String> known, String words, List<Violation> out) {
        if (known.contains(attr)) {
            return true;
        }
        String hint = suggest(attr, known);
        out.add(new Violation(key, words + ": unknown setting '" + attr + "'"
                + (hint != null ? " (did you mean '" + hint + "'?)" : " (known: " + String.join(", ", known) + ")")));
        return false;
    }

    /** One value as trimmed text; absent is empty. */
    private static String scalar(String key, String words, Object value, List<Violation> out) {
        if (value == null) {
            return "";
        }
        List<?> items = value instanceof Object[] array ? Arrays.asList(array)
                : value instanceof Collection<?> c ? List.copyOf(c) : null;
        if (items == null) {
            return value.toString().trim();
        }
        if (items.size() > 1) {
            out.add(new Violation(key, (words.isEmpty() ? "" : words + ": ") + key.substring(key.lastIndexOf('.') + 1)
                    + " takes one value, was " + items));
        }
        return items.isEmpty() || items.get(0) == null ? "" : items.get(0).toString().trim();
    }

    /** A comma list from a string, an array or a collection (whose elements may themselves be comma lists). */
    public static List<String> list(Object value) {
        if (value == null) {
            return List.of();
        }
        Collection<?> items = value instanceof Object[] array ? Arrays.asList(array)
                : value instanceof Collection<?> c ? c : List.of(value);
        List<String> result = new ArrayList<>();
        for (Object item : items) {
            if (item != null) {
                for (String part : item.toString().split(",")) {
                    if (!part.isBlank()) {
                        result.add(part.trim());
                    }
                }
            }
        }
        return result;
    }

    private static RecallMode mode(String key, String words, String attr, Object value, List<Violation> out) {
        String text = scalar(key, words, value, out);
        if (text.isEmpty()) {
            return DEFAULT_MODE;
        }
        for (RecallMode mode : RecallMode.values()) {
            if (mode.name().equalsIgnoreCase(text.replace('-', '_'))) {
                return mode;
            }
        }
        out.add(new Violation(key, words + ": " + attr + " must be one of " + Arrays.toString(RecallMode.values())
                .replace("[", "").replace("]", "").replace(",", " |") + ", was '" + text + "'"));
        return DEFAULT_MODE;
    }

    private static BlfOptions.DialogState blfState(String key, String words, Object value, List<Violation> out) {
        String text = scalar(key, words, value, out);
        if (text.isEmpty()) {
            return BlfOptions.DEFAULT.state();
        }
        for (BlfOptions.DialogState state : BlfOptions.DialogState.values()) {
            if (state.name().equalsIgnoreCase(text)) {
                return state;
            }
        }
        out.add(new Violation(key, words + ": " + BLF_STATE + " must be confirmed or early, was '" + text + "'"));
        return BlfOptions.DEFAULT.state();
    }

    private static boolean bool(String key, String words, Object value, List<Violation> out) {
        String text = value instanceof Boolean b ? b.toString() : scalar(key, words, value, out);
        if (text.isEmpty() || text.equalsIgnoreCase("false")) {
            return false;
        }
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        out.add(new Violation(key, words + ": " + BLF_BROADWORKS
                + " must be true or false, was '" + text + "'"));
        return false;
    }

    private static Duration duration(String key, String words, String attr, Object value, Duration dflt,
            List<Violation> out) {
        String text = scalar(key, words, value, out);
        if (text.isEmpty()) {
            return dflt;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            out.add(new Violation(key, words + ": " + attr
                    + " must be a duration in seconds (30, 1.5) or with a unit (500ms, 30s, 2m), was '" + text + "'"));
            return dflt;
        }
    }

    private static int integer(String key, String words, String attr, Object value, int dflt, List<Violation> out) {
        String text = scalar(key, words, value, out);
        if (text.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            out.add(new Violation(key, words + ": " + attr + " must be a whole number, was '" + text + "'"));
            return dflt;
        }
    }
}
