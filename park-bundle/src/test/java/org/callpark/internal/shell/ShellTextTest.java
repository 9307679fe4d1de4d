package org.callpark.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.junit.jupiter.api.Test;

class ShellTextTest {

    @Test
    void waiting() {
        assertEquals("0s", ShellText.waiting(Duration.ZERO));
        assertEquals("59s", ShellText.waiting(Duration.ofSeconds(59)));
        assertEquals("1m00s", ShellText.waiting(Duration.ofSeconds(60)));
        assertEquals("2m05s", ShellText.waiting(Duration.ofSeconds(125)));
        assertEquals("59m59s", ShellText.waiting(Duration.ofSeconds(3599)));
        assertEquals("1h00m00s", ShellText.waiting(Duration.ofSeconds(3600)));
        assertEquals("26h03m04s", ShellText.waiting(Duration.ofSeconds(26 * 3600 + 184)));
    }

    @Test
    void aCallParkedOnANodeWhoseClockIsAheadHasWaitedZero() {
        assertEquals("0s", ShellText.waiting(Duration.ofSeconds(-3)));
    }

    @Test
    void groupSlotOfAGroupNoLongerConfiguredShowsTheStoredName() {
        assertEquals("group gone", ShellText.slot(ShellFixtures.directory(),
                SlotId.group(TenantId.DEFAULT, "Gone")));
    }

    @Test
    void extensionWithoutUser() {
        assertEquals("ext 199", ShellText.slot(ShellFixtures.directory(), SlotId.extension(TenantId.DEFAULT, "199")));
    }

    @Test
    void untrustedTextKeepsPrintablesAndShowsControls() {
        assertEquals("Zoë <x> 100% \\x1b[31m\\x0d\\x7f\\x85",
                ShellText.untrusted("Zoë <x> 100% \u001b[31m\r\u007f\u0085"));
    }
}
