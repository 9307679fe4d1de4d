package org.callpark.internal.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.callpark.api.DialPlan;
import org.callpark.api.ParkTarget;
import org.callpark.api.RetrieveTarget;

/**
 * What a Request-URI's user part asks for, read with the tenant's {@link DialPlan} (defaults {@code *68}, {@code *88},
 * {@code *58}): {@code <park>}, {@code <park><ext>}, {@code <group park>} park; {@code <retrieve>},
 * {@code <retrieve><ext|group number>}, {@code park+<ext>}, {@code park+<group>} retrieve. The user part may arrive
 * percent-encoded ({@code %2A68}). The directory keeps a plan's codes free of prefixes of each other and of the
 * tenant's numbers ({@code DialPlanRules}), so at most one reading fits. Only parsing: which slot that means is the park
 * service's business, and whether a retrieve code is a one-touch park the dispatcher's.
 *
 * @param park     the park target, or {@code null}
 * @param retrieve the retrieve target, or {@code null}
 */
record FeatureCode(ParkTarget park, RetrieveTarget retrieve) {

    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,20}");
    private static final Pattern BLF = Pattern.compile("park\\+([A-Za-z0-9_-]{1,64})", Pattern.CASE_INSENSITIVE);
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    /** With the seed's codes ({@link DialPlan#DEFAULT}). */
    static Optional<FeatureCode> parse(String rawUser) {
        return parse(rawUser, DialPlan.DEFAULT);
    }

    static Optional<FeatureCode> parse(String rawUser, DialPlan plan) {
        if (rawUser == null) {
            return Optional.empty();
        }
        String user = percentDecode(rawUser);
        if (user.equals(plan.parkCode())) {
            return Optional.of(new FeatureCode(ParkTarget.ownExtension(), null));
        }
        if (user.equals(plan.groupParkCode())) {
            return Optional.of(new FeatureCode(ParkTarget.ownGroup(), null));
        }
        if (user.equals(plan.retrieveCode())) {
            return Optional.of(new FeatureCode(null, RetrieveTarget.own()));
        }
        String rest = after(user, plan.parkCode());
        if (rest != null) {
            return Optional.of(new FeatureCode(ParkTarget.extension(rest), null));
        }
        rest = after(user, plan.retrieveCode());
        if (rest != null) {
            // An extension or a park group's number: the park service tells them apart.
            return Optional.of(new FeatureCode(null, RetrieveTarget.extension(rest)));
        }
        Matcher m = BLF.matcher(user);
        if (m.matches()) {
            String value = m.group(1);
            return Optional.of(new FeatureCode(null, DIGITS.matcher(value).matches()
                    ? RetrieveTarget.extension(value) : RetrieveTarget.group(value)));
        }
        return Optional.empty();
    }

    /** The number after {@code code} in {@code user}, or {@code null} if it does not start so or no number follows. */
    private static String after(String user, String code) {
        if (!user.startsWith(code)) {
            return null;
        }
        String rest = user.substring(code.length());
        return NUMBER.matcher(rest).matches() ? rest : null;
    }

    /** Decodes {@code %XX} escapes only ({@code +} stays a plus: {@code park+101}). Bad escapes stay as they are. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
