package org.callpark.internal.shell;

import static org.callpark.internal.shell.ShellFixtures.cells;
import static org.callpark.internal.shell.ShellFixtures.line;
import static org.callpark.internal.shell.ShellFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.callpark.api.ParkException;
import org.junit.jupiter.api.Test;

class GroupsCommandTest {

    private final ShellTestCallParkService park = ShellFixtures.park();

    private GroupsCommand command() {
        GroupsCommand c = new GroupsCommand();
        c.park = park;
        c.directories = ShellFixtures.directories();
        return c;
    }

    @Test
    void oneRowPerGroupWithRecallRulesAndParkedCount() throws Exception {
        String out = run(command());

        assertEquals(List.of("default", "Sales", "700", "101 Bob, 102 Alice", "user then ring group", "Reception",
                "30", "15", "3", "active, 1 parked"), cells(line(out, "Sales")));
        assertEquals(List.of("default", "Old", "-", "-", "user only", "-", "60", "-", "2", "disabled until empty"),
                cells(line(out, "Old")));
        assertEquals(List.of("acme", "Support", "-", "201 Carol", "user only", "-", "45", "-", "1", "active"),
                cells(line(out, "Support")));
        assertTrue(out.contains("Ring (s)") && out.contains("Wait (s)") && out.contains("Status"), out);
    }

    @Test
    void oneTenant() throws Exception {
        GroupsCommand c = command();
        c.tenant = "acme";

        String out = run(c);

        assertTrue(out.contains("Support"), out);
        assertFalse(out.contains("Sales"), out);
    }

    @Test
    void storeDownStillShowsTheConfigurationWithUnknownCounts() throws Exception {
        park.failure = new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "no members");

        String out = run(command());

        assertEquals("active, ? parked", cells(line(out, "Sales")).get(9));
        assertTrue(out.contains("Parked counts unavailable (?): cluster store unavailable: no members"), out);
    }
}
