package org.callpark.internal.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.callpark.api.BlfOptions;
import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RingGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.callpark.spi.json.DirectoryParser;
import org.callpark.spi.json.DirectoryWriter;
import org.callpark.spi.json.Durations;

/** parse(write(d)) equals d; the accepted spellings of lists and durations. */
class DirectoryRoundTripTest {

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final TenantId ACME = TenantId.of("acme");

    static Directory builtByCode() {
        return new Directory(DEFAULT,
                List.of(new Tenant(DEFAULT, "Example Ltd", List.of("example.test"), "example.com",
                        new RecallPolicy(RecallMode.USER_THEN_RING_GROUP, "Reception", List.of("105", "104"),
                                Duration.ofMillis(1500), Duration.ofMinutes(2), 10)),
                        new Tenant(ACME, "Acme, Inc.", List.of("acme.test", "acme.example"), "",
                                new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(45),
                                        Duration.ofNanos(1_000_000_500L), 1),
                                new BlfOptions(BlfOptions.DialogState.EARLY, true))),
                List.of(new User(DEFAULT, "101", "Bob = the builder", "p#ss!", "bob@example.com"),
                        new User(DEFAULT, "104", "Dave", "pass104", ""),
                        new User(DEFAULT, "105", "Erin", "pass105", ""),
                        new User(ACME, "201", "Karl", "pass201", "")),
                List.of(new RingGroup(DEFAULT, "Reception", List.of("105", "104")),
                        new RingGroup(ACME, "Front_Desk-2", List.of("201"))),
                List.of(new ParkGroup(DEFAULT, "Sales", "700", List.of("101", "104"), RecallMode.USER_THEN_RING_GROUP,
                        "Reception", Duration.ofMillis(500), Duration.ofSeconds(30), 3, false),
                        new ParkGroup(ACME, "support", "", List.of("201"), RecallMode.RING_GROUP_ONLY, "Front_Desk-2",
                                Duration.ofSeconds(30), Duration.ofSeconds(30), 2, false)));
    }

    static void assertSameDirectory(Directory expected, Directory actual) {
        assertEquals(expected.defaultTenant(), actual.defaultTenant());
        assertEquals(expected.tenants(), actual.tenants());
        assertEquals(expected.allUsers(), actual.allUsers());
        assertEquals(expected.allRingGroups(), actual.allRingGroups());
        assertEquals(expected.allParkGroups(), actual.allParkGroups());
    }

    @Test
    void parseOfWriteIsTheSameDirectory() {
        Directory d = builtByCode();
        assertTrue(new DirectoryValidator().validate(d).isEmpty(), () -> new DirectoryValidator().validate(d).toString());
        Map<String, String> written = new DirectoryWriter().write(d);
        DirectoryParser.Result parsed = new DirectoryParser().parse(written);
        assertTrue(parsed.isValid(), parsed.violations()::toString);
        assertSameDirectory(d, parsed.model().toDirectory());
    }

    @Test
    void theShippedFileSurvivesARoundTrip() throws Exception {
        Directory shipped = new DirectoryParser().parse(DirectoryFixtures.shipped()).model().toDirectory();
        Map<String, String> written = new DirectoryWriter().write(shipped);
        assertSameDirectory(shipped, new DirectoryParser().parse(written).model().toDirectory());
        // every key of the shipped file is written back, so FileInstall keeps its comments in place
        assertEquals(DirectoryFixtures.shipped().keySet(), new java.util.TreeMap<>(written).keySet());
    }

    @Test
    void disabledGroupsAreNotWritten() {
        Directory d = builtByCode();
        ParkGroup gone = new ParkGroup(DEFAULT, "Gone", "", List.of(), RecallMode.USER_ONLY, "",
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, true);
        Map<String, String> written = new DirectoryWriter().write(d.withParkGroups(List.of(gone)));
        assertTrue(written.keySet().stream().noneMatch(k -> k.startsWith("parkgroup.default.Gone.")));
    }

    @Test
    void writtenValuesAreStringsWithCommaLists() {
        Map<String, String> written = new DirectoryWriter().write(builtByCode());
        assertEquals("acme, default", written.get("tenants")); // a Directory orders tenants by id
        assertEquals("105, 104", written.get("ringgroup.default.Reception.members"));
        assertEquals("500ms", written.get("parkgroup.default.Sales.ringDuration"));
        assertEquals("120", written.get("tenant.default.recall.waitBeforeRingGroup"));
        assertEquals("1.0000005", written.get("tenant.acme.recall.waitBeforeRingGroup"));
        assertEquals(null, written.get("tenant.acme.xmppDomain"), "empty optional settings are left out");
        assertEquals("", written.get("tenant.acme.recall.ringGroup"));
    }

    @Test
    void listsMayBeStringsArraysOrCollections() {
        Map<String, Object> m = DirectoryFixtures.valid();
        m.put("tenants", new String[] { "default", "acme" });
        m.put("parkgroup.default.Sales.members", List.of("101", "102, 103"));
        m.put("ringgroup.default.Reception.members", new String[] { "104, 105" });
        m.put("parkgroup.default.Sales.retries", 3);
        m.put("parkgroup.default.Sales.ringDuration", 30L);
        m.put("tenant.acme.name", new String[] { "Acme Corp" });
        DirectoryParser.Result r = new DirectoryParser().parse(m);
        assertTrue(r.isValid(), r.violations()::toString);
        Directory d = r.model().toDirectory();
        assertEquals(List.of("101", "102", "103"), d.parkGroup(DEFAULT, "sales").orElseThrow().members());
        assertEquals(List.of("104", "105"), d.ringGroup(DEFAULT, "reception").orElseThrow().members());
        assertEquals(Duration.ofSeconds(30), d.parkGroup(DEFAULT, "700").orElseThrow().ringDuration());
        assertEquals("Acme Corp", d.tenant(ACME).orElseThrow().name());
    }

    @Test
    void aScalarWithSeveralValuesIsAViolation() {
        Map<String, Object> m = DirectoryFixtures.valid();
        m.put("tenant.acme.name", new String[] { "Acme", "Corp" });
        assertEquals(List.of("tenant.acme.name"), new DirectoryParser().parse(m).violations().stream()
                .map(v -> v.field()).toList());
    }

    @Test
    void unsetSettingsTakeTheDocumentedDefaults() {
        Map<String, Object> m = Map.of("tenants", "default", "user.default.101.name", "Bob",
                "user.default.101.password", "x", "parkgroup.default.Sales.members", "101");
        DirectoryParser.Result r = new DirectoryParser().parse(m);
        assertTrue(r.isValid(), r.violations()::toString);
        Directory d = r.model().toDirectory();
        RecallPolicy defaults = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(45),
                Duration.ofSeconds(30), 3);
        assertEquals(defaults, d.tenant(DEFAULT).orElseThrow().recallDefaults());
        assertEquals(new ParkGroup(DEFAULT, "Sales", "", List.of("101"), RecallMode.USER_ONLY, "",
                Duration.ofSeconds(45), Duration.ofSeconds(30), 3, false), d.parkGroup(DEFAULT, "Sales").orElseThrow());
        assertTrue(new DirectoryValidator().validate(r.model()).isEmpty());
    }

    @Test
    void domainsAreLowerCasedAndTenantRecallRingGroupMembersResolved() {
        Map<String, Object> m = DirectoryFixtures.valid();
        m.put("tenant.acme.domains", "ACME.Test");
        m.put("tenant.acme.recall.mode", "ring_group_only");
        m.put("tenant.acme.recall.ringGroup", "front");
        Directory d = new DirectoryParser().parse(m).model().toDirectory();
        Tenant acme = d.tenant(ACME).orElseThrow();
        assertEquals(List.of("acme.test"), acme.domains());
        assertEquals(RecallMode.RING_GROUP_ONLY, acme.recallDefaults().mode());
        assertEquals(List.of("203"), acme.recallDefaults().ringGroupMembers());
    }

    @ParameterizedTest
    @CsvSource({ "30, PT30S", "1.5, PT1.5S", "500ms, PT0.5S", "2m, PT2M", "45s, PT45S", "0.25m, PT15S",
            "' 10 s ', PT10S", "-5, PT-5S", ".5, PT0.5S", "1.0000005, PT1.0000005S" })
    void durationSpellings(String text, String iso) {
        assertEquals(Duration.parse(iso), Durations.parse(text));
        assertEquals(Duration.parse(iso), Durations.parse(Durations.format(Durations.parse(text))));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "abc", "5h", "1,5", "ms", "99999999999999m", "5 5" })
    void badDurationSpellings(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text), () -> Arrays.toString(new String[] { text }));
    }
}
