package org.callpark.internal.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.callpark.spi.json.DirectoryParser;

class DirectoryServiceImplTest {

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final TenantId ACME = TenantId.of("acme");
    private static final SlotId SALES = SlotId.group(DEFAULT, "Sales");

    private final DirectoryFakeSlotStore store = new DirectoryFakeSlotStore();
    private final RecordingConfigurationAdmin configAdmin = new RecordingConfigurationAdmin();
    private DirectoryServiceImpl service;

    @BeforeEach
    void create() {
        service = new DirectoryServiceImpl(configAdmin, store);
    }

    @AfterEach
    void deactivate() {
        service.deactivate();
    }

    /** What DS hands the component: the configuration plus its own bookkeeping. */
    private static Map<String, Object> ds(Map<String, Object> config) {
        Map<String, Object> m = new HashMap<>(config);
        m.put("component.name", DirectoryServiceImpl.class.getName());
        m.put("component.id", 3L);
        m.put("service.pid", "org.callpark.directory");
        m.put("felix.fileinstall.filename", "file:/opt/karaf/etc/org.callpark.directory.cfg");
        return m;
    }

    private static Map<String, Object> validWithout(String... keyPrefixes) {
        Map<String, Object> m = DirectoryFixtures.valid();
        for (String prefix : keyPrefixes) {
            m.keySet().removeIf(k -> k.startsWith(prefix));
        }
        return m;
    }

    private static ParkedCall parked(String id, SlotId slot) {
        return new ParkedCall(id, slot, CallerId.of("+4930123", "Customer"), "101", slot.name(), Instant.now(), 1,
                CallState.PARKED, null, 0, new RecallPolicy(RecallMode.USER_ONLY, null, List.of(),
                        Duration.ofSeconds(45), Duration.ofSeconds(30), 3), "test", "leg-" + id, null, 1);
    }

    private Optional<ParkGroup> sales() {
        return service.current().parkGroup(DEFAULT, "sales");
    }

    // --- activation and hot reload ---

    @Test
    void withoutConfigurationTheDirectoryIsEmpty() {
        service.activate(Map.of("component.name", "x", "component.id", 1L));
        assertTrue(service.current().tenants().isEmpty());
        assertEquals(1, store.watchers());
    }

    @Test
    void anInvalidFirstConfigurationGivesAnEmptyDirectory() {
        Map<String, Object> config = DirectoryFixtures.valid();
        config.put("parkgroup.default.Sales.retries", "11");
        service.activate(ds(config));
        assertTrue(service.current().tenants().isEmpty());
        assertTrue(service.current().allParkGroups().isEmpty());
    }

    @Test
    void aValidConfigurationIsApplied() {
        service.activate(ds(DirectoryFixtures.valid()));
        assertEquals(List.of("101", "102", "103"), sales().orElseThrow().members());
        assertEquals(ACME, service.current().tenantForDomain("acme.test").orElseThrow().id());
    }

    /**
     * A configuration with no tenant while a directory is held (the file deleted, or read half-written by fileinstall:
     * a system test saw every tenant unknown for 20 ms) leaves the directory as it is; a later full one is applied.
     */
    @Test
    void anEmptyConfigurationDoesNotEmptyAHeldDirectory() {
        service.activate(ds(DirectoryFixtures.valid()));
        Directory held = service.current();
        service.modified(ds(Map.of()));
        assertSame(held, service.current(), "the held directory stays");
        assertEquals(List.of("101", "102", "103"), sales().orElseThrow().members());
        Map<String, Object> changed = DirectoryFixtures.valid();
        changed.put("parkgroup.default.Sales.members", "101,102");
        service.modified(ds(changed));
        assertEquals(List.of("101", "102"), sales().orElseThrow().members(), "the next full configuration applies");
    }

