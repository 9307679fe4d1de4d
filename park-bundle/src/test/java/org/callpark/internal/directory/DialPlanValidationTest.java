package org.callpark.internal.directory;

import static org.callpark.internal.directory.DirectoryFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.callpark.api.DialPlan;
import org.callpark.api.RecallLabels;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.json.DirectoryParser;
import org.callpark.spi.json.DirectoryWriter;
import org.junit.jupiter.api.Test;

/**
 * The tenant's feature codes ({@link DialPlanRules}): every rule refuses the whole configuration (nothing applied) with
 * the code's key named; a valid plan reads back and round-trips through the writer.
 */
class DialPlanValidationTest {

    /** Exactly one violation, on {@code field}, containing every fragment; and the configuration is not applied. */
    private static void refused(Map<String, Object> config, String field, String... fragments) {
        DirectoryFixtures.refusedAlone(config, field, "an invalid dial plan", fragments);
    }

    @Test
    void freePbxStyleCodesAreReadAndTheDefaultTenantKeepsTheSeedCodes() {
        Map<String, Object> config = with("tenant.acme.parkCode", "70", "tenant.acme.retrieveCode", "71",
                "tenant.acme.groupParkCode", "72");
        DirectoryProperties.Checked checked = DirectoryProperties.check(config);
        assertTrue(checked.isValid(), checked.violations()::toString);
        assertEquals(new DialPlan("70", "71", "72"),
                checked.directory().tenant(TenantId.of("acme")).orElseThrow().dialPlan());
        assertEquals(DialPlan.DEFAULT, checked.directory().tenant(TenantId.DEFAULT).orElseThrow().dialPlan());
        // what BLF remote targets and the XMPP hint offer to dial follows the tenant's retrieve code
        assertEquals("71201", checked.directory().retrieveCodeFor(SlotId.extension(TenantId.of("acme"), "201"))
                .orElseThrow());
        assertEquals("*88700", checked.directory().retrieveCodeFor(SlotId.group(TenantId.DEFAULT, "Sales"))
                .orElseThrow());
        assertEquals("71", checked.normalized().get("tenant.acme.retrieveCode"));
        assertTrue(checked.normalized().keySet().stream().noneMatch(k -> k.startsWith("tenant.default.")
                && k.endsWith("Code")), "the seed's codes stay out of the written file");
        Map<String, String> again = new DirectoryWriter()
                .write(new DirectoryParser().parse(checked.normalized()).model());
        assertEquals("70", again.get("tenant.acme.parkCode"));
    }

    @Test
    void anEmptyCodeMeansTheDefault() {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with("tenant.acme.parkCode", ""));
        assertTrue(checked.isValid(), checked.violations()::toString);
        assertEquals("*68", checked.directory().tenant(TenantId.of("acme")).orElseThrow().dialPlan().parkCode());
    }

    @Test
    void aCodeOfCharactersAKeypadCannotDialIsRefused() {
        refused(with("tenant.acme.parkCode", "park"), "tenant.acme.parkCode", "tenant 'acme'", "digits, * and #",
                "'park'");
        refused(with("tenant.acme.retrieveCode", "7 1"), "tenant.acme.retrieveCode", "'7 1'");
        refused(with("tenant.acme.groupParkCode", "12345678901"), "tenant.acme.groupParkCode", "1 to 10");
    }

    @Test
    void twoEqualCodesAreRefusedNamingTheSecond() {
        refused(with("tenant.acme.parkCode", "70", "tenant.acme.retrieveCode", "70"), "tenant.acme.retrieveCode",
                "retrieveCode '70' equals parkCode '70'");
    }

    @Test
    void aCodeThatIsAPrefixOfAnotherIsRefused() {
        refused(with("tenant.acme.retrieveCode", "*8", "tenant.acme.parkCode", "*88"), "tenant.acme.retrieveCode",
                "retrieveCode '*8' overlaps parkCode '*88'", "prefix");
        refused(with("tenant.acme.groupParkCode", "*6"), "tenant.acme.groupParkCode",
                "groupParkCode '*6' overlaps parkCode '*68'");
    }

    @Test
    void aCodeThatAnExtensionStartsWithIsRefused() {
        // acme has 201..203: code 20 would read 201 as "park on extension 1"
        refused(with("tenant.acme.parkCode", "20"), "tenant.acme.parkCode", "parkCode '20' overlaps extension 201");
    }

    @Test
    void aCodeThatStartsWithAnExtensionIsRefused() {
        refused(with("tenant.acme.retrieveCode", "2015"), "tenant.acme.retrieveCode",
                "retrieveCode '2015' overlaps extension 201");
    }

    @Test
    void aCodeThatAParkGroupNumberStartsWithIsRefused() {
        refused(with("tenant.default.groupParkCode", "70"), "tenant.default.groupParkCode",
                "park group 'Sales' number 700");
    }

    @Test
    void codesSharingOnlyAFirstDigitWithExtensionsAreFine() {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with("tenant.acme.parkCode", "21",
                "tenant.acme.retrieveCode", "22", "tenant.acme.groupParkCode", "23"));
        assertTrue(checked.isValid(), checked.violations()::toString);
    }

    @Test
    void anotherTenantsExtensionsDoNotCount() {
        // default has 101..106; acme's code 10 is fine
        assertTrue(DirectoryProperties.check(with("tenant.acme.parkCode", "10")).isValid());
    }

    // ------------------------------------------------------------------------ recall labels (RecallLabelRules)

    @Test
    void recallLabelsOfATenantAndAGroupAreReadAndWrittenBack() {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with(
                "tenant.acme.recall.alertInfo", "<http://pbx/ring/acme>",
                "tenant.acme.recall.callerIdPrefix", "Held:",
                "parkgroup.acme.Support.alertInfo", "none",
                "parkgroup.acme.Support.callerIdPrefix", "Support park:"));
        assertTrue(checked.isValid(), checked.violations()::toString);
        assertEquals(new RecallLabels("<http://pbx/ring/acme>", "Held:"),
                checked.directory().tenant(TenantId.of("acme")).orElseThrow().recallLabels());
        assertEquals(new RecallLabels("none", "Support park:"),
                checked.directory().parkGroup(TenantId.of("acme"), "Support").orElseThrow().recallLabels());
        assertEquals("Support park:", checked.normalized().get("parkgroup.acme.Support.callerIdPrefix"));
        assertEquals(RecallLabels.INHERIT,
                checked.directory().parkGroup(TenantId.DEFAULT, "Sales").orElseThrow().recallLabels());
    }

    @Test
    void anAlertInfoThatIsNoUriIsRefusedNamingTheKey() {
        refused(with("parkgroup.acme.Support.alertInfo", "bellcore-dr2"), "parkgroup.acme.Support.alertInfo",
                "<uri>", "'bellcore-dr2'");
        refused(with("tenant.acme.recall.alertInfo", "<http://x>\r\nX-Evil: 1"),
                "tenant.acme.recall.alertInfo", "<uri>");
    }

    @Test
    void aCallerIdPrefixWithQuotesOrTooLongIsRefusedNamingTheKey() {
        refused(with("tenant.default.recall.callerIdPrefix", "\"Parked"), "tenant.default.recall.callerIdPrefix",
                "without quotes");
        refused(with("parkgroup.default.Sales.callerIdPrefix", "x".repeat(33)),
                "parkgroup.default.Sales.callerIdPrefix", "1 to 32");
    }
}
