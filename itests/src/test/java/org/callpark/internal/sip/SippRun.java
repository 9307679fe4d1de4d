package org.callpark.internal.sip;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Pax Exam tests' handle on sip-bundle's {@link Sipp} (its test-jar: the sipp runner that copies scenarios out of
 * the class path, which is package-private). Only what the itests need is forwarded; the build unpacks {@code Sipp}
 * next to this class so that both are in the test probe, where the tests run (inside the Karaf container).
 */
public final class SippRun {

    private static final Pattern CSEQ = Pattern.compile("(?im)^CSeq:\\s*(\\d+)\\s+(\\S+)");

    private final Sipp sipp;

    private SippRun(Sipp sipp) {
        this.sipp = sipp;
    }

    /** {@code scenario} ({@code /sipp/<scenario>.xml} of the class path) against 127.0.0.1:{@code serverPort}. */
    public static SippRun scenario(String scenario, int serverPort) {
        return new SippRun(Sipp.scenario(scenario, serverPort));
    }

    public SippRun service(String service) {
        sipp.service(service);
        return this;
    }

    public SippRun key(String key, String value) {
        sipp.key(key, value);
        return this;
    }

    public SippRun auth(String user, String password) {
        sipp.auth(user, password);
        return this;
    }

    public SippRun pause(int millis) {
        sipp.pause(millis);
        return this;
    }

    public SippRun name(String name) {
        sipp.name(name);
        return this;
    }

    public SippRun timeout(int seconds) {
        sipp.timeout(seconds);
        return this;
    }

    public SippRun start() throws IOException {
        sipp.start();
        return this;
    }

    /** Runs to the end (starting it first if need be) and fails unless sipp exits 0; the run time in ms. */
    public long run() throws IOException, InterruptedException {
        return sipp.run();
    }

    /** Waits for sipp's exit (bounded by its timeout) and returns its exit code. */
    public int await() throws IOException, InterruptedException {
        return sipp.await();
    }

    /**
     * How many requests of {@code method} sipp received, counted by CSeq number: retransmissions count once, each
     * re-INVITE of a dialog (new CSeq) counts. From sipp's message trace.
     */
    public int requestsReceived(String method) throws IOException {
        Set<Long> cseqs = new TreeSet<>();
        for (String block : sipp.messages().split("(?m)^-{10,}.*$")) {
            String text = block.strip();
            int firstLineEnd = text.indexOf('\n');
            if (!text.contains("message received") || firstLineEnd < 0) {
                continue;
            }
            String message = text.substring(firstLineEnd + 1).strip();
            if (!message.startsWith(method + " ")) {
                continue;
            }
            Matcher m = CSEQ.matcher(message);
            if (m.find() && m.group(2).equals(method)) {
                cseqs.add(Long.parseLong(m.group(1)));
            }
        }
        return cseqs.size();
    }

    /** sipp's error log and message trace (the tail), for failure messages. */
    public String diagnostics() {
        return sipp.diagnostics();
    }
}
