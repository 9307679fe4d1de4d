package org.callpark.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The one answer to "what do I dial to pick that up" and "which SIP domain is this tenant's". */
class DirectoryRulesTest {

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final TenantId ACME = TenantId.of("acme");
    private static final RecallPolicy POLICY = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(),
            Duration.ofSeconds(45), Duration.ofSeconds(30), 3);

    private final Directory dir = new Directory(DEFAULT,
            List.of(new Tenant(DEFAULT, "Example", List.of(), "example.com", POLICY),
                    new Tenant(ACME, "Acme", List.of("acme.test", "acme.example"), "acme.test", POLICY)),
            List.of(user(DEFAULT, "101"), user(DEFAULT, "102"), user(ACME, "201")), List.of(),
            List.of(group(DEFAULT, "Sales", "700"), group(DEFAULT, "Support", ""), group(DEFAULT, "42", ""),
                    group(DEFAULT, "77", "777"), group(ACME, "Front", "")));

    @Test
    void anExtensionSlotIsStar88AndTheExtension() {
        assertEquals(Optional.of("*88102"), dir.retrieveCodeFor(SlotId.extension(DEFAULT, "102")));
        assertEquals(Optional.of("*88201"), dir.retrieveCodeFor(SlotId.extension(ACME, "201")));
    }

    @Test
    void aGroupWithANumberIsStar88AndTheNumber() {
        assertEquals(Optional.of("*88700"), dir.retrieveCodeFor(SlotId.group(DEFAULT, "Sales")));
        assertEquals(Optional.of("*88700"), dir.retrieveCodeFor(SlotId.group(DEFAULT, "sales")));
        assertEquals(Optional.of("*88777"), dir.retrieveCodeFor(SlotId.group(DEFAULT, "77")));
    }

    @Test
    void aGroupWithoutANumberIsParkPlusItsNameAsConfigured() {
        assertEquals(Optional.of("park+Support"), dir.retrieveCodeFor(SlotId.group(DEFAULT, "support")));
        assertEquals(Optional.of("park+Front"), dir.retrieveCodeFor(SlotId.group(ACME, "front")));
    }

    @Test
    void theCodeNamesTheSlotByTheRetrieveRules() throws ParkException {
        // *88<x> is an EXTENSION target, park+<Name> a GROUP target (FeatureCode); an admin (no requester) may see all.
        for (SlotId slot : List.of(SlotId.extension(DEFAULT, "101"), SlotId.group(DEFAULT, "Sales"),
                SlotId.group(DEFAULT, "Support"), SlotId.group(DEFAULT, "77"), SlotId.group(ACME, "Front"))) {
            String code = dir.retrieveCodeFor(slot).orElseThrow();
            RetrieveTarget target = code.startsWith("*88") ? RetrieveTarget.extension(code.substring(3))
                    : RetrieveTarget.group(code.substring("park+".length()));
            assertEquals(slot, dir.slotFor(slot.tenant(), null, target), code);
        }
    }

    @Test
    void noCodeForAnAllDigitGroupNameWithoutNumberOrAnUnknownSlot() {
        // park+42 is read as extension or group number 42, never as the group named 42.
        assertEquals(Optional.empty(), dir.retrieveCodeFor(SlotId.group(DEFAULT, "42")));
        assertEquals(Optional.empty(), dir.retrieveCodeFor(SlotId.extension(DEFAULT, "109")));
        assertEquals(Optional.empty(), dir.retrieveCodeFor(SlotId.group(DEFAULT, "Nobody")));
        assertEquals(Optional.empty(), dir.retrieveCodeFor(SlotId.extension(ACME, "101")), "another tenant's");
    }

    @Test
    void aDisabledGroupKeepsItsCodeUntilEmpty() {
        Directory withGone = dir.withParkGroups(List.of(group(DEFAULT, "Gone", "").asDisabled()));
        assertEquals(Optional.of("park+Gone"), withGone.retrieveCodeFor(SlotId.group(DEFAULT, "gone")));
    }

    @Test
    void theSipDomainIsTheFirstClaimedDomain() {
        assertEquals(Optional.of("acme.test"), dir.tenant(ACME).orElseThrow().sipDomain());
        assertEquals(Optional.empty(), dir.tenant(DEFAULT).orElseThrow().sipDomain(), "claims none");
    }

    private static User user(TenantId tenant, String ext) {
        return new User(tenant, ext, "User " + ext, "pass" + ext, "u" + ext + "@example.com");
    }

    private static ParkGroup group(TenantId tenant, String name, String number) {
        return new ParkGroup(tenant, name, number, List.of(), RecallMode.USER_ONLY, "", Duration.ofSeconds(30),
                Duration.ofSeconds(30), 3, false);
    }
}
