package org.callpark.internal.directory;

import static org.callpark.spi.json.DirectoryKeys.GROUP_PARK_CODE;
import static org.callpark.spi.json.DirectoryKeys.PARK_CODE;
import static org.callpark.spi.json.DirectoryKeys.RETRIEVE_CODE;
import static org.callpark.spi.json.DirectoryKeys.tenantKey;
import static org.callpark.spi.json.DirectoryKeys.tenantWords;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.callpark.api.DialPlan;
import org.callpark.api.ParkException.Violation;
import org.callpark.api.ParkGroup;
import org.callpark.api.Tenant;
import org.callpark.api.User;
import org.callpark.spi.json.DirectoryModel;

/**
 * The rules of a tenant's feature codes ({@link DialPlan}), part of {@link DirectoryValidator}. The SIP side reads a
 * dialled user part as {@code <code>} or {@code <code><ext|group number>} by the longest code that starts it, so a
 * plan must leave no dialled string with two readings:
 * <ul>
 * <li>a code is 1 to 10 of {@code 0-9 * #} (what a keypad dials);</li>
 * <li>no code equals another or is a prefix of another ({@code *8} and {@code *88}: is {@code *88} a retrieve of
 * extension 8?);</li>
 * <li>no extension and no park group number of the tenant starts with a code, and no code starts with one (code
 * {@code 70} and extension {@code 701}: {@code 701} would be a park on extension 1, and the phone's own dial plan could
 * not reach 701 either). Extensions that merely share a first digit ({@code 70} and {@code 710}) are fine.</li>
 * </ul>
 * Each violation names the code's key ({@code tenant.<t>.parkCode}, ...); an overlap with an extension names the code's
 * key too (the code is what is new in such a plan). Pure and thread-safe.
 */
final class DialPlanRules {

    private static final Pattern CODE = Pattern.compile("[0-9*#]{1,10}");

    private DialPlanRules() {
    }

    static void check(DirectoryModel m, Tenant t, List<Violation> out) {
        DialPlan plan = t.dialPlan();
        String words = tenantWords(t.id().value());
        Map<String, String> codes = new LinkedHashMap<>(); // key -> code, in a fixed order
        codes.put(tenantKey(t.id(), PARK_CODE), plan.parkCode());
        codes.put(tenantKey(t.id(), RETRIEVE_CODE), plan.retrieveCode());
        codes.put(tenantKey(t.id(), GROUP_PARK_CODE), plan.groupParkCode());
        Map<String, String> valid = new LinkedHashMap<>();
        codes.forEach((key, code) -> {
            if (CODE.matcher(code).matches()) {
                valid.put(key, code);
            } else {
                out.add(new Violation(key, words + ": " + attr(key) + " must be 1 to 10 of the digits, * and #, was '"
                        + code + "'"));
            }
        });
        List<Map.Entry<String, String>> list = List.copyOf(valid.entrySet());
        for (int i = 0; i < list.size(); i++) {
            for (int j = i + 1; j < list.size(); j++) {
                String a = list.get(i).getValue();
                String b = list.get(j).getValue();
                if (a.startsWith(b) || b.startsWith(a)) {
                    out.add(new Violation(list.get(j).getKey(), words + ": " + attr(list.get(j).getKey()) + " '" + b
                            + "' " + (a.equals(b) ? "equals" : "overlaps") + " " + attr(list.get(i).getKey()) + " '"
                            + a + "': no code may be a prefix of another"));
                }
            }
        }
        Map<String, String> numbers = new LinkedHashMap<>(); // number -> words
        for (User u : m.users()) {
            if (u.tenant().equals(t.id())) {
                numbers.putIfAbsent(u.extension(), "extension " + u.extension());
            }
        }
        for (ParkGroup g : m.parkGroups()) {
            if (g.tenant().equals(t.id()) && !g.disabled() && !g.number().isEmpty()) {
                numbers.putIfAbsent(g.number(), "park group '" + g.name() + "' number " + g.number());
            }
        }
        valid.forEach((key, code) -> {
            List<String> overlapping = numbers.entrySet().stream()
                    .filter(n -> n.getKey().startsWith(code) || code.startsWith(n.getKey()))
                    .map(Map.Entry::getValue).toList();
            if (!overlapping.isEmpty()) {
                out.add(new Violation(key, words + ": " + attr(key) + " '" + code + "' overlaps "
                        + String.join(", ", overlapping)
                        + ": no extension or group number may start with a code, nor a code with one"));
            }
        });
    }

    private static String attr(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }
}
