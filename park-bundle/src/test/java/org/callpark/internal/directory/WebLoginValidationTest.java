package org.callpark.internal.directory;

import static org.callpark.internal.directory.DirectoryFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.callpark.api.TenantId;
import org.callpark.spi.json.DirectoryParser;
import org.callpark.spi.json.DirectoryWriter;
import org.junit.jupiter.api.Test;

/**
 * {@code user.<t>.<ext>.login}, the web user linked to an extension ({@link WebLoginRules}): read, written back and
 * published to the cluster; a bad name or a login linked twice in one tenant refuses the whole configuration naming
 * the key.
 */
class WebLoginValidationTest {

    /** Exactly one violation, on {@code field}, containing every fragment; and the configuration is not applied. */
    private static void refused(Map<String, Object> config, String field, String... fragments) {
        DirectoryFixtures.refusedAlone(config, field, "an invalid link", fragments);
    }

    @Test
    void aLinkIsReadWrittenBackAndPublishedWithTheHa1() {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with("user.default.102.login", "reception",
                "user.acme.201.login", "reception"));
        assertTrue(checked.isValid(), checked.violations()::toString);
        assertEquals("reception", checked.directory().user(TenantId.DEFAULT, "102").orElseThrow().login());
        assertTrue(checked.directory().user(TenantId.DEFAULT, "102").orElseThrow().isLinkedTo("reception"));
        assertEquals("", checked.directory().user(TenantId.DEFAULT, "101").orElseThrow().login());
        assertEquals("reception", checked.normalized().get("user.default.102.login"));
        assertTrue(!checked.normalized().containsKey("user.default.101.login"), "no empty login is written");
        Map<String, String> published = new DirectoryWriter()
                .writePublished(new DirectoryParser().parse(checked.normalized()).model());
        assertEquals("reception", published.get("user.acme.201.login"), "the cluster's copy keeps the link");
    }

    @Test
    void aLoginLinkedToTwoExtensionsOfOneTenantIsRefusedNamingTheSecond() {
        refused(with("user.default.102.login", "reception", "user.default.104.login", "reception"),
                "user.default.104.login", "tenant 'default', user 104", "login 'reception' is already linked to"
                        + " extension 102");
    }

    @Test
    void aLoginThatIsNoKarafUserNameIsRefusedNamingTheKey() {
        refused(with("user.acme.202.login", "front desk"), "user.acme.202.login", "tenant 'acme', user 202",
                "'front desk'");
        refused(with("user.acme.202.login", "a,b"), "user.acme.202.login", "letters, digits");
        refused(with("user.acme.202.login", "x".repeat(65)), "user.acme.202.login", "1 to 64");
        assertTrue(DirectoryProperties.check(with("user.acme.202.login", "laura.m@acme-corp")).isValid());
    }

    @Test
    void aMisspeltLoginKeyIsRefused() {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with("user.default.102.logon", "reception"));
        assertEquals("user.default.102.logon", checked.violations().get(0).field());
        assertTrue(checked.violations().get(0).message().contains("login"), checked.violations()::toString);
    }
}
