package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.callpark.internal.directory.DirectoryValidator;
import org.junit.jupiter.api.Test;

/**
 * The one mapping of reasons to HTTP status, and of the directory's violation keys to JSON fields — checked against the
 * directory's real validator, so a change of its keys or wording breaks this test rather than the page.
 */
class ApiErrorsTest {

    @Test
    void everyReasonHasItsStatus() {
        Map<Reason, Integer> expected = Map.ofEntries(
                Map.entry(Reason.INVALID_ARGUMENT, 400),
                Map.entry(Reason.NOT_FOUND, 404),
                Map.entry(Reason.SLOT_EMPTY, 404),
                Map.entry(Reason.NOT_PERMITTED, 403),
                Map.entry(Reason.CONFLICT, 409),
                Map.entry(Reason.SLOT_OCCUPIED, 409),
                Map.entry(Reason.NO_FREE_SLOT, 409),
                Map.entry(Reason.STORE_UNAVAILABLE, 503),
                Map.entry(Reason.MEDIA_FAILURE, 503),
                Map.entry(Reason.MEDIA_CAPACITY, 503),
                Map.entry(Reason.UNREACHABLE, 502));
        for (Reason r : Reason.values()) {
            assertEquals(expected.get(r), ApiErrors.status(r), r.name());
        }
    }

    @Test
    void translateKeepsReasonMessageAndEveryViolation() {
        ApiException e = ApiErrors.translate(ParkException.invalid(List.of(
                new ParkException.Violation("parkgroup.default.Ops.retries", "retries must be between 1 and 10"),
                new ParkException.Violation("tenant.default.domains", "bad domain"))));
        assertEquals(400, e.status());
        assertEquals("INVALID_ARGUMENT", e.error());
        assertEquals(2, e.violations().size());
        assertEquals("retries", e.violations().get(0).field());
        assertEquals("parkgroup.default.Ops.retries", e.violations().get(0).key());
        assertNull(e.violations().get(1).field(), "a tenant key is no park group field");
        ApiException notFound = ApiErrors.translate(new ParkException(Reason.SLOT_EMPTY, "nothing parked"));
        assertEquals(404, notFound.status());
        assertEquals("SLOT_EMPTY", notFound.body().error());
        assertEquals("nothing parked", notFound.body().message());
    }

    private static ParkGroup group(String name, String number, List<String> members, RecallMode mode, String ringGroup,
            long ring, long wait, int retries) {
        return new ParkGroup(Fixtures.DEFAULT, name, number, members, mode, ringGroup, Duration.ofSeconds(ring),
                Duration.ofSeconds(wait), retries, false);
    }

    /** The JSON fields the real validator's violations map to when {@code g} is added to the demo directory. */
    private static List<String> fieldsWhenAdding(ParkGroup g) {
        Directory d = Fixtures.demo();
        List<ParkGroup> groups = new ArrayList<>(d.allParkGroups());
        groups.add(g);
        Directory candidate = new Directory(d.defaultTenant(), d.tenants(), d.allUsers(), d.allRingGroups(), groups);
        List<ParkException.Violation> violations = new DirectoryValidator().validate(candidate);
        assertTrue(!violations.isEmpty(), "expected violations for " + g);
        return violations.stream().map(ApiErrors::field).collect(Collectors.toList());
    }

    @Test
    void directoryViolationsMapToTheParkGroupBodyFields() {
        RecallMode u = RecallMode.USER_ONLY;
        assertEquals(List.of("retries"), fieldsWhenAdding(group("Ops", "", List.of("104"), u, "", 30, 30, 0)));
        assertEquals(List.of("retries"), fieldsWhenAdding(group("Ops", "", List.of("104"), u, "", 30, 30, 11)));
        assertEquals(List.of("ringDurationSeconds"), fieldsWhenAdding(group("Ops", "", List.of(), u, "", 0, 30, 3)));
        assertEquals(List.of("waitBeforeRingGroupSeconds"),
                fieldsWhenAdding(group("Ops", "", List.of(), u, "", 30, -1, 3)));
        assertEquals(List.of("ringGroup"), fieldsWhenAdding(group("Ops", "", List.of(),
                RecallMode.RING_GROUP_ONLY, "", 30, 30, 3)));
        assertEquals(List.of("ringGroup"), fieldsWhenAdding(group("Ops", "", List.of(),
                RecallMode.USER_THEN_RING_GROUP, "", 30, 30, 3)));
        assertEquals(List.of("ringGroup"), fieldsWhenAdding(group("Ops", "", List.of(), RecallMode.RING_GROUP_ONLY,
                "Nobody", 30, 30, 3)));
        assertEquals(List.of("ringGroup"), fieldsWhenAdding(group("Ops", "", List.of(), RecallMode.RING_GROUP_ONLY,
                "Front", 30, 30, 3)), "acme's ring group");
        assertEquals(List.of("members"), fieldsWhenAdding(group("Ops", "", List.of("999"), u, "", 30, 30, 3)));
        assertEquals(List.of("members"), fieldsWhenAdding(group("Ops", "", List.of("201"), u, "", 30, 30, 3)),
                "acme's user");
        assertEquals(List.of("members"), fieldsWhenAdding(group("Ops", "", List.of("104", "104"), u, "", 30, 30, 3)));
        assertEquals(List.of("members"), fieldsWhenAdding(group("Ops", "", List.of("101"), u, "", 30, 30, 3)),
                "101 is in Sales");
        assertEquals(List.of("members"), fieldsWhenAdding(group("Aaa", "", List.of("101"), u, "", 30, 30, 3)),
                "reported on Sales (sorted after Aaa), still the members field");
        assertEquals(List.of("name"), fieldsWhenAdding(group("", "", List.of(), u, "", 30, 30, 3)));
        assertEquals(List.of("name"), fieldsWhenAdding(group("a b", "", List.of(), u, "", 30, 30, 3)));
        assertEquals(List.of("name"), fieldsWhenAdding(group("x".repeat(33), "", List.of(), u, "", 30, 30, 3)));
        assertEquals(List.of("number"), fieldsWhenAdding(group("Ops", "700", List.of(), u, "", 30, 30, 3)));
        assertEquals(List.of("number"), fieldsWhenAdding(group("Ops", "101", List.of(), u, "", 30, 30, 3)));
        assertEquals(List.of("number"), fieldsWhenAdding(group("Ops", "7a", List.of(), u, "", 30, 30, 3)));
    }
}