    @Test
    void anInvalidChangeKeepsThePreviousDirectory() {
        service.activate(ds(DirectoryFixtures.valid()));
        Directory before = service.current();

        Map<String, Object> change = DirectoryFixtures.valid();
        change.put("parkgroup.default.Sales.members", "101, 102, 103, 104");
        change.put("parkgroup.default.Sales.retries", "11");
        change.put("parkgroup.default.Sales.retires", "3");
        List<ParkException.Violation> violations = service.configure(ds(change));

        assertEquals(2, violations.size(), violations::toString);
        assertSame(before, service.current());
    }

    @Test
    void aValidChangeIsSwappedIn() {
        service.activate(ds(DirectoryFixtures.valid()));
        Directory before = service.current();
        Map<String, Object> change = DirectoryFixtures.valid();
        change.put("parkgroup.default.Sales.members", "101, 102, 103, 106");
        assertEquals(List.of(), service.configure(ds(change)));
        assertNotSame(before, service.current());
        assertTrue(sales().orElseThrow().hasMember("106"));
        assertEquals(List.of("101", "102", "103"), before.parkGroup(DEFAULT, "Sales").orElseThrow().members(),
                "a published snapshot never changes");
    }

    @Test
    void theSameConfigurationAgainChangesNothing() {
        service.activate(ds(DirectoryFixtures.valid()));
        Directory before = service.current();
        service.modified(ds(DirectoryFixtures.valid()));
        assertSame(before, service.current());
    }

    @Test
    void deactivateClosesTheWatch() {
        service.activate(ds(DirectoryFixtures.valid()));
        assertEquals(1, store.watchers());
        service.deactivate();
        assertEquals(0, store.watchers());
    }

    // --- update(Directory) and validate(Directory) ---

    @Test
    void aCandidateWithTwoGroupsOfTheSameNameIsRefusedNotCollapsed() throws Exception {
        service.activate(ds(DirectoryFixtures.valid()));
        Directory before = service.current();
        ParkGroup sales = before.parkGroup(DEFAULT, "Sales").orElseThrow();
        ParkGroup twin = new ParkGroup(DEFAULT, "SALES", "", List.of(), RecallMode.USER_ONLY, "",
                Duration.ofSeconds(30), Duration.ofSeconds(30), 3, false);
        List<ParkGroup> groups = new java.util.ArrayList<>(before.allParkGroups());
        groups.add(twin);
        Directory candidate = new Directory(before.defaultTenant(), before.tenants(), before.allUsers(),
                before.allRingGroups(), groups);

        assertEquals(sales, candidate.parkGroup(DEFAULT, "sales").orElseThrow(), "lookups keep the first");
        assertTrue(candidate.allParkGroups().contains(twin), "the second is kept for validation");
        ParkException e = assertThrows(ParkException.class, () -> service.update(candidate));
        assertTrue(e.violations().stream().anyMatch(v -> v.message().contains("the name is already used")),
                e.violations().toString());
        assertSame(before, service.current());
    }

    @Test
    void updateWritesTheConfigurationAndAppliesIt() throws Exception {
        configAdmin.loadedFrom("file:/opt/karaf/etc/org.callpark.directory.cfg", new Hashtable<>());
        service.activate(ds(DirectoryFixtures.valid()));
        Directory base = service.current();
        ParkGroup old = base.parkGroup(DEFAULT, "Sales").orElseThrow();
        ParkGroup changed = new ParkGroup(DEFAULT, "Sales", "701", old.members(), RecallMode.USER_ONLY, "",
                Duration.ofSeconds(20), Duration.ofSeconds(10), 5, false);
        Directory candidate = new Directory(base.defaultTenant(), base.tenants(), base.allUsers(),
                base.allRingGroups(), List.of(changed, base.parkGroup(ACME, "Support").orElseThrow()));

        service.update(candidate);

        assertEquals(List.of("org.callpark.directory@?"), configAdmin.requested);
        assertEquals(1, configAdmin.updates.size());
        Hashtable<String, Object> written = configAdmin.updates.get(0);
        assertEquals("701", written.get("parkgroup.default.Sales.number"));
        assertEquals("5", written.get("parkgroup.default.Sales.retries"));
        assertEquals("101, 102, 103", written.get("parkgroup.default.Sales.members"));
        assertEquals("file:/opt/karaf/etc/org.callpark.directory.cfg", written.get("felix.fileinstall.filename"),
                "FileInstall must keep writing to the file the configuration came from");
        assertEquals(changed, sales().orElseThrow());

        // ConfigAdmin then calls back with what was written: nothing changes
        Directory applied = service.current();
        service.modified(ds(new HashMap<>(written)));
        assertSame(applied, service.current());
    }

