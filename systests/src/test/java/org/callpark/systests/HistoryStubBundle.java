package org.callpark.systests;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.callpark.systests.historystub.MemoryParkHistory;

/**
 * TEST ONLY: packs {@link MemoryParkHistory} (compiled with the tests) into a bundle with a hand-written DS component
 * and installs it into a running assembly that has no {@code ParkHistory} service of its own (the history bundle is
 * not merged yet). Once the history bundle is in the assembly, {@link #installIfMissing} does nothing.
 */
final class HistoryStubBundle {

    static final String PACKAGE = MemoryParkHistory.class.getPackageName();
    static final String SYMBOLIC_NAME = "org.callpark.systests.historystub";

    private HistoryStubBundle() {
    }

    /** @return whether the stub was installed ({@code false}: the assembly already has a ParkHistory) */
    static boolean installIfMissing(AssemblyServer server) throws IOException, InterruptedException {
        String services = server.shell("service:list org.callpark.api.history.ParkHistory");
        if (services.contains("org.callpark.api.history.ParkHistory")) {
            return false;
        }
        Path jar = build(Path.of("target", "history-stub.jar"));
        String out = server.shell("bundle:install -s file:" + jar.toAbsolutePath());
        System.out.println("[systests] TEST-ONLY history stub installed: " + out.strip());
        return true;
    }

    static Path build(Path jar) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", SYMBOLIC_NAME);
        a.putValue("Bundle-Version", "0.0.1");
        a.putValue("Bundle-Name", "TEST ONLY in-memory park history (systests)");
        a.putValue("Import-Package", "org.callpark.api,org.callpark.api.history,org.callpark.spi");
        a.putValue("Service-Component", "OSGI-INF/history-stub.xml");
        String component = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="%s" immediate="true">
                  <implementation class="%s"/>
                  <service>
                    <provide interface="org.callpark.api.history.ParkHistory"/>
                    <provide interface="org.callpark.spi.ParkEventListener"/>
                  </service>
                </scr:component>
                """.formatted(SYMBOLIC_NAME, MemoryParkHistory.class.getName());
        Path classes = Path.of(MemoryParkHistory.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path dir = classes.resolve(PACKAGE.replace('.', '/'));
        Files.createDirectories(jar.getParent());
        try (OutputStream f = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(f, m);
                Stream<Path> files = Files.list(dir)) {
            out.putNextEntry(new JarEntry("OSGI-INF/history-stub.xml"));
            out.write(component.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            for (Path p : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                out.putNextEntry(new JarEntry(PACKAGE.replace('.', '/') + "/" + p.getFileName()));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        return jar;
    }
}
