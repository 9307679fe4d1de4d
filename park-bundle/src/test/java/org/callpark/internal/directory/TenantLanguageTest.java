package org.callpark.internal.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.callpark.api.ParkException.Violation;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.spi.json.DirectoryParser;
import org.callpark.spi.json.DirectoryWriter;
import org.junit.jupiter.api.Test;

/**
 * The tenant's prompt language ({@code tenant.<t>.language}): a BCP 47 tag reads back and round-trips through the
 * writer; anything else (a path, a locale with an underscore, a free text) refuses the whole configuration naming the
 * key.
 */
class TenantLanguageTest {

    private static Map<String, Object> with(String key, String value) {
        Map<String, Object> m = DirectoryFixtures.valid();
        m.put(key, value);
        return m;
    }

    @Test
    void aLanguageTagIsReadWrittenBackAndOtherTenantsKeepTheDefault() {
        DirectoryProperties.Checked checked = DirectoryProperties.check(with("tenant.acme.language", "pt-BR"));
        assertTrue(checked.isValid(), checked.violations()::toString);
        assertEquals("pt-BR", checked.directory().tenant(TenantId.of("acme")).orElseThrow().language());
        assertEquals("", checked.directory().tenant(TenantId.DEFAULT).orElseThrow().language());
        assertEquals("pt-BR", checked.normalized().get("tenant.acme.language"));
        assertTrue(checked.normalized().keySet().stream().noneMatch(k -> k.equals("tenant.default.language")),
                "an unset language stays out of the written file");
        Map<String, String> again = new DirectoryWriter()
                .write(new DirectoryParser().parse(checked.normalized()).model());
        assertEquals("pt-BR", again.get("tenant.acme.language"));
    }

    @Test
    void everyShapeOfTagPromptsAreKeptUnderIsAccepted() {
        for (String tag : List.of("de", "DE", "en-GB", "gsw", "zh-Hant-TW", "es-419", "sr-Latn")) {
            assertTrue(Tenant.isLanguageTag(tag), tag);
            assertTrue(DirectoryProperties.check(with("tenant.acme.language", tag)).isValid(), tag);
        }
    }

    @Test
    void aLanguageThatIsNotATagIsRefusedNamingTheKeyAndNothingIsApplied() {
        for (String bad : List.of("german", "de_DE", "../../etc", "de/", "d", "en-", "pt-BRA", "x-klingon")) {
            DirectoryProperties.Checked checked = DirectoryProperties.check(with("tenant.acme.language", bad));
            List<Violation> v = checked.violations();
            assertEquals(1, v.size(), () -> bad + ": " + v);
            assertEquals("tenant.acme.language", v.get(0).field());
            assertTrue(v.get(0).message().contains("tenant 'acme'") && v.get(0).message().contains("'" + bad + "'"),
                    v.get(0)::message);
            assertNull(checked.directory(), bad);
        }
    }

    @Test
    void aMisspeltLanguageKeyIsAnUnknownKeyWithTheSuggestion() {
        List<Violation> v = DirectoryProperties.check(with("tenant.acme.langauge", "de")).violations();
        assertEquals("tenant.acme.langauge", v.get(0).field());
        assertTrue(v.get(0).message().contains("language"), v.get(0)::message);
    }
}