    @Test
    void anInvalidUpdateIsRejectedAndChangesNothing() {
        service.activate(ds(DirectoryFixtures.valid()));
        Directory before = service.current();
        ParkGroup old = before.parkGroup(DEFAULT, "Sales").orElseThrow();
        ParkGroup broken = new ParkGroup(DEFAULT, "Sales", "", List.of("101", "201"), RecallMode.RING_GROUP_ONLY,
                "", Duration.ofSeconds(30), Duration.ofSeconds(30), 0, false);
        Directory candidate = new Directory(before.defaultTenant(), before.tenants(), before.allUsers(),
                before.allRingGroups(), List.of(broken, before.parkGroup(ACME, "Support").orElseThrow()));

        ParkException e = assertThrows(ParkException.class, () -> service.update(candidate));

        assertEquals(ParkException.Reason.INVALID_ARGUMENT, e.reason());
        assertEquals(List.of("parkgroup.default.Sales.members", "parkgroup.default.Sales.retries",
                "parkgroup.default.Sales.ringGroup"), e.violations().stream().map(v -> v.field()).toList());
        assertEquals(e.violations(), service.validate(candidate));
        assertTrue(configAdmin.updates.isEmpty());
        assertTrue(configAdmin.requested.isEmpty());
        assertSame(before, service.current());
        assertEquals(old, sales().orElseThrow());
    }

    @Test
    void anUpdateThatCannotBeSavedChangesNothing() {
        service.activate(ds(DirectoryFixtures.valid()));
        Directory before = service.current();
        configAdmin.failing = true;
        Directory candidate = new DirectoryParser().parse(validWithout("parkgroup.acme.")).model().toDirectory();
        ParkException e = assertThrows(ParkException.class, () -> service.update(candidate));
        assertEquals(ParkException.Reason.STORE_UNAVAILABLE, e.reason());
        assertSame(before, service.current());
    }

    @Test
    void updateAcceptsTheCurrentDirectoryWithItsDisabledGroups() throws Exception {
        service.activate(ds(DirectoryFixtures.valid()));
        store.insert(parked("c1", SALES));
        service.configure(ds(validWithout("parkgroup.default.Sales.")));
        assertTrue(sales().orElseThrow().disabled());

        service.update(service.current());

        assertTrue(configAdmin.updates.get(0).keySet().stream().noneMatch(k -> k.startsWith("parkgroup.default.Sales")),
                "a disabled group is not configuration");
        assertTrue(sales().orElseThrow().disabled(), "and it still drains");
    }

    // --- disabled until empty ---

    @Test
    void aRemovedGroupWithoutCallsIsGoneAtOnce() {
        service.activate(ds(DirectoryFixtures.valid()));
        service.configure(ds(validWithout("parkgroup.default.Sales.")));
        assertTrue(sales().isEmpty());
    }

