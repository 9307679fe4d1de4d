package org.callpark.systests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a flood of bad input could do to the Karaf JVM, measured from outside: its thread count
 * ({@code /proc/<pid>/status} {@code Threads}) and its heap in use after a full GC ({@code jcmd <pid> GC.run}, then
 * {@code GC.heap_info}).
 */
record ServerHealth(int threads, long heapUsedKb) {

    private static final Pattern USED = Pattern.compile("(?m)^\\s*\\S.*?total \\d+K, used (\\d+)K");

    static ServerHealth of(long pid) throws IOException, InterruptedException {
        return new ServerHealth(threads(pid), heapUsedAfterGcKb(pid));
    }

    static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        throw new IOException("no Threads line for " + pid);
    }

    static long heapUsedAfterGcKb(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IOException("no heap figure in: " + info);
        }
        return Long.parseLong(m.group(1));
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " hung");
        }
        return out;
    }
}
