package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's own record of the callers it carries: kept across a missing folder, read back as written. */
class SessionJournalTest {

    @TempDir
    Path tmp;

    @Test
    void writesIntoAFolderThatDoesNotExistYet_orWasRemoved_andReadsTheCallsBack() throws IOException {
        SessionJournal journal = new SessionJournal(tmp.resolve("data/callpark/sip-journal"));
        ParkedCall first = call("c1", "{\"sip\":1,\"callId\":\"a@b\"}");
        journal.write(first);
        assertEquals(List.of(first), journal.all());
        deleteTree(journal.dir());
        ParkedCall second = call("c2", "{\"sip\":1,\"callId\":\"c@d\"}");
        journal.write(second);
        assertEquals(List.of(second), journal.all(), "written again after the folder was removed");
        ParkedCall moved = second.carried("node-2", "leg-9", second.session());
        journal.write(moved);
        assertEquals(List.of(moved), journal.all(), "replaced, no second file");
        try (Stream<Path> files = Files.list(journal.dir())) {
            assertEquals(List.of("c2.json"), files.map(p -> p.getFileName().toString()).toList(), "no temporary");
        }
        journal.remove("c2");
        assertTrue(journal.all().isEmpty());
    }

    private static ParkedCall call(String id, String session) {
        RecallPolicy p = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(45),
                Duration.ofSeconds(10), 1);
        return new ParkedCall(id, SlotId.extension(TenantId.DEFAULT, "101"), CallerId.of("+4930123", "Customer"),
                "101", "", Instant.ofEpochMilli(1_796_000_000_000L), 1, CallState.PARKED, null, 0, p, "node-1",
                "leg-1", Instant.ofEpochMilli(1_796_000_045_000L), 2).carried("node-1", "leg-1", session);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(f);
            }
        }
    }
}
