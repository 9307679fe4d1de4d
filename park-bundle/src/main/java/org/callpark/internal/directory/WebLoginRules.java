package org.callpark.internal.directory;

import static org.callpark.spi.json.DirectoryKeys.LOGIN;
import static org.callpark.spi.json.DirectoryKeys.userKey;
import static org.callpark.spi.json.DirectoryKeys.userWords;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.callpark.api.ParkException.Violation;
import org.callpark.api.User;
import org.callpark.spi.json.DirectoryModel;

/**
 * The rules of {@code user.<t>.<ext>.login}, the web user linked to an extension, part of {@link DirectoryValidator}.
 * The web API resolves "send to me" and the board's "for me" by this link, so it must be unambiguous: in a tenant a
 * login names at most one extension (the same login may be linked once in each of several tenants). The name is what
 * a Karaf JAAS realm accepts as a user name in practice: 1 to 64 letters, digits and {@code . _ @ + -}, starting with
 * a letter or digit; no spaces, commas or {@code =} (which the {@code users.properties} format cannot hold). Pure.
 */
final class WebLoginRules {

    static final Pattern LOGIN_FORMAT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}");

    private WebLoginRules() {
    }

    static void check(DirectoryModel m, List<Violation> out) {
        Map<List<String>, String> extensionOf = new HashMap<>();
        for (User u : m.users()) {
            if (u.login().isEmpty()) {
                continue;
            }
            String t = u.tenant().value();
            String key = userKey(t, u.extension(), LOGIN);
            String words = userWords(t, u.extension());
            if (!LOGIN_FORMAT.matcher(u.login()).matches()) {
                out.add(new Violation(key, words + ": login must be 1 to 64 letters, digits, '.', '_', '@', '+' or"
                        + " '-', starting with a letter or digit (a Karaf user name), was '" + u.login() + "'"));
                continue;
            }
            String other = extensionOf.putIfAbsent(List.of(t, u.login()), u.extension());
            if (other != null && !other.equals(u.extension())) {
                out.add(new Violation(key, words + ": login '" + u.login() + "' is already linked to extension "
                        + other + " of tenant '" + t + "'; a web user is linked to one extension per tenant"));
            }
        }
    }
}
