package org.callpark.internal.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.callpark.api.Directory;
import org.callpark.api.ParkException.Violation;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.callpark.spi.json.DirectoryParser;

/** One test per directory rule, each starting from a valid configuration and breaking one thing. */
class DirectoryValidationTest {

    private static Map<String, Object> with(String... keyValues) {
        Map<String, Object> m = DirectoryFixtures.valid();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                m.remove(keyValues[i]);
            } else {
                m.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }

    /** Asserts exactly one violation, on {@code field}, whose message contains every fragment. */
    private static Violation single(Map<String, Object> config, String field, String... fragments) {
        List<Violation> violations = DirectoryFixtures.check(config);
        assertEquals(1, violations.size(), () -> "expected one violation, got " + violations);
        Violation v = violations.get(0);
        assertEquals(field, v.field(), v::toString);
        for (String fragment : fragments) {
            assertTrue(v.message().contains(fragment), () -> "'" + fragment + "' not in: " + v.message());
        }
        return v;
    }

    private static void valid(Map<String, Object> config) {
        List<Violation> violations = DirectoryFixtures.check(config);
        assertTrue(violations.isEmpty(), () -> "expected valid, got " + violations);
    }

    @Test
    void blfOptionsOfATenant() {
        valid(with("tenant.default.blf.state", "early", "tenant.default.blf.broadworks", "true"));
        valid(with("tenant.default.blf.state", "CONFIRMED", "tenant.default.blf.broadworks", "FALSE"));
        Map<String, Object> parsed = with("tenant.default.blf.state", "early", "tenant.default.blf.broadworks", "true");
        org.callpark.api.Tenant t = new DirectoryParser().parse(parsed).model().tenants().stream()
                .filter(x -> x.id().value().equals("default")).findFirst().orElseThrow();
        assertEquals(new org.callpark.api.BlfOptions(org.callpark.api.BlfOptions.DialogState.EARLY, true), t.blf());
    }

    @Test
    void anUnknownBlfStateIsRejectedNamingTheKey() {
        single(with("tenant.default.blf.state", "blinking"), "tenant.default.blf.state", "confirmed or early",
                "'blinking'");
    }

    @Test
    void aBlfBroadworksThatIsNoBooleanIsRejectedNamingTheKey() {
        single(with("tenant.default.blf.broadworks", "yes"), "tenant.default.blf.broadworks", "true or false",
                "'yes'");
    }

    @Test
    void theFixtureIsValid() {
        valid(DirectoryFixtures.valid());
    }

    @Test
    void anEmptyConfigurationIsAnEmptyValidDirectory() {
        valid(Map.of());
        assertTrue(new DirectoryParser().parse(Map.of()).model().tenants().isEmpty());
    }

    @Test
    void bookkeepingKeysAreIgnored() {
        valid(with("service.pid", "org.callpark.directory", "felix.fileinstall.filename", "file:/etc/x.cfg",
                "component.name", "x", "component.id", "7", "osgi.ds.satisfying.condition.target", "(x=y)",
                "service.factoryPid", "f"));
    }

    @Test
    void duplicateParkGroupNameIsCaseInsensitive() {
        single(with("parkgroup.default.SALES.members", "106"), "parkgroup.default.Sales.members",
                "tenant 'default', park group 'Sales'", "already used by park group 'SALES'", "case-insensitive");
    }

    @Test
    void duplicateRingGroupNameIsCaseInsensitive() {
        single(with("ringgroup.default.reception.members", "106"), "ringgroup.default.reception.members",
                "ring group 'reception'", "already used by ring group 'Reception'");
    }

    @Test
    void ringGroupsAndParkGroupsAreSeparateNamespaces() {
        valid(with("ringgroup.default.Sales.members", "106"));
    }

    @Test
    void userInTwoParkGroupsNamesBothGroups() {
        single(with("parkgroup.default.Support.members", "103, 106"), "parkgroup.default.Support.members",
                "park group 'Support'", "user 103 is already a member of park group 'Sales'");
    }

    @Test
    void sameExtensionInParkGroupsOfDifferentTenantsIsFine() {
        valid(with("user.acme.101.name", "Other", "user.acme.101.password", "x",
                "parkgroup.acme.Support.members", "101, 201, 202"));
    }

