package org.callpark.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ShellErrorsTest {

    @ParameterizedTest
    @EnumSource(value = Reason.class, names = { "INVALID_ARGUMENT", "NOT_FOUND", "SLOT_EMPTY", "NOT_PERMITTED",
            "CONFLICT" })
    void operatorMistakesAreIllegalArguments(Reason reason) {
        RuntimeException e = ShellErrors.translate(new ParkException(reason, "what went wrong"));

        assertInstanceOf(IllegalArgumentException.class, e);
        assertEquals("what went wrong", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Reason.class, names = { "STORE_UNAVAILABLE", "MEDIA_FAILURE", "SLOT_OCCUPIED",
            "NO_FREE_SLOT" })
    void serverTroubleIsAnIllegalState(Reason reason) {
        assertInstanceOf(IllegalStateException.class, ShellErrors.translate(new ParkException(reason, "x")));
    }

    @Test
    void storeUnavailableSaysSo() {
        assertEquals("cluster store unavailable: 0 of 3 members reachable", ShellErrors.translate(
                new ParkException(Reason.STORE_UNAVAILABLE, "0 of 3 members reachable")).getMessage());
    }

    @Test
    void invalidArgumentKeepsEveryViolation() {
        ParkException invalid = ParkException.invalid("tenant", "unknown tenant 'x'");

        assertEquals("tenant: unknown tenant 'x'", ShellErrors.translate(invalid).getMessage());
    }
}
