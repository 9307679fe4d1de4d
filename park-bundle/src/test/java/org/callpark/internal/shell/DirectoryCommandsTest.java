package org.callpark.internal.shell;

import static org.callpark.internal.shell.ShellFixtures.ALICE_PASSWORD;
import static org.callpark.internal.shell.ShellFixtures.BOB_PASSWORD;
import static org.callpark.internal.shell.ShellFixtures.CAROL_PASSWORD;
import static org.callpark.internal.shell.ShellFixtures.cells;
import static org.callpark.internal.shell.ShellFixtures.line;
import static org.callpark.internal.shell.ShellFixtures.row;
import static org.callpark.internal.shell.ShellFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.callpark.api.ParkException;
import org.junit.jupiter.api.Test;

/** park:tenants, park:users and park:ringgroups: the configuration listings. */
class DirectoryCommandsTest {

    private final ShellTestCallParkService park = ShellFixtures.park();

    private TenantsCommand tenants() {
        TenantsCommand c = new TenantsCommand();
        c.park = park;
        c.directories = ShellFixtures.directories();
        return c;
    }

    private UsersCommand users(String tenant) {
        UsersCommand c = new UsersCommand();
        c.directories = ShellFixtures.directories();
        c.tenant = tenant;
        return c;
    }

    private RingGroupsCommand ringGroups(String tenant) {
        RingGroupsCommand c = new RingGroupsCommand();
        c.directories = ShellFixtures.directories();
        c.tenant = tenant;
        return c;
    }

    @Test
    void tenantsWithTheDefaultMarkedAndTheirCounts() throws Exception {
        String out = run(tenants());

        assertEquals(List.of("default", "Default Inc", "pbx.test, * (default for unclaimed domains)", "4", "1", "2",
                "2"), row(out, "default"));
        assertEquals(List.of("acme", "Acme Ltd", "acme.test", "1", "0", "1", "1"), row(out, "acme"));
        assertTrue(out.contains("Ring groups") && out.contains("Park groups") && out.contains("Parked"), out);
    }

    @Test
    void tenantsWhileTheStoreIsDown() throws Exception {
        park.failure = new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "no members");

        String out = run(tenants());

        assertEquals("?", row(out, "acme").get(6));
        assertTrue(out.contains("cluster store unavailable"), out);
    }

    @Test
    void usersWithTheirParkGroupAndNeverAPassword() throws Exception {
        String out = run(users(null));

        assertEquals(List.of("default", "101", "Bob", "bob@xmpp.pbx.test", "Sales"), cells(line(out, "Bob")));
        assertEquals(List.of("default", "100", "Desk", "-", "-"), cells(line(out, "Desk")));
        assertEquals(List.of("acme", "201", "Carol", "-", "Support"), cells(line(out, "Carol")));
        for (String password : List.of(BOB_PASSWORD, ALICE_PASSWORD, CAROL_PASSWORD, "Secret",
                ShellFixtures.CAROL_HA1)) {
            assertFalse(out.contains(password), "a password or HA1 leaked:\n" + out);
        }
    }

    @Test
    void usersOfOneTenant() throws Exception {
        String out = run(users("acme"));

        assertTrue(out.contains("Carol"), out);
        assertFalse(out.contains("Bob"), out);
    }

    @Test
    void malformedTenant() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(users("ACME!")));
        assertTrue(e.getMessage().startsWith("--tenant: "), e.getMessage());
    }

    @Test
    void ringGroupsWithMemberNames() throws Exception {
        String out = run(ringGroups(null));

        assertEquals(List.of("default", "Reception", "100 Desk, 105 Eve"), row(out, "default"));
    }

    @Test
    void tenantWithoutRingGroups() throws Exception {
        assertEquals("No ring groups.", run(ringGroups("acme")).lines().reduce((a, b) -> b).orElse(""));
    }
}