    @Test
    void memberFromAnotherTenantIsRejected() {
        single(with("parkgroup.default.Sales.members", "101, 102, 201"), "parkgroup.default.Sales.members",
                "tenant 'default', park group 'Sales': member 201 is not a user of tenant 'default'");
    }

    @Test
    void ringGroupMemberFromAnotherTenantIsRejected() {
        single(with("ringgroup.default.Reception.members", "104, 203"), "ringgroup.default.Reception.members",
                "tenant 'default', ring group 'Reception': member 203 is not a user of tenant 'default'");
    }

    @Test
    void unknownMemberIsRejected() {
        single(with("parkgroup.default.Sales.members", "101, 199"), "parkgroup.default.Sales.members",
                "member 199 is not a user of tenant 'default'");
    }

    @Test
    void memberListedTwiceIsRejected() {
        single(with("parkgroup.default.Sales.members", "101, 102, 101"), "parkgroup.default.Sales.members",
                "member 101 is listed twice");
    }

    @Test
    void retriesZeroIsRejected() {
        single(with("parkgroup.default.Sales.retries", "0"), "parkgroup.default.Sales.retries",
                "retries must be between 1 and 10, was 0");
    }

    @Test
    void retriesElevenIsRejected() {
        Violation v = single(with("parkgroup.default.Sales.retries", "11"), "parkgroup.default.Sales.retries");
        assertEquals("tenant 'default', park group 'Sales': retries must be between 1 and 10, was 11", v.message());
    }

    @ParameterizedTest
    @ValueSource(strings = { "1", "10" })
    void retriesOneAndTenAreAccepted(String retries) {
        valid(with("parkgroup.default.Sales.retries", retries, "tenant.default.recall.retries", retries));
    }

