package org.callpark.internal.directory;

import static org.callpark.internal.directory.DirectoryFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.callpark.api.TenantId;
import org.callpark.spi.json.DirectoryParser;
import org.callpark.spi.json.DirectoryWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The final destination of tenants and park groups ({@link FinalDestinationRules}): every accepted form reads back
 * and round-trips through the writer; every refused one refuses the whole configuration with the key named.
 */
class FinalDestinationValidationTest {

    private static final String GROUP_KEY = "parkgroup.acme.Support.finalDestination";
    private static final String TENANT_KEY = "tenant.acme.finalDestination";

    /** Exactly one violation, on {@code field}, containing every fragment; and the configuration is not applied. */
    private static void refused(Map<String, Object> config, String field, String... fragments) {
        DirectoryFixtures.refusedAlone(config, field, "an invalid final destination", fragments);
    }

    @Test
    void everyFormIsReadAndWrittenBack_emptyInherits() {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with(
                TENANT_KEY, "sip:operator@pbx.acme.example:5070", GROUP_KEY, "ringgroup:Front", "parkgroup.default.Sales.finalDestination", "105",
                "tenant.default.finalDestination", "prompt-and-hangup"));
        assertTrue(checked.isValid(), checked.violations()::toString);
        TenantId acme = TenantId.of("acme");
        assertEquals("sip:operator@pbx.acme.example:5070",
                checked.directory().tenant(acme).orElseThrow().finalDestination());
        assertEquals("ringgroup:Front", checked.directory().parkGroup(acme, "Support").orElseThrow()
                .finalDestination());
        assertEquals("105", checked.directory().parkGroup(TenantId.DEFAULT, "Sales").orElseThrow()
                .finalDestination());
        Map<String, String> again = new DirectoryWriter()
                .write(new DirectoryParser().parse(checked.normalized()).model());
        assertEquals("ringgroup:Front", again.get(GROUP_KEY));
        assertEquals("sip:operator@pbx.acme.example:5070", again.get(TENANT_KEY));

        DirectoryProperties.Checked plain = DirectoryProperties.check(with());
        assertEquals("", plain.directory().parkGroup(acme, "Support").orElseThrow().finalDestination());
        assertTrue(plain.normalized().keySet().stream().noneMatch(k -> k.endsWith(".finalDestination")),
                "an unset destination stays out of the written file");
    }

    @Test
    void anExtensionOrRingGroupOfAnotherTenantOrNoneIsRefused() {
        refused(with(GROUP_KEY, "101"), GROUP_KEY, "tenant 'acme', park group 'Support'", "finalDestination 101",
                "not an extension of tenant 'acme'");
        refused(with(TENANT_KEY, "999"), TENANT_KEY, "finalDestination 999", "not an extension");
        refused(with(GROUP_KEY, "ringgroup:Reception"), GROUP_KEY, "not a ring group of tenant 'acme'");
        refused(with(GROUP_KEY, "ringgroup:"), GROUP_KEY, "ringgroup:<name>");
    }

    @ParameterizedTest
    @ValueSource(strings = { "sips:op@pbx.example.net", "tel:+4930123", "SIPS:op@pbx.example.net" })
    void onlySipUrisAreSupported(String value) {
        refused(with(GROUP_KEY, value), GROUP_KEY, "finalDestination", "only sip: URIs");
    }

    @ParameterizedTest
    @ValueSource(strings = { "sip:op@pbx.example.net;transport=tcp", "sip:op@pbx.example.net?Route=%3Csip:evil%3E",
        "sip:op@pbx.example.net;maddr=10.0.0.1" })
    void aUriWithParametersOrHeadersIsRefused(String value) {
        refused(with(GROUP_KEY, value), GROUP_KEY, "no ;parameters or ?headers");
    }

    @ParameterizedTest
    @ValueSource(strings = { "sip:op@pbx.example.net\r\nX-Evil: 1", "<sip:op@pbx.example.net>", "sip:op@pbx\nVia: x",
        "sip:\"op\"@pbx.example.net", "sip:op @pbx.example.net" })
    void crLfAngleBracketsQuotesAndSpacesAreRefused(String value) {
        refused(with(GROUP_KEY, value), GROUP_KEY, "spaces, quotes, '<', '>' or control characters");
    }

    @ParameterizedTest
    @ValueSource(strings = { "sip:op@", "sip:@pbx", "sip:op@pbx..example", "sip:op@pbx.example.net:0",
        "sip:op@pbx.example.net:70000", "sip:op@-pbx.example", "sip:op@300.1.1.1", "sip:op@[zz::1]" })
    void aMalformedUriIsRefused(String value) {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with(GROUP_KEY, value));
        assertEquals(1, checked.violations().size(), checked.violations()::toString);
        assertEquals(GROUP_KEY, checked.violations().get(0).field());
        assertNull(checked.directory());
    }

    @ParameterizedTest
    @ValueSource(strings = { "sip:op@0.0.0.0", "sip:op@255.255.255.255", "sip:op@224.0.1.75",
        "sip:op@169.254.169.254", "sip:op@[fe80::1]", "sip:op@[::]" })
    void aHostNoPhoneCanHaveIsRefused(String value) {
        refused(with(GROUP_KEY, value), GROUP_KEY, "not an address a phone can have");
    }

    @Test
    void aUriIntoADomainOfThisServersTenantsIsRefused() {
        refused(with(GROUP_KEY, "sip:203@acme.test"), GROUP_KEY, "domain 'acme.test' of tenant 'acme'",
                "the extension or ringgroup:<name> form");
        refused(with("tenant.default.domains", "example.com", GROUP_KEY, "sip:101@EXAMPLE.com"), GROUP_KEY,
                "tenant 'default'", "a destination of tenant 'acme'");
    }

    @Test
    void somethingElseNamesTheForms() {
        refused(with(GROUP_KEY, "voicemail"), GROUP_KEY, "prompt-and-hangup, an extension, ringgroup:<name> or"
                + " sip:user@host[:port]", "'voicemail'");
    }

    @ParameterizedTest
    @ValueSource(strings = { "sip:127.0.0.1:5090", "sip:*97@voicemail.acme.example", "sip:op@[2001:db8::1]:5060",
        "sip:operator@10.1.2.3" })
    void reasonableUrisAreAccepted(String value) {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with(GROUP_KEY, value));
        assertTrue(checked.isValid(), checked.violations()::toString);
    }
}
