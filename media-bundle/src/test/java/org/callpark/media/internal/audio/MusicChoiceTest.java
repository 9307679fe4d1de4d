package org.callpark.media.internal.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which hold music a call hears: its group's, else its tenant's, else the default. */
class MusicChoiceTest {

    @TempDir
    Path dir;

    private Path copy(String resource, String name) throws Exception {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
        return target;
    }

    @Test
    void groupFallsBackToTenantThenToTheDefault() throws Exception {
        // Two distinguishable sounds stand in for a tenant's and a group's music.
        Path acme = copy("/audio/nothing-parked.wav", "acme.wav");
        Path sales = copy("/audio/nobody-available.wav", "sales.wav");
        AudioLibrary library = AudioLibrary.load(Set.of(AudioCodec.PCMU), null,
                Map.of("Acme", acme, "default/Sales", sales), null);

        assertEquals("music:Acme", library.music("acme/support", AudioCodec.PCMU).name());
        assertEquals("music:Acme", library.music("acme", AudioCodec.PCMU).name());
        assertEquals("music:default/Sales", library.music("default/sales", AudioCodec.PCMU).name());
        assertEquals("music:default", library.music("default/other", AudioCodec.PCMU).name());
        assertEquals("music:default", library.music("", AudioCodec.PCMU).name());
    }
}