    @Test
    void tenantRecallRetriesOutOfRangeIsRejected() {
        single(with("tenant.acme.recall.retries", "11"), "tenant.acme.recall.retries",
                "tenant 'acme', recall defaults: retries must be between 1 and 10, was 11");
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-5", "0ms", "-1.5" })
    void zeroOrNegativeRingDurationIsRejected(String value) {
        single(with("parkgroup.default.Sales.ringDuration", value), "parkgroup.default.Sales.ringDuration",
                "park group 'Sales': ringDuration must be positive");
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-30" })
    void zeroOrNegativeWaitBeforeRingGroupIsRejected(String value) {
        single(with("parkgroup.default.Sales.waitBeforeRingGroup", value),
                "parkgroup.default.Sales.waitBeforeRingGroup", "waitBeforeRingGroup must be positive");
    }

    @Test
    void zeroTenantRecallDurationsAreRejected() {
        List<Violation> v = DirectoryFixtures.check(
                with("tenant.default.recall.ringDuration", "0", "tenant.default.recall.waitBeforeRingGroup", "-1"));
        assertEquals(List.of("tenant.default.recall.ringDuration", "tenant.default.recall.waitBeforeRingGroup"),
                fields(v));
    }

    @ParameterizedTest
    @EnumSource(value = RecallMode.class, names = { "USER_THEN_RING_GROUP", "RING_GROUP_ONLY" })
    void ringGroupModesNeedARingGroup(RecallMode mode) {
        single(with("parkgroup.default.Sales.recallTo", mode.name(), "parkgroup.default.Sales.ringGroup", null),
                "parkgroup.default.Sales.ringGroup", "park group 'Sales': recallTo " + mode + " needs a ring group");
    }

    @ParameterizedTest
    @EnumSource(value = RecallMode.class, names = { "USER_THEN_RING_GROUP", "RING_GROUP_ONLY" })
    void tenantRecallRingGroupModesNeedARingGroup(RecallMode mode) {
        single(with("tenant.default.recall.mode", mode.name()), "tenant.default.recall.ringGroup",
                "recall defaults: mode " + mode + " needs a ring group");
    }

    @Test
    void userOnlyNeedsNoRingGroup() {
        valid(with("parkgroup.default.Sales.recallTo", "USER_ONLY", "parkgroup.default.Sales.ringGroup", null));
    }

    @Test
    void ringGroupOfAnotherTenantIsRejected() {
        single(with("parkgroup.default.Sales.ringGroup", "Front"), "parkgroup.default.Sales.ringGroup",
                "ring group 'Front' is not a ring group of tenant 'default' (it belongs to tenant 'acme')");
    }

    @Test
    void ringGroupIsMatchedCaseInsensitively() {
        valid(with("parkgroup.default.Sales.ringGroup", "RECEPTION"));
    }

    @Test
    void unknownRecallModeIsRejected() {
        single(with("parkgroup.default.Sales.recallTo", "EVERYONE"), "parkgroup.default.Sales.recallTo",
                "recallTo must be one of USER_ONLY | USER_THEN_RING_GROUP | RING_GROUP_ONLY, was 'EVERYONE'");
    }

    @Test
    void misspeltKeyIsRejectedWithASuggestion() {
        single(with("parkgroup.default.Sales.retires", "3"), "parkgroup.default.Sales.retires",
                "park group 'Sales': unknown setting 'retires'", "did you mean 'retries'?");
    }

    @Test
    void unknownTopLevelKeyIsRejected() {
        single(with("parkgroups.default.Sales.members", "101"), "parkgroups.default.Sales.members",
                "unknown key", "did you mean 'parkgroup'?");
    }

    @Test
    void keyWithoutSettingIsRejected() {
        single(with("parkgroup.default.Sales", "101"), "parkgroup.default.Sales", "unknown key");
    }

    @Test
    void keyOfUnlistedTenantIsRejected() {
        single(with("user.globex.301.name", "Hank"), "user.globex.301.name",
                "tenant 'globex' is not listed in 'tenants' (default, acme)");
    }

    @Test
    void invalidTenantIdIsRejectedOnce() {
        single(with("tenants", "default, acme, Big_Co", "tenant.Big_Co.name", "Big"), "tenants",
                "'Big_Co' is not a valid tenant id");
    }

    @Test
    void tenantListedTwiceIsRejected() {
        single(with("tenants", "default, acme, acme"), "tenants", "tenant 'acme' is listed twice");
    }

    @Test
    void defaultTenantMustBeATenant() {
        single(with("defaultTenant", "globex"), "defaultTenant", "default tenant 'globex' is not one of the tenants");
    }

    @Test
    void invalidDefaultTenantIsReportedOnce() {
        single(with("defaultTenant", "Default"), "defaultTenant", "'Default' is not a valid tenant id");
    }

    @Test
    void domainClaimedTwiceIsRejected() {
        // reported on the tenant listed later in 'tenants', naming the one listed first
        single(with("tenant.default.domains", "example.test, ACME.test"), "tenant.acme.domains",
                "tenant 'acme': domain 'acme.test' is already claimed by tenant 'default'");
    }

    @Test
    void invalidDomainIsRejected() {
        single(with("tenant.acme.domains", "acme test"), "tenant.acme.domains", "'acme test' is not a valid domain");
    }

    @Test
    void badDurationTextIsAViolationNotAnException() {
        single(with("parkgroup.default.Sales.ringDuration", "half a minute"), "parkgroup.default.Sales.ringDuration",
                "park group 'Sales': ringDuration must be a duration", "was 'half a minute'");
    }

    @Test
    void invalidNumberIsAViolationNotAnException() {
        single(with("parkgroup.default.Sales.retries", "three"), "parkgroup.default.Sales.retries",
                "retries must be a whole number, was 'three'");
    }

    @Test
    void hugeNumberIsAViolationNotAnException() {
        single(with("parkgroup.default.Sales.retries", "99999999999"), "parkgroup.default.Sales.retries",
                "whole number");
    }

    @Test
    void groupNumberCollidingWithExtensionIsRejected() {
        single(with("parkgroup.default.Sales.number", "104"), "parkgroup.default.Sales.number",
                "number 104 is already the extension of a user of tenant 'default'");
    }

    @Test
    void groupNumberMustBeDigits() {
        single(with("parkgroup.default.Sales.number", "7OO"), "parkgroup.default.Sales.number",
                "number must be 1 to 15 digits, was '7OO'");
    }

    @Test
    void groupNumberIsUniqueInTheTenant() {
        single(with("parkgroup.default.Zone2.members", "106", "parkgroup.default.Zone2.number", "700"),
                "parkgroup.default.Zone2.number", "number 700 is already the number of park group 'Sales'");
    }

    @Test
    void invalidGroupNameIsRejected() {
        single(with("parkgroup.default.Sa+les.members", "106"), "parkgroup.default.Sa+les.members",
                "park group 'Sa+les': the name must be");
    }

    @Test
    void extensionMustBeDigits() {
        List<Violation> v = DirectoryFixtures.check(with("user.default.1x1.name", "X", "user.default.1x1.password", "y"));
        assertEquals(List.of("user.default.1x1.name"), fields(v));
        assertTrue(v.get(0).message().contains("extension must be 1 to 15 digits"));
    }

    @Test
    void userNameAndPasswordAreRequired() {
        List<Violation> v = DirectoryFixtures.check(
                with("user.default.106.name", "", "user.default.106.password", null));
        assertEquals(List.of("user.default.106.name", "user.default.106.password"), fields(v));
        assertEquals("tenant 'default', user 106: name is required", v.get(0).message());
        assertEquals("tenant 'default', user 106: password (or ha1) is required", v.get(1).message());
    }

    @Test
    void severalErrorsAreAllReported() {
        List<Violation> v = DirectoryFixtures.check(with(
                "parkgroup.default.Sales.retries", "11",
                "parkgroup.default.Sales.retires", "3",
                "parkgroup.default.Sales.ringDuration", "soon",
                "parkgroup.acme.Support.members", "201, 202, 101",
                "parkgroup.acme.SUPPORT.members", "203",
                "tenant.default.domains", "acme.test",
                "user.globex.1.name", "x",
                "defaultTenant", "nobody"));
        assertEquals(List.of(
                "parkgroup.default.Sales.retires",
                "user.globex.1.name",
                "parkgroup.default.Sales.ringDuration",
                "defaultTenant",
                "tenant.acme.domains",
                "parkgroup.acme.Support.members",
                "parkgroup.acme.Support.members",
                "parkgroup.default.Sales.retries"), fields(v), v::toString);
    }

    @Test
    void theSameRulesApplyToADirectoryBuiltByCode() {
        Directory d = new DirectoryParser().parse(DirectoryFixtures.valid()).model().toDirectory();
        ParkGroup sales = d.parkGroup(org.callpark.api.TenantId.DEFAULT, "Sales").orElseThrow();
        ParkGroup broken = new ParkGroup(sales.tenant(), "Sales", "", List.of("101", "201"),
                RecallMode.RING_GROUP_ONLY, "", Duration.ZERO, Duration.ofSeconds(30), 11, false);
        List<ParkGroup> groups = d.allParkGroups().stream().filter(g -> g != sales).collect(Collectors.toList());
        groups.add(broken);
        Directory candidate = new Directory(d.defaultTenant(), d.tenants(), d.allUsers(), d.allRingGroups(), groups);

        List<Violation> v = new DirectoryValidator().validate(candidate);
        assertEquals(List.of("parkgroup.default.Sales.members", "parkgroup.default.Sales.retries",
                "parkgroup.default.Sales.ringDuration", "parkgroup.default.Sales.ringGroup"), fields(v), v::toString);
    }

    @Test
    void disabledGroupsAreNotValidated() {
        Directory d = new DirectoryParser().parse(DirectoryFixtures.valid()).model().toDirectory();
        ParkGroup old = new ParkGroup(org.callpark.api.TenantId.DEFAULT, "Old", "", List.of("101"),
                RecallMode.USER_ONLY, "", Duration.ofSeconds(1), Duration.ofSeconds(1), 3, true);
        List<Violation> v = new DirectoryValidator().validate(d.withParkGroups(List.of(old)));
        if (!v.isEmpty()) {
            fail("a disabled group is runtime state, not configuration: " + v);
        }
    }

    // --- S1: HA1 instead of passwords, the realm a directory fact ---

    private static final String HA1_106 = org.callpark.api.User.ha1("106", "callpark", "pass106");

    @Test
    void aUserMayBeGivenByHa1Alone() {
        valid(with("user.default.106.password", null, "user.default.106.ha1", HA1_106.toUpperCase()));
        Directory d = DirectoryProperties.check(with("user.default.106.password", null, "user.default.106.ha1",
                HA1_106)).directory();
        assertEquals(HA1_106, d.user(org.callpark.api.TenantId.DEFAULT, "106").orElseThrow().ha1For("callpark"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef0"})
    void aMalformedHa1IsRejectedNamingIt(String ha1) {
        single(with("user.default.106.password", null, "user.default.106.ha1", ha1), "user.default.106.ha1",
                "ha1 must be 32 hexadecimal digits");
    }

    @Test
    void passwordAndHa1TogetherAreRejected() {
        single(with("user.default.106.ha1", HA1_106), "user.default.106.ha1", "either password or ha1");
    }

    @Test
    void theRealmIsTheTenantsSettingElseItsFirstDomainElseCallpark() {
        Directory d = DirectoryProperties.check(with("tenant.acme.realm", "Acme PBX")).directory();
        assertEquals("Acme PBX", d.tenant(org.callpark.api.TenantId.of("acme")).orElseThrow().digestRealm());
        d = DirectoryProperties.check(with()).directory();
        assertEquals("acme.test", d.tenant(org.callpark.api.TenantId.of("acme")).orElseThrow().digestRealm());
        assertEquals("callpark", d.tenant(org.callpark.api.TenantId.DEFAULT).orElseThrow().digestRealm());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\"b", "back\\slash", "tab\there"})
    void aRealmThatCannotBeQuotedIsRejected(String realm) {
        single(with("tenant.acme.realm", realm), "tenant.acme.realm", "realm must be 1 to 64 printable");
    }

    @Test
    void theNormalisedFormCarriesHa1NeverAPassword() {
        Map<String, String> published = DirectoryProperties.check(with()).normalized();
        assertTrue(published.keySet().stream().noneMatch(k -> k.endsWith(".password")), published::toString);
        assertEquals(HA1_106, published.get("user.default.106.ha1"));
        assertEquals(org.callpark.api.User.ha1("201", "acme.test", "pass201"), published.get("user.acme.201.ha1"));
    }

    /** What a node that adopted the cluster's directory holds: every user by HA1 alone. */
    private static Map<String, Object> adopted(String... keyValues) {
        Map<String, Object> m = new java.util.TreeMap<>(DirectoryProperties.check(with()).normalized());
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void aRealmChangeThatHa1OnlyUsersCannotFollowIsRejectedNamingTheirPassword() {
        Directory previous = DirectoryProperties.check(adopted()).directory();
        DirectoryProperties.Checked realm = DirectoryProperties.check(adopted("tenant.acme.realm", "Acme PBX"),
                previous);
        assertEquals(List.of("user.acme.201.password", "user.acme.202.password", "user.acme.203.password"),
                fields(realm.violations()));
        assertEquals("tenant 'acme', user 201: the realm changes from 'acme.test' to 'Acme PBX'; HA1 of the old realm"
                + " cannot be re-computed: give the password again", realm.violations().get(0).message());
        DirectoryProperties.Checked domain = DirectoryProperties.check(adopted("tenant.default.domains",
                "example.com"), previous);
        assertEquals(6, domain.violations().size(), domain.violations()::toString);
        assertTrue(domain.violations().stream().allMatch(v -> v.field().startsWith("user.default.")
                && v.field().endsWith(".password") && v.message().contains("from 'callpark' to 'example.com'")));
        assertTrue(DirectoryProperties.check(adopted("tenant.acme.domains", "acme.test, other.test"), previous)
                .isValid(), "the first domain, and so the realm, stays");
        assertTrue(DirectoryProperties.check(adopted("tenant.acme.name", "Acme 2"), previous).isValid());
    }

    @Test
    void aRealmChangeWithThePasswordsGivenAgainOrNewHa1Passes() {
        Directory previous = DirectoryProperties.check(adopted()).directory();
        Map<String, Object> again = adopted("tenant.acme.realm", "Acme PBX", "user.acme.201.password", "pass201",
                "user.acme.202.ha1", org.callpark.api.User.ha1("202", "Acme PBX", "pass202"));
        again.remove("user.acme.201.ha1");
        again.remove("user.acme.203.ha1");
        again.put("user.acme.203.password", "pass203");
        DirectoryProperties.Checked checked = DirectoryProperties.check(again, previous);
        assertTrue(checked.isValid(), checked.violations()::toString);
        assertEquals(org.callpark.api.User.ha1("201", "Acme PBX", "pass201"),
                checked.normalized().get("user.acme.201.ha1"));
        // where the passwords are known, the realm may change freely
        Directory typed = DirectoryProperties.check(with()).directory();
        assertTrue(DirectoryProperties.check(with("tenant.acme.realm", "Acme PBX"), typed).isValid());
    }

    private static List<String> fields(List<Violation> violations) {
        return violations.stream().map(Violation::field).toList();
    }
}
