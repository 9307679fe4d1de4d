package org.callpark.internal.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.callpark.api.ParkException.Violation;
import org.callpark.spi.json.DirectoryParser;

/** Configurations shared by the directory tests. */
final class DirectoryFixtures {

    private DirectoryFixtures() {
    }

    /** The shipped demo file, read the way FileInstall reads a .cfg (all values are strings). */
    static Path shippedFile() {
        String basedir = System.getProperty("basedir", ".");
        return Path.of(basedir, "src", "main", "config", "org.callpark.directory.cfg");
    }

    static Map<String, Object> shipped() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(shippedFile(), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, Object> map = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        return map;
    }

    /** A small valid two-tenant configuration; tests change a key or two and look at the violations. */
    static Map<String, Object> valid() {
        Map<String, Object> m = new TreeMap<>();
        m.put("defaultTenant", "default");
        m.put("tenants", "default, acme");
        m.put("tenant.default.name", "Example Ltd");
        m.put("tenant.acme.name", "Acme Corp");
        m.put("tenant.acme.domains", "acme.test");
        for (String ext : List.of("101", "102", "103", "104", "105", "106")) {
            m.put("user.default." + ext + ".name", "User " + ext);
            m.put("user.default." + ext + ".password", "pass" + ext);
        }
        for (String ext : List.of("201", "202", "203")) {
            m.put("user.acme." + ext + ".name", "User " + ext);
            m.put("user.acme." + ext + ".password", "pass" + ext);
        }
        m.put("ringgroup.default.Reception.members", "104, 105");
        m.put("ringgroup.acme.Front.members", "203");
        m.put("parkgroup.default.Sales.members", "101, 102, 103");
        m.put("parkgroup.default.Sales.number", "700");
        m.put("parkgroup.default.Sales.recallTo", "USER_THEN_RING_GROUP");
        m.put("parkgroup.default.Sales.ringGroup", "Reception");
        m.put("parkgroup.default.Sales.ringDuration", "30");
        m.put("parkgroup.default.Sales.waitBeforeRingGroup", "30");
        m.put("parkgroup.default.Sales.retries", "3");
        m.put("parkgroup.acme.Support.members", "201, 202");
        m.put("parkgroup.acme.Support.recallTo", "RING_GROUP_ONLY");
        m.put("parkgroup.acme.Support.ringGroup", "Front");
        m.put("parkgroup.acme.Support.retries", "2");
        return m;
    }

    /** Parse and validate, as the component does. */
    static List<Violation> check(Map<String, ?> properties) {
        DirectoryParser.Result parsed = new DirectoryParser().parse(properties);
        List<Violation> all = new ArrayList<>(parsed.violations());
        all.addAll(new DirectoryValidator().validate(parsed.model()));
        return all;
    }

    /** {@link #valid()} with {@code key, value, key, value, ...} put over it. */
    static Map<String, Object> with(String... keyValues) {
        Map<String, Object> m = valid();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /**
     * Exactly one violation, on {@code field}, containing every fragment; and the configuration is not applied
     * ({@code what}, e.g. "an invalid dial plan", words the failure).
     */
    static void refusedAlone(Map<String, Object> config, String field, String what, String... fragments) {
        DirectoryProperties.Checked checked = DirectoryProperties.check(config);
        List<Violation> violations = checked.violations();
        assertEquals(1, violations.size(), () -> "expected one violation, got " + violations);
        assertEquals(field, violations.get(0).field(), violations.get(0)::toString);
        for (String fragment : fragments) {
            assertTrue(violations.get(0).message().contains(fragment),
                    () -> "'" + fragment + "' not in: " + violations.get(0).message());
        }
        assertNull(checked.directory(), what + " must not give a directory to apply");
    }
}