    @Test
    void aRemovedGroupWithAParkedCallStaysDisabledUntilItsLastCallIsDeleted() throws Exception {
        service.activate(ds(DirectoryFixtures.valid()));
        store.insert(parked("c1", SALES));
        store.insert(parked("c2", SALES));
        store.insert(parked("other", SlotId.extension(DEFAULT, "101")));

        service.configure(ds(validWithout("parkgroup.default.Sales.")));

        ParkGroup disabled = sales().orElseThrow();
        assertTrue(disabled.disabled());
        assertEquals("700", disabled.number());
        assertTrue(service.current().parkGroups(DEFAULT).contains(disabled), "still listed");
        assertTrue(service.current().parkGroupOf(DEFAULT, "101").isEmpty(), "no new parks through membership");

        store.delete("other");
        store.update("c1", c -> c.ended(Resolution.ANSWERED)); // ended is not live any more
        assertTrue(sales().orElseThrow().disabled(), "c2 still waits");
        store.delete("c1");
        assertTrue(sales().isPresent());

        store.delete("c2");
        assertTrue(sales().isEmpty(), "empty: gone");
        assertEquals(1, service.current().allParkGroups().size());
    }

    @Test
    void aRemovedGroupStaysDisabledAcrossFurtherChanges() throws Exception {
        service.activate(ds(DirectoryFixtures.valid()));
        store.insert(parked("c1", SALES));
        service.configure(ds(validWithout("parkgroup.default.Sales.")));
        service.configure(ds(validWithout("parkgroup.default.Sales.", "parkgroup.acme.")));
        assertTrue(sales().orElseThrow().disabled());
        store.delete("c1");
        assertTrue(sales().isEmpty());
    }

    @Test
    void aReCreatedGroupReplacesItsDisabledTwin() throws Exception {
        service.activate(ds(DirectoryFixtures.valid()));
        store.insert(parked("c1", SALES));
        service.configure(ds(validWithout("parkgroup.default.Sales.")));
        assertTrue(sales().orElseThrow().disabled());

        Map<String, Object> recreated = validWithout("parkgroup.default.Sales.");
        recreated.put("parkgroup.default.SALES.members", "101, 106");
        service.configure(ds(recreated));

        List<ParkGroup> groups = service.current().parkGroups(DEFAULT);
        assertEquals(1, groups.size(), groups::toString);
        assertEquals("SALES", groups.get(0).name());
        assertFalse(groups.get(0).disabled());

        store.delete("c1");
        assertEquals("SALES", sales().orElseThrow().name(), "the re-created group does not drain away");
    }

    @Test
    void aDisabledGroupLosesANumberThatNowDialsSomethingElse() throws Exception {
        service.activate(ds(DirectoryFixtures.valid()));
        store.insert(parked("c1", SALES));
        Map<String, Object> change = validWithout("parkgroup.default.Sales.");
        change.put("parkgroup.default.Billing.members", "101");
        change.put("parkgroup.default.Billing.number", "700");
        service.configure(ds(change));

        assertEquals("", sales().orElseThrow().number());
        assertEquals("Billing", service.current().parkGroup(DEFAULT, "700").orElseThrow().name());
    }

    @Test
    void whenTheStoreCannotBeAskedARemovedGroupStaysDisabled() throws Exception {
        service.activate(ds(DirectoryFixtures.valid()));
        store.unavailable = true;
        service.configure(ds(validWithout("parkgroup.default.Sales.")));
        assertTrue(sales().orElseThrow().disabled(), "cannot prove it is empty");

        store.unavailable = false;
        service.configure(ds(validWithout("parkgroup.default.Sales.", "tenant.acme.name")));
        assertTrue(sales().isEmpty(), "asked again at the next change");
    }

    // --- domains ---

    @Test
    void tenantForDomain() {
        service.activate(ds(DirectoryFixtures.valid()));
        Directory d = service.current();
        assertEquals(ACME, d.tenantForDomain("acme.test").orElseThrow().id(), "claimed");
        assertEquals(DEFAULT, d.tenantForDomain("unclaimed.example").orElseThrow().id(), "unclaimed");
        assertEquals(DEFAULT, d.tenantForDomain("10.0.0.5").orElseThrow().id(), "IP literal");
    }
}
