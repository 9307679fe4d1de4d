package org.callpark.internal.shell;

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

class GroupCommandTest {

    private final ShellTestCallParkService park = ShellFixtures.park();

    private GroupCommand command(String group) {
        GroupCommand c = new GroupCommand();
        c.group = group;
        c.park = park;
        c.directories = ShellFixtures.directories();
        c.clock = ShellFixtures.CLOCK;
        return c;
    }

    @Test
    void detailsOfTheGroupInTheDefaultTenantByCaseInsensitiveName() throws Exception {
        String out = run(command("sALES"));

        assertEquals(List.of("Name", "Sales"), row(out, "Name"));
        assertEquals(List.of("Tenant", "default"), row(out, "Tenant"));
        assertEquals(List.of("Number", "700"), row(out, "Number"));
        assertEquals(List.of("Members", "101 Bob, 102 Alice"), row(out, "Members"));
        assertEquals(List.of("Recall to", "user then ring group"), row(out, "Recall to"));
        assertEquals(List.of("Ring group", "Reception: 100 Desk, 105 Eve"), row(out, "Ring group"));
        assertEquals(List.of("Ring duration", "30 s"), row(out, "Ring duration"));
        assertEquals(List.of("Wait before ring group", "15 s"), row(out, "Wait before ring group"));
        assertEquals(List.of("Retries", "3"), row(out, "Retries"));
        assertEquals(List.of("Status", "active, 1 parked"), row(out, "Status"));
    }

    @Test
    void thenTheCallsParkedInIt() throws Exception {
        String out = run(command("Sales"));

        assertTrue(out.indexOf("Parked calls:") < out.indexOf("Customer <+4930123>"), out);
        assertEquals(List.of("a1b2c3d4", "default", "group Sales", "Customer <+4930123>", "101 Bob", "10:12:55",
                "2m05s", "recalling 2/3"), cells(line(out, "Customer")));
        assertFalse(out.contains("ext 102"), "calls on members' own slots are not the group's:\n" + out);
    }

    @Test
    void theFinalDestination_theGroupsOrTheTenantsOrThePrompt() throws Exception {
        assertEquals(List.of("Final destination", "prompt and hang up"), row(run(command("Sales")),
                "Final destination"));
    }

    /** A directory service that validates with the directory's real rules and applies what passes. */
    private static final class Validating implements org.callpark.api.DirectoryService {
        private volatile org.callpark.api.Directory current;

        Validating(org.callpark.api.Directory d) {
            current = d;
        }

        @Override
        public List<ParkException.Violation> validate(org.callpark.api.Directory candidate) {
            return new org.callpark.internal.directory.DirectoryValidator().validate(candidate);
        }

        @Override
        public org.callpark.api.Directory current() {
            return current;
        }

        @Override
        public void update(org.callpark.api.Directory candidate) throws ParkException {
            List<ParkException.Violation> v = validate(candidate);
            if (!v.isEmpty()) {
                throw ParkException.invalid(v);
            }
            current = candidate;
        }
    }

    @Test
    void finalDestinationOption_setsItThroughTheDirectory_aBadOneIsRefusedNamingTheKey() throws Exception {
        Validating directories = new Validating(ShellFixtures.directory());
        GroupCommand set = command("sales");
        set.directories = directories;
        set.finalDestination = "ringgroup:Reception";
        String out = run(set);
        assertTrue(out.contains("Final destination of park group Sales set"), out);
        assertEquals(List.of("Final destination", "ringgroup:Reception"), row(out, "Final destination"));
        assertEquals("ringgroup:Reception", directories.current().parkGroup(ShellFixtures.DEFAULT, "Sales")
                .orElseThrow().finalDestination());
        assertTrue(directories.current().parkGroup(ShellFixtures.DEFAULT, "Old").filter(x -> !x.disabled())
                .isEmpty(), "the disabled group is runtime state, not written back as configuration");

        GroupCommand bad = command("sales");
        bad.directories = directories;
        bad.finalDestination = "sip:op@pbx.example.net;transport=tcp";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(bad));
        assertTrue(e.getMessage().contains("parkgroup.default.Sales.finalDestination"), e.getMessage());
        assertEquals("ringgroup:Reception", directories.current().parkGroup(ShellFixtures.DEFAULT, "Sales")
                .orElseThrow().finalDestination(), "nothing applied");
    }

    @Test
    void byNumber() throws Exception {
        assertEquals(List.of("Name", "Sales"), row(run(command("700")), "Name"));
    }

    @Test
    void anotherTenantsGroupWithNoCalls() throws Exception {
        GroupCommand c = command("support");
        c.tenant = "acme";

        String out = run(c);

        assertEquals(List.of("Ring group", "-"), row(out, "Ring group"));
        assertEquals(List.of("Wait before ring group", "-"), row(out, "Wait before ring group"));
        assertEquals(List.of("Status", "active"), row(out, "Status"));
        assertTrue(out.trim().endsWith("No parked calls."), out);
    }

    @Test
    void disabledGroup() throws Exception {
        assertEquals(List.of("Status", "disabled until empty"), row(run(command("old")), "Status"));
    }

    @Test
    void unknownGroupListsTheTenantsGroups() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(command("support")));
        assertEquals("no park group 'support' in tenant default (groups: Old, Sales)", e.getMessage());
    }

    @Test
    void tenantWithoutGroups() {
        GroupCommand c = command("Sales");
        c.directories = new ShellTestDirectoryService(org.callpark.api.Directory.empty());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(c));
        assertEquals("no park group 'Sales' in tenant default (it has no park groups)", e.getMessage());
    }

    @Test
    void storeDown() {
        park.failure = new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "timeout");

        assertThrows(IllegalStateException.class, () -> run(command("Sales")));
    }
}
