package org.callpark.internal.shell;

import static org.callpark.internal.shell.ShellFixtures.ACME_CALL;
import static org.callpark.internal.shell.ShellFixtures.ALICE_CALL;
import static org.callpark.internal.shell.ShellFixtures.SALES_CALL;
import static org.callpark.internal.shell.ShellFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.callpark.api.ParkException;
import org.callpark.api.Resolution;
import org.callpark.internal.shell.ShellTestCallParkService.EndCall;
import org.junit.jupiter.api.Test;

class HangupCommandTest {

    private final ShellTestCallParkService park = ShellFixtures.park();

    private HangupCommand command(String call) {
        HangupCommand c = new HangupCommand();
        c.call = call;
        c.park = park;
        c.directories = ShellFixtures.directories();
        return c;
    }

    @Test
    void fullIdEndsTheCallForcedExactlyOnce() throws Exception {
        String out = run(command(SALES_CALL));

        assertEquals(List.of(new EndCall(SALES_CALL, Resolution.FORCED)), park.ends);
        assertEquals("Hung up Customer <+4930123> parked on group Sales", out.trim());
    }

    @Test
    void uniquePrefix() throws Exception {
        String out = run(command("b9e8"));

        assertEquals(List.of(new EndCall(ACME_CALL, Resolution.FORCED)), park.ends);
        assertEquals("Hung up 555 parked on ext 201 (Carol)", out.trim());
    }

    @Test
    void theEightCharactersThatParkListShowsAreEnough() throws Exception {
        run(command("a1b2ffee"));

        assertEquals(List.of(new EndCall(ALICE_CALL, Resolution.FORCED)), park.ends);
    }

    @Test
    void ambiguousPrefixListsTheCandidatesAndEndsNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(command("a1b2")));

        assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
        assertTrue(e.getMessage().contains(SALES_CALL) && e.getMessage().contains(ALICE_CALL), e.getMessage());
        assertEquals(List.of(), park.ends);
    }

    @Test
    void unknownId() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(command("ffff0000")));

        assertEquals("call: no live call with id or prefix 'ffff0000' (see park:list)", e.getMessage());
        assertEquals(List.of(), park.ends);
    }

    @Test
    void prefixTooShort() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(command("b9e")));

        assertTrue(e.getMessage().contains("at least 4 characters"), e.getMessage());
        assertEquals(List.of(), park.ends);
    }

    @Test
    void callRetrievedMeanwhileIsReportedNotCrashed() {
        park.endFailure = new ParkException(ParkException.Reason.NOT_FOUND, "call " + SALES_CALL + " already ended");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(command(SALES_CALL)));

        assertEquals("call " + SALES_CALL + " already ended", e.getMessage());
        assertEquals(1, park.ends.size());
    }

    @Test
    void storeDown() {
        park.failure = new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "no members");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(command(SALES_CALL)));
        assertEquals("cluster store unavailable: no members", e.getMessage());
    }
}
