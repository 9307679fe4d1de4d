package org.callpark.internal.sip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.callpark.api.ParkedCall;
import org.callpark.spi.json.CallCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's own durable record of the parked callers it carries: one small JSON file per call (the cluster record,
 * session included) under {@code data/callpark/sip-journal/}. The cluster's copy is lost when every node dies at once
 * (the one node of a single-node install crashed); this one is not, so on its next start the node re-INVITEs those
 * callers and takes them back into park, or hangs them up — never silence without a BYE.
 * <p>
 * A file is written when this node starts carrying a call and when the call changes while it carries it, and deleted
 * when the call ends or moves to another node. Writes go to a temporary file and are renamed into place, so a crash
 * leaves the old or the new file, never half of one. No fsync: a killed JVM loses nothing (the page cache survives
 * it); a power loss may lose the last changes, which only means a caller is not taken back.
 */
final class SessionJournal {

    private static final Logger LOG = LoggerFactory.getLogger(SessionJournal.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final Path dir;
    private final CallCodec codec = new CallCodec();

    SessionJournal(Path dir) {
        this.dir = dir;
    }

    /** The journal in Karaf's data folder, or none outside Karaf (no {@code karaf.data}). */
    static SessionJournal inKarafData() {
        String data = System.getProperty("karaf.data");
        return data == null ? null : new SessionJournal(Path.of(data, "callpark", "sip-journal"));
    }

    Path dir() {
        return dir;
    }

    /** Records (or replaces) the call this node carries. */
    void write(ParkedCall call) {
        if (!SAFE_ID.matcher(call.id()).matches()) {
            return;
        }
        try {
            // one temporary file per write: two threads may record the same call at once (the last rename wins)
            Path tmp = dir.resolve(call.id() + "." + Thread.currentThread().getId() + "." + System.nanoTime()
                    + ".tmp");
            String json = codec.toJson(call);
            try {
                Files.writeString(tmp, json, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                Files.createDirectories(dir); // the first write, or someone removed it: not a stat per write
                Files.writeString(tmp, json, StandardCharsets.UTF_8);
            }
            try {
                Files.move(tmp, file(call.id()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file(call.id()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("Cannot write the SIP journal entry of call {}: {}", call.id(), e.toString());
        }
    }

    /** Forgets a call (it ended, or another node carries it now). */
    void remove(String callId) {
        if (!SAFE_ID.matcher(callId).matches()) {
            return;
        }
        try {
            Files.deleteIfExists(file(callId));
        } catch (IOException e) {
            LOG.warn("Cannot delete the SIP journal entry of call {}: {}", callId, e.toString());
        }
    }

    /** Every call recorded (unreadable entries are logged and deleted). */
    List<ParkedCall> all() {
        List<ParkedCall> calls = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return calls;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                    continue;
                }
                if (!name.endsWith(".json")) {
                    continue;
                }
                try {
                    calls.add(codec.fromJson(Files.readString(f, StandardCharsets.UTF_8)));
                } catch (IOException | IllegalArgumentException e) {
                    LOG.warn("Dropping an unreadable SIP journal entry {}: {}", f, e.getMessage());
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the SIP journal {}: {}", dir, e.toString());
        }
        return calls;
    }

    private Path file(String callId) {
        return dir.resolve(callId + ".json");
    }
}
