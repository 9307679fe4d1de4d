package org.callpark.internal.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.callpark.spi.json.DirectoryParser;

/** The demo directory shipped as etc/org.callpark.directory.cfg is valid and says exactly what the docs promise. */
class ShippedDirectoryConfigTest {

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final TenantId ACME = TenantId.of("acme");
    private static final RecallPolicy TENANT_RECALL = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(),
            Duration.ofSeconds(45), Duration.ofSeconds(30), 3);

    private static Directory directory;

    @BeforeAll
    static void load() throws Exception {
        assertTrue(DirectoryFixtures.shippedFile().toFile().isFile(), DirectoryFixtures.shippedFile()::toString);
        DirectoryParser.Result parsed = new DirectoryParser().parse(DirectoryFixtures.shipped());
        assertTrue(parsed.isValid(), parsed.violations()::toString);
        assertEquals(List.of(), new DirectoryValidator().validate(parsed.model()));
        directory = parsed.model().toDirectory();
    }

    @Test
    void tenants() {
        assertEquals(DEFAULT, directory.defaultTenant());
        assertEquals(List.of(
                new Tenant(ACME, "Acme Corp", List.of("acme.test"), "acme.test", TENANT_RECALL),
                new Tenant(DEFAULT, "Example Ltd", List.of(), "example.com", TENANT_RECALL)), directory.tenants());
    }

    @Test
    void usersOfDefault() {
        String[] names = { "Bob", "Alice", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan" };
        List<User> expected = new java.util.ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            String ext = Integer.toString(101 + i);
            expected.add(new User(DEFAULT, ext, names[i], "pass" + ext, names[i].toLowerCase() + "@example.com", "",
                    ext.equals("102") ? "reception" : "")); // the demo operator sits at Alice's phone
        }
        assertEquals(expected, directory.users(DEFAULT));
    }

    @Test
    void usersOfAcme() {
        assertEquals(List.of(new User(ACME, "201", "Karl", "pass201", ""), new User(ACME, "202", "Laura", "pass202", ""),
                new User(ACME, "203", "Mike", "pass203", "")), directory.users(ACME));
    }

    @Test
    void groupsOfDefault() {
        assertEquals(List.of(new RingGroup(DEFAULT, "Reception", List.of("104", "105"))), directory.ringGroups(DEFAULT));
        assertEquals(List.of(new ParkGroup(DEFAULT, "Sales", "700", List.of("101", "102", "103"),
                RecallMode.USER_THEN_RING_GROUP, "Reception", Duration.ofSeconds(30), Duration.ofSeconds(30), 3,
                false)), directory.parkGroups(DEFAULT));
    }

    @Test
    void groupsOfAcme() {
        assertEquals(List.of(new RingGroup(ACME, "Front", List.of("203"))), directory.ringGroups(ACME));
        assertEquals(List.of(new ParkGroup(ACME, "Support", "", List.of("201", "202"), RecallMode.RING_GROUP_ONLY,
                "Front", Duration.ofSeconds(30), Duration.ofSeconds(30), 2, false)), directory.parkGroups(ACME));
    }

    @Test
    void nothingElse() {
        assertEquals(12, directory.allUsers().size());
        assertEquals(2, directory.allRingGroups().size());
        assertEquals(2, directory.allParkGroups().size());
    }

    @Test
    void tenantForDomain() {
        assertEquals(ACME, directory.tenantForDomain("acme.test").orElseThrow().id());
        assertEquals(ACME, directory.tenantForDomain("ACME.Test").orElseThrow().id());
        assertEquals(DEFAULT, directory.tenantForDomain("example.com").orElseThrow().id());
        assertEquals(DEFAULT, directory.tenantForDomain("192.0.2.10").orElseThrow().id());
        assertEquals(DEFAULT, directory.tenantForDomain("[2001:db8::1]").orElseThrow().id());
    }
}
