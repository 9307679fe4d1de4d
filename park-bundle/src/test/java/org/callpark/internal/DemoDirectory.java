package org.callpark.internal;

import java.time.Duration;
import java.util.List;

import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RingGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;

/** The shipped demo directory (web user {@code reception} linked to 102), built in code for core tests (and, through the test-jar, ui-bundle's tests). */
public final class DemoDirectory {

    public static final TenantId DEFAULT = TenantId.DEFAULT;
    public static final TenantId ACME = TenantId.of("acme");
    public static final RecallPolicy TENANT_DEFAULTS = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(),
            Duration.ofSeconds(45), Duration.ofSeconds(30), 3);

    private DemoDirectory() {
    }

    public static Directory build() {
        List<Tenant> tenants = List.of(
                new Tenant(DEFAULT, "Example Ltd", List.of(), "example.com", TENANT_DEFAULTS),
                new Tenant(ACME, "Acme Corp", List.of("acme.test"), "acme.test", TENANT_DEFAULTS));
        List<User> users = List.of(user(DEFAULT, "101", "Bob"),
                new User(DEFAULT, "102", "Alice", "pass102", "alice@example.com", "", "reception"),
                user(DEFAULT, "103", "Carol"), user(DEFAULT, "104", "Dave"), user(DEFAULT, "105", "Erin"),
                user(DEFAULT, "106", "Frank"), user(ACME, "201", "Karl"), user(ACME, "202", "Laura"),
                user(ACME, "203", "Mike"));
        List<RingGroup> ringGroups = List.of(new RingGroup(DEFAULT, "Reception", List.of("104", "105")),
                new RingGroup(ACME, "Front", List.of("203")));
        List<ParkGroup> parkGroups = List.of(
                new ParkGroup(DEFAULT, "Sales", "700", List.of("101", "102", "103"), RecallMode.USER_THEN_RING_GROUP,
                        "Reception", Duration.ofSeconds(30), Duration.ofSeconds(30), 3, false),
                new ParkGroup(ACME, "Support", "", List.of("201", "202"), RecallMode.RING_GROUP_ONLY, "Front",
                        Duration.ofSeconds(30), Duration.ofSeconds(30), 2, false));
        return new Directory(DEFAULT, tenants, users, ringGroups, parkGroups);
    }

    private static User user(TenantId tenant, String ext, String name) {
        return new User(tenant, ext, name, "pass" + ext, name.toLowerCase() + "@example.com");
    }
}
