package org.callpark.internal.shell;

import static org.callpark.internal.shell.ShellFixtures.ACME_CALL;
import static org.callpark.internal.shell.ShellFixtures.ALICE_CALL;
import static org.callpark.internal.shell.ShellFixtures.ODD_NAME;
import static org.callpark.internal.shell.ShellFixtures.SALES_CALL;
import static org.callpark.internal.shell.ShellFixtures.cells;
import static org.callpark.internal.shell.ShellFixtures.line;
import static org.callpark.internal.shell.ShellFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.junit.jupiter.api.Test;

class ListCommandTest {

    private final ShellTestCallParkService park = ShellFixtures.park();

    private ListCommand command() {
        ListCommand c = new ListCommand();
        c.park = park;
        c.directories = ShellFixtures.directories();
        c.clock = ShellFixtures.CLOCK;
        return c;
    }

    @Test
    void showsEveryColumnOfARecallingGroupCall() throws Exception {
        String out = run(command());

        assertEquals(List.of("a1b2c3d4", "default", "group Sales", "Customer <+4930123>", "101 Bob", "10:12:55",
                "2m05s", "recalling 2/3"), cells(line(out, "Customer")));
        assertTrue(out.contains("Call"), out);
        assertTrue(out.contains("Parked by"), out);
        assertTrue(out.contains("Waiting"), out);
    }

    @Test
    void extensionSlotShowsTheUsersNameAndACallWithoutParkerShowsADash() throws Exception {
        String out = run(command());

        assertEquals(List.of("a1b2ffee", "default", "ext 102 (Alice)", ODD_NAME + " <+4940999>", "102 Alice",
                "10:14:30", "30s", "parked"), cells(line(out, "ext 102")));
        assertEquals(List.of("b9e8d7c6", "acme", "ext 201 (Carol)", "555", "-", "09:00:00", "1h15m00s", "parked"),
                cells(line(out, "ext 201")));
    }

    @Test
    void aParkerNobodyVerifiedIsMarkedUnverified() throws Exception {
        List<ParkedCall> calls = new ArrayList<>(ShellFixtures.calls());
        ParkedCall c = calls.get(1);
        calls.set(1, new ParkedCall(c.id(), c.slot(), c.caller(), c.parkedBy(), c.parkGroup(), c.parkedAt(),
                c.sequence(), c.state(), c.resolution(), c.recallAttempt(), c.recall(), c.node(), c.leg(),
                c.nextActionAt(), c.version(), c.recallTarget(), c.session(), c.resolvedBy(), false));
        ListCommand command = command();
        command.park = new ShellTestCallParkService(calls);

        String out = run(command);

        assertEquals("102 Alice (unverified)", cells(line(out, "ext 102")).get(4), out);
        assertEquals("101 Bob", cells(line(out, "Customer")).get(4), "a verified parker is shown as before");
    }

    @Test
    void oldestFirst() throws Exception {
        String out = run(command());

        assertTrue(out.indexOf("b9e8d7c6") < out.indexOf("a1b2c3d4"), out);
        assertTrue(out.indexOf("a1b2c3d4") < out.indexOf("a1b2ffee"), out);
    }

    @Test
    void fullIdsWithLong() throws Exception {
        ListCommand c = command();
        c.longIds = true;

        String out = run(c);

        assertTrue(out.contains(SALES_CALL) && out.contains(ALICE_CALL) && out.contains(ACME_CALL), out);
    }

    @Test
    void filtersByTenant() throws Exception {
        ListCommand c = command();
        c.tenant = "acme";

        String out = run(c);

        assertTrue(out.contains("b9e8d7c6"), out);
        assertFalse(out.contains("a1b2"), out);
    }

    @Test
    void filtersBySlotKey() throws Exception {
        ListCommand c = command();
        c.slot = "default/group/sales";

        String out = run(c);

        assertTrue(out.contains("group Sales"), out);
        assertFalse(out.contains("ext 102") || out.contains("ext 201"), out);
    }

    @Test
    void emptySlot() throws Exception {
        ListCommand c = command();
        c.slot = "default/ext/101";

        assertEquals("No parked calls.", run(c).trim());
    }

    @Test
    void badSlotKeyNamesTheOption() {
        ListCommand c = command();
        c.slot = "default/sales";

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(c));
        assertTrue(e.getMessage().startsWith("--slot: "), e.getMessage());
    }

    @Test
    void slotOfAnotherTenantThanTheTenantOption() {
        ListCommand c = command();
        c.tenant = "acme";
        c.slot = "default/group/sales";

        assertThrows(IllegalArgumentException.class, () -> run(c));
    }

    @Test
    void unknownTenantListsTheKnownOnes() {
        ListCommand c = command();
        c.tenant = "globex";

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(c));
        assertEquals("--tenant: unknown tenant 'globex' (tenants: acme, default)", e.getMessage());
    }

    @Test
    void noCalls() throws Exception {
        ListCommand c = command();
        c.park = new ShellTestCallParkService(List.of());

        assertEquals("No parked calls.", run(c).trim());
    }

    @Test
    void storeDownIsAnIllegalState() {
        park.failure = new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "no cluster members reachable");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(command()));
        assertEquals("cluster store unavailable: no cluster members reachable", e.getMessage());
    }

    @Test
    void oddCallerNamesArePrintedAsIsButControlCharactersAreMadeVisible() throws Exception {
        ListCommand c = command();
        c.park = new ShellTestCallParkService(List.of(
                ShellFixtures.call("c0ffee00-1", SlotId.extension(ShellFixtures.DEFAULT, "101"),
                        CallerId.of("%n%s", "Evil\u001b[2J\nName\t%d"), "101", "2026-03-02T10:00:00Z",
                        CallState.PARKED, 0, ShellFixtures.USER_POLICY)));

        String out = run(c);

        assertFalse(out.contains("\u001b"), "no raw escape sequence reaches the terminal");
        assertTrue(out.contains("Evil\\x1b[2J\\x0aName\\x09%d <%n%s>"), out);
        assertEquals(3, out.split("\\R").length, "header, rule and one row:\n" + out);
    }
}
