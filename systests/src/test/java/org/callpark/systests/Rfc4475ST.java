package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The RFC 4475 torture messages ({@code src/test/resources/rfc4475/}, see its README for where they come from) sent to
 * the running server over UDP and over TCP, each with our own top Via (transport, loopback sent-by, a branch unique
 * per send, {@code rport}) so that answers come back; the rest of each message is sent as published. Files whose copy
 * lost its CRs (LF line ends only) get CRLF back, as in the RFC's own base64 archive.
 * <ul>
 * <li>valid requests (RFC 4475 §3.1.1, §3.2, the valid ones of §3.3 and §3.4) get a final response over both
 * transports, including those JAIN-SIP's NIO TCP reader could not frame alone ({@link #NIO_TCP_FRAMED});</li>
 * <li>invalid requests get a well-formed {@code 400} or nothing, all of them (the four JAIN-SIP's header parsers
 * accepted, {@code badaspec}, {@code baddn}, {@code baddate}, {@code regbadct}, are refused by our header rules with
 * a {@code 400} naming the defect over UDP, see {@link #REFUSED_WITH});</li>
 * <li>{@code inv2543} (valid, RFC 2543 style, no Contact) gets its documented final answer, a 400 that says an
 * INVITE needs a Contact (docs/security/malformed-sip.md);</li>
 * <li>responses (nobody asked) get nothing;</li>
 * <li>every status line that comes back is one well-formed line (RFC 3261 §25.1);</li>
 * <li>after each message the server answers OPTIONS on that transport;</li>
 * <li>a parked call (the canary) hears ≥ 40 music packets in every second throughout.</li>
 * </ul>
 */
class Rfc4475ST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer();

    static final List<String> FILES = List.of("badaspec", "badbranch", "baddate", "baddn", "badinv01", "badvers",
            "bcast", "bext01", "bigcode", "clerr", "cparam01", "cparam02", "dblreq", "esc01", "esc02", "escnull",
            "escruri", "insuf", "intmeth", "inv2543", "invut", "longreq", "ltgtruri", "lwsdisp", "lwsruri", "lwsstart",
            "mcl01", "mismatch01", "mismatch02", "mpart01", "multi01", "ncl", "noreason", "novelsc", "quotbal",
            "regaut01", "regbadct", "regescrt", "scalar02", "scalarlg", "sdp01", "semiuri", "test", "transports", "trws",
            "unkscm", "unksm2", "unreason", "wsinv", "zeromf");

    /** Requests a server must be able to answer (RFC 4475 §3.1.1, §3.2, §3.3 and §3.4 except the invalid ones). */
    static final Set<String> VALID = Set.of("wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq",
            "dblreq", "semiuri", "transports", "mpart01", "badbranch", "unkscm", "novelsc", "unksm2", "bext01", "invut",
            "regaut01", "multi01", "mcl01", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01", "inv2543");

    /**
     * Invalid messages whose defect only our header rules see ({@code HeaderRules} in sip-bundle): over UDP the 400's
     * reason phrase names it (over TCP the stack drops unparsable messages, which the general rule allows).
     */
    static final Map<String, String> REFUSED_WITH = Map.of(
            "badaspec", "SIP/2.0 400 Bad Request (white space inside angle brackets in To header)",
            "baddn", "SIP/2.0 400 Bad Request (unquoted display name with special characters in From header)",
            "baddate", "SIP/2.0 400 Bad Request (malformed Date header)",
            "regbadct", "SIP/2.0 400 Bad Request (URI with , ; or ? outside angle brackets in Contact header)");

    /**
     * Valid messages JAIN-SIP's NIO TCP reader ({@code NioPipelineParser}, in use since issue 14 R5's
     * {@code GuardedTcpFactory}) closed the connection on before our parser saw them: it looks for Call-ID and
     * Content-Length by their long names and parses the length itself, so a compact {@code i:}/{@code I:} Call-ID
     * ({@code esc01}, {@code dblreq}) was "a message with no Call-ID" and {@code Content-Length   : 150}
     * ({@code wsinv}) a NumberFormatException. sip-bundle's {@code TcpFramingHeaders} gives the reader the long names;
     * they get a final response over TCP like every valid message (see docs/security/malformed-sip.md), and the
     * table marks them.
     */
    static final Set<String> NIO_TCP_FRAMED = Set.of("esc01", "dblreq", "wsinv");

    /** Responses: a server never answers them. */
    static final Set<String> RESPONSES = Set.of("unreason", "noreason", "bcast", "bigcode", "scalarlg");

    /** The torture message {@code name} as bytes, CRLF restored where the stored copy has LF only. */
    static byte[] message(String name) throws IOException {
        try (InputStream in = Rfc4475ST.class.getResourceAsStream("/rfc4475/" + name + ".dat")) {
            byte[] b = in.readAllBytes();
            String s = new String(b, StandardCharsets.ISO_8859_1);
            return s.indexOf('\r') >= 0 ? b : s.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void everyTortureMessageOverUdpAndTcp_validAnswered_invalid400OrDropped_serverAndCanaryUnharmed()
            throws Exception {
        RawSip sip = new RawSip(SERVER);
        List<String> failures = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        try (Canary canary = Canary.park(SERVER, 600)) {
            for (String name : FILES) {
                byte[] message = message(name);
                for (String transport : List.of("UDP", "TCP")) {
                    List<String> answers = "UDP".equals(transport) ? sip.udp(message, 1500) : sip.tcp(message, 1500);
                    List<String> lines = answers.stream().map(RawSip::firstLine).toList();
                    table.append(String.format("%-11s %s %s%s%n", name, transport, lines,
                            "TCP".equals(transport) && NIO_TCP_FRAMED.contains(name) ? " (NIO framing)" : ""));
                    for (String a : answers) {
                        String line = RawSip.firstLine(a);
                        if (!RawSip.STATUS_LINE.matcher(line).matches() || !a.startsWith(line + "\r\n")) {
                            failures.add(name + "/" + transport + ": malformed status line " + line);
                        }
                    }
                    String last = lines.isEmpty() ? null : lines.get(lines.size() - 1);
                    if (RESPONSES.contains(name)) {
                        if (!answers.isEmpty()) {
                            failures.add(name + "/" + transport + ": a response was answered: " + lines);
                        }
                    } else if (VALID.contains(name)) {
                        if (answers.stream().noneMatch(RawSip::isFinal)) {
                            failures.add(name + "/" + transport + ": valid, no final response: " + lines
                                    + ("TCP".equals(transport) && NIO_TCP_FRAMED.contains(name)
                                            ? " (NIO TCP framing: compact Call-ID / LWS before the colon)" : ""));
                        }
                        if ("inv2543".equals(name) && answers.stream().noneMatch(a -> a.startsWith(
                                "SIP/2.0 400 Bad request\r\n") && a.contains("\"an INVITE needs a Contact\""))) {
                            failures.add(name + "/" + transport + ": not the documented 400 (no Contact): " + lines);
                        }
                    } else if (REFUSED_WITH.containsKey(name)) {
                        if ("UDP".equals(transport) ? !lines.equals(List.of(REFUSED_WITH.get(name)))
                                : !lines.isEmpty() && !lines.equals(List.of(REFUSED_WITH.get(name)))) {
                            failures.add(name + "/" + transport + ": expected " + REFUSED_WITH.get(name)
                                    + (transport.equals("TCP") ? " or nothing" : "") + ", got " + lines);
                        }
                    } else if (last != null && !last.startsWith("SIP/2.0 400 ")
                            && answers.stream().anyMatch(RawSip::isFinal)) {
                        failures.add(name + "/" + transport + ": invalid, answered " + last);
                    }
                    String probe = sip.probe(transport);
                    if (!"SIP/2.0 200 OK".equals(probe)) {
                        failures.add(name + "/" + transport + ": OPTIONS afterwards got " + probe);
                    }
                }
            }
            List<Integer> rates = canary.ratePerSecond();
            System.out.printf("[systests] RFC 4475: %d messages x UDP+TCP%n%s[systests] canary pps per second: "
                    + "min %d over %d s%n", FILES.size(), table, canary.minRate(), rates.size());
            assertTrue(failures.isEmpty(), String.join("\n", failures) + "\n" + table);
            assertTrue(canary.minRate() >= 40, "canary rate per second: " + rates);
            assertTrue(canary.connected(), "the canary is still in its call\n" + canary.diagnostics());
        }
        assertEquals(0, SERVER.karafLog().lines().filter(l -> l.contains("NullPointerException")).count(),
                "no NullPointerException in karaf.log");
    }
}
