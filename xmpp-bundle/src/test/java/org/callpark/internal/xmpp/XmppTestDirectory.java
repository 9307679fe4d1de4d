package org.callpark.internal.xmpp;

import java.time.Duration;
import java.util.List;

import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;

/**
 * The directory of the XMPP tests: tenant {@code default} (XMPP domain example.com) with Bob 101, Alice 102, Carol
 * 103, Dave 104 and park group Sales (700: 101, 102, 103); tenant {@code acme} (acme.test) with Karl 201. Passwords
 * {@code pass<ext>}; recalls ten minutes away, so nothing recalls during a test.
 */
public final class XmppTestDirectory {

    public static final TenantId DEFAULT = TenantId.DEFAULT;
    public static final TenantId ACME = TenantId.of("acme");

    private XmppTestDirectory() {
    }

    public static Directory build() {
        RecallPolicy slow = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofMinutes(10),
                Duration.ofMinutes(10), 1);
        List<Tenant> tenants = List.of(new Tenant(DEFAULT, "Example Ltd", List.of(), "example.com", slow),
                new Tenant(ACME, "Acme Corp", List.of("acme.test"), "acme.test", slow));
        List<User> users = List.of(new User(DEFAULT, "101", "Bob", "pass101", "bob@example.com"),
                new User(DEFAULT, "102", "Alice", "pass102", "alice@example.com"),
                new User(DEFAULT, "103", "Carol", "pass103", "carol@example.com"),
                new User(DEFAULT, "104", "Dave", "pass104", "dave@example.com"),
                new User(ACME, "201", "Karl", "pass201", "karl@acme.test"));
        List<ParkGroup> groups = List.of(new ParkGroup(DEFAULT, "Sales", "700", List.of("101", "102", "103"),
                RecallMode.USER_ONLY, "", Duration.ofMinutes(10), Duration.ofMinutes(10), 1, false));
        return new Directory(DEFAULT, tenants, users, List.of(), groups);
    }
}
