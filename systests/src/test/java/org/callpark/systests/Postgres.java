package org.callpark.systests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian package {@code postgresql}) for one test class: a fresh cluster ({@code initdb}) in
 * its own data directory, listening on 127.0.0.1:{@code port} only (no other address, its Unix socket in the data
 * directory), run as user {@code postgres} through {@code runuser} (the tests run as root), started and stopped by
 * {@code pg_ctl} on that data directory — never another server of the machine. Password authentication over TCP
 * (scram-sha-256); {@code psql} as the superuser over the Unix socket.
 */
final class Postgres implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Path bin;

    /**
     * @param dir a new directory for the cluster; every parent must be searchable by user {@code postgres}
     */
    Postgres(Path dir, int port) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.port = port;
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/postgresql"))) {
            this.bin = s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("initdb")))
                    .max(Comparator.naturalOrder()).orElseThrow(() -> new IOException(
                            "no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql"));
        }
    }

    /** A data directory under {@code target/} if user postgres can reach it, else a new one under /tmp. */
    static Path dataDir(String name) throws IOException {
        Path t = Path.of("target", name).toAbsolutePath();
        for (Path p = t.getParent(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                // a temporary directory is created rwx------: the postgres user must be able to pass through it
                Path base = Files.createTempDirectory("callpark-" + name);
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
                return base.resolve("data");
            }
        }
        return t;
    }

    int port() {
        return port;
    }

    /** initdb (superuser postgres, trust over the Unix socket, scram-sha-256 over TCP) and start. */
    void init() throws IOException, InterruptedException {
        AssemblyServer.exec(30, "rm", "-rf", dir.toString());
        Files.createDirectories(dir);
        AssemblyServer.exec(10, "chown", "postgres:postgres", dir.toString());
        AssemblyServer.exec(10, "chmod", "700", dir.toString());
        asPostgres(120, bin.resolve("initdb").toString(), "-D", dir.toString(), "-U", "postgres", "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions");
        start();
    }

    void start() throws IOException, InterruptedException {
        asPostgres(60, bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "30", "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir, "start");
    }

    /** Fast shutdown (clients disconnected at once). */
    void stop() throws IOException, InterruptedException {
        asPostgres(60, bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-m", "fast", "-w", "stop");
    }

    /** Runs SQL as the superuser in {@code database}; the rows, fields separated by '|'. */
    List<String> psql(String database, String sql) throws IOException, InterruptedException {
        String out = asPostgres(30, bin.resolve("psql").toString(), "-h", dir.toString(), "-p",
                Integer.toString(port), "-U", "postgres", "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql);
        List<String> rows = new ArrayList<>();
        out.lines().filter(l -> !l.isBlank()).forEach(rows::add);
        return rows;
    }

    @Override
    public void close() {
        try {
            if (Files.exists(dir.resolve("postmaster.pid"))) {
                stop();
            }
        } catch (IOException | InterruptedException e) {
            System.out.println("[systests] postgres stop: " + e.getMessage());
        }
    }

    private static String asPostgres(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).directory(new java.io.File("/")).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", full) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
