package org.callpark.internal.shell.completers;

import static org.callpark.internal.shell.ShellFixtures.ACME_CALL;
import static org.callpark.internal.shell.ShellFixtures.ALICE_CALL;
import static org.callpark.internal.shell.ShellFixtures.SALES_CALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.console.CommandLine;
import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkException;
import org.callpark.api.SlotId;
import org.callpark.internal.shell.ShellFixtures;
import org.callpark.internal.shell.ShellTestCallParkService;
import org.junit.jupiter.api.Test;

class CompletersTest {

    private final ShellTestCallParkService park = ShellFixtures.park();

    /** A command line whose cursor is at the end of its last word. */
    private static CommandLine line(String... words) {
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return words.length - 1;
            }

            @Override
            public String getCursorArgument() {
                return words[words.length - 1];
            }

            @Override
            public int getArgumentPosition() {
                return getCursorArgument().length();
            }

            @Override
            public String[] getArguments() {
                return words;
            }

            @Override
            public int getBufferPosition() {
                return getBuffer().length();
            }

            @Override
            public String getBuffer() {
                return String.join(" ", words);
            }
        };
    }

    private static List<String> trimmed(List<String> candidates) {
        List<String> out = new ArrayList<>();
        candidates.forEach(c -> out.add(c.trim()));
        return out;
    }

    @Test
    void tenants() {
        TenantCompleter c = new TenantCompleter();
        c.directories = ShellFixtures.directories();

        assertEquals(List.of("acme", "default"), c.candidates());

        List<String> candidates = new ArrayList<>();
        c.complete(null, line("park:groups", "-t", "ac"), candidates);
        assertEquals(List.of("acme"), trimmed(candidates));
    }

    @Test
    void parkGroupsOfEveryTenantOrOfTheTenantOnTheLine() {
        ParkGroupCompleter c = new ParkGroupCompleter();
        c.directories = ShellFixtures.directories();

        assertEquals(List.of("Old", "Sales", "Support"), c.candidates(null));
        assertEquals(List.of("Support"), c.candidates("acme"));
        assertEquals(List.of("Old", "Sales", "Support"), c.candidates("no-such-tenant"));

        List<String> candidates = new ArrayList<>();
        c.complete(null, line("park:group", "--tenant", "default", "s"), candidates);
        assertEquals(List.of("Sales"), trimmed(candidates), "case-insensitive, default tenant only");
    }

    @Test
    void tenantOptionOnTheLine() {
        assertEquals("acme", ParkGroupCompleter.tenantOption(new String[] { "park:group", "-t", "acme", "" }));
        assertEquals("acme", ParkGroupCompleter.tenantOption(new String[] { "park:group", "--tenant=acme", "S" }));
        assertNull(ParkGroupCompleter.tenantOption(new String[] { "park:group", "-t" }));
        assertNull(ParkGroupCompleter.tenantOption(new String[] { "park:group", "Sales" }));
    }

    @Test
    void slotKeysOfConfiguredSlotsAndOfLiveCalls() {
        ShellTestCallParkService withGone = new ShellTestCallParkService(List.of(ShellFixtures.call("dead0001",
                SlotId.group(ShellFixtures.DEFAULT, "Gone"), CallerId.of("1", ""), "", "2026-03-02T10:00:00Z",
                CallState.PARKED, 0, ShellFixtures.calls().get(0).recall())));
        SlotKeyCompleter c = new SlotKeyCompleter();
        c.park = withGone;
        c.directories = ShellFixtures.directories();

        List<String> keys = c.candidates();

        assertTrue(keys.containsAll(List.of("default/ext/100", "default/ext/101", "default/ext/102",
                "default/ext/105", "acme/ext/201", "default/group/sales", "default/group/old", "acme/group/support",
                "default/group/gone")), keys.toString());
        assertEquals(9, keys.size(), keys.toString());

        List<String> candidates = new ArrayList<>();
        c.complete(null, line("park:list", "-s", "default/group/"), candidates);
        assertEquals(List.of("default/group/gone", "default/group/old", "default/group/sales"), trimmed(candidates));
    }

    @Test
    void slotKeysWhileTheStoreIsDownAreTheConfiguredOnes() {
        park.failure = new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "down");
        SlotKeyCompleter c = new SlotKeyCompleter();
        c.park = park;
        c.directories = ShellFixtures.directories();

        assertEquals(8, c.candidates().size());
    }

    @Test
    void callIds() {
        CallIdCompleter c = new CallIdCompleter();
        c.park = park;

        assertEquals(List.of(ACME_CALL, SALES_CALL, ALICE_CALL), c.candidates());

        List<String> candidates = new ArrayList<>();
        c.complete(null, line("park:hangup", "b9"), candidates);
        assertEquals(List.of(ACME_CALL), trimmed(candidates));
    }

    @Test
    void noCallIdsWhileTheStoreIsDown() {
        park.failure = new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "down");
        CallIdCompleter c = new CallIdCompleter();
        c.park = park;

        assertEquals(List.of(), c.candidates());
    }
}
