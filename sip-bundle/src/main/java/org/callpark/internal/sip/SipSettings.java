package org.callpark.internal.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.callpark.spi.Overrides;
import org.callpark.spi.auth.FailureLimiter;

/**
 * The effective SIP settings: the {@link SipConfig} with the overrides of system properties
 * ({@code callpark.sip.<attribute>}) and, if a property is not set, environment variables
 * ({@code CALLPARK_SIP_<ATTRIBUTE>}, upper snake case). Overrides win over the configuration.
 *
 * @param bindAddress       where the listening points bind
 * @param advertisedAddress what Via, Contact and SDP carry
 * @param port              the port of every transport
 * @param transports        lower-case transports, {@code udp} and/or {@code tcp}
 * @param trustedProxies    source IPs whose P-Asserted-Identity is believed
 * @param outboundProxy     {@code host:port} for requests this server originates, or empty
 * @param userAgent         User-Agent/Server value
 * @param recallAlertInfo   the Alert-Info value of recall INVITEs, or empty for none
 * @param subscribeExpires  the bounds and default of BLF subscription lengths
 * @param authLimits        when digest failures lock a source address or a user out
 * @param parksInProgressPerSource park INVITEs one untrusted source IP may have answered and not yet ACKed at once
 * @param sessionExpires    RFC 4028 session interval offered to parked callers that support timers (seconds)
 * @param minSessionExpires RFC 4028 Min-SE (seconds): shorter requested intervals get 422
 * @param tcp               the guards of accepted TCP connections
 * @param announceParkedSlot a parker's own call to the park code (an attended transfer's consult call) hears the slot
 *                          before the transfer parks the customer ({@link ConsultPark}); off: such a call is parked
 * @param announceWaitSeconds how long such a consult call waits for the transfer before we hang it up
 * @param transferNumbers   the numbers outside the directory an in-call REFER may transfer to (whole user part), or
 *                          null for none ({@link InCallTransfer}); never set without an outbound proxy
 */
public record SipSettings(String bindAddress, String advertisedAddress, int port, List<String> transports,
        Set<String> trustedProxies, String outboundProxy, String userAgent, String recallAlertInfo,
        Expires subscribeExpires, FailureLimiter.Limits authLimits, int parksInProgressPerSource, int sessionExpires,
        int minSessionExpires, Tcp tcp, boolean announceParkedSlot, int announceWaitSeconds,
        Pattern transferNumbers) {

    /**
     * Guards of accepted TCP connections (see {@link GuardedTcpProcessor}).
     *
     * @param idleTimeoutSeconds a connection must deliver a complete message within this time
     * @param maxConnections     connections beyond this are closed at once
     */
    public record Tcp(int idleTimeoutSeconds, int maxConnections) {
    }

    /**
     * Subscription lengths in seconds: {@code 1 <= min <= dflt <= max}.
     *
     * @param min  shorter requests get 423 Interval Too Brief
     * @param max  longer requests are shortened to it
     * @param dflt granted when the SUBSCRIBE has no Expires
     */
    public record Expires(int min, int max, int dflt) {
    }

    public SipSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        transports = List.copyOf(transports);
        trustedProxies = Set.copyOf(trustedProxies);
        outboundProxy = outboundProxy == null ? "" : outboundProxy;
        recallAlertInfo = recallAlertInfo == null ? "" : recallAlertInfo;
    }

    /** The settings of {@code config} with this JVM's system properties and environment. */
    public static SipSettings from(SipConfig config) {
        return from(config, System::getProperty, System::getenv);
    }

    /**
     * @throws IllegalArgumentException naming every invalid attribute
     */
    public static SipSettings from(SipConfig config, Function<String, String> sysprops,
            Function<String, String> env) {
        List<String> invalid = new ArrayList<>();
        Overrides o = new Overrides("org.callpark.sip", sysprops, env);
        String bind = o.string("bindAddress", config.bindAddress()).trim();
        if (bind.isEmpty()) {
            invalid.add("bindAddress: must not be empty");
        } else {
            checkAddress("bindAddress", bind, invalid);
        }
        String advertised = o.string("advertisedAddress", config.advertisedAddress()).trim();
        if (advertised.isEmpty()) {
            advertised = bind;
        }
        int port = o.integer("port", config.port(), invalid);
        if (port < 1 || port > 65535) {
            invalid.add("port: must be 1..65535: " + port);
        }
        List<String> transports = new ArrayList<>(new LinkedHashSet<>(split(o.string("transports",
                config.transports()).toLowerCase(Locale.ROOT))));
        if (transports.isEmpty()) {
            invalid.add("transports: name at least one of udp, tcp");
        }
        for (String t : transports) {
            if (!t.equals("udp") && !t.equals("tcp")) {
                invalid.add("transports: unknown transport '" + t + "' (udp, tcp)");
            }
        }
        Set<String> trusted = new LinkedHashSet<>();
        for (String ip : split(o.string("trustedProxies", config.trustedProxies()))) {
            checkAddress("trustedProxies", ip, invalid);
            trusted.add(normalise(ip));
        }
        String proxy = o.string("outboundProxy", config.outboundProxy()).trim();
        if (!proxy.isEmpty()) {
            try {
                HostPort.parse(proxy);
            } catch (IllegalArgumentException e) {
                invalid.add("outboundProxy: " + e.getMessage());
            }
        }
        if (!o.string("realm", config.realm()).isBlank()) {
            invalid.add("realm: no longer a SIP setting; the digest realm is a directory fact now: set"
                    + " tenant.<t>.realm in etc/org.callpark.directory.cfg instead (and remove realm here)");
        }
        String userAgent = o.string("userAgent", config.userAgent()).trim();
        String alertInfo = o.string("recallAlertInfo", config.recallAlertInfo()).trim();
        if (!alertInfo.isEmpty() && !alertInfo.matches("<[^<>\\s]+>[^\\r\\n<>]*(,\\s*<[^<>\\s]+>[^\\r\\n<>]*)*")) {
            invalid.add("recallAlertInfo: must be <uri> with optional ;params, comma-separated: '" + alertInfo + "'");
        }
        int min = o.integer("subscribeMinExpires", config.subscribeMinExpires(), invalid);
        int max = o.integer("subscribeMaxExpires", config.subscribeMaxExpires(), invalid);
        int dflt = o.integer("subscribeDefaultExpires", config.subscribeDefaultExpires(), invalid);
        if (min < 1) {
            invalid.add("subscribeMinExpires: must be at least 1: " + min);
        }
        if (max < min) {
            invalid.add("subscribeMaxExpires: must be at least subscribeMinExpires (" + min + "): " + max);
        }
        if (dflt < min || dflt > max) {
            invalid.add("subscribeDefaultExpires: must be between subscribeMinExpires and subscribeMaxExpires ("
                    + min + ".." + max + "): " + dflt);
        }
        FailureLimiter.Limits limits = new FailureLimiter.Limits(
                nonNegative("authSourceMaxFailures", o.integer("authSourceMaxFailures",
                        config.authSourceMaxFailures(), invalid), invalid),
                java.time.Duration.ofSeconds(positive("authSourceWindowSeconds", o.integer("authSourceWindowSeconds",
                        config.authSourceWindowSeconds(), invalid), invalid)),
                nonNegative("authUserMaxFailures", o.integer("authUserMaxFailures", config.authUserMaxFailures(),
                        invalid), invalid),
                java.time.Duration.ofSeconds(positive("authUserWindowSeconds", o.integer("authUserWindowSeconds",
                        config.authUserWindowSeconds(), invalid), invalid)));
        int inProgress = o.integer("parksInProgressPerSource", config.parksInProgressPerSource(), invalid);
        if (inProgress < 1) {
            invalid.add("parksInProgressPerSource: must be at least 1: " + inProgress);
        }
        int minSe = o.integer("minSessionExpires", config.minSessionExpires(), invalid);
        int se = o.integer("sessionExpires", config.sessionExpires(), invalid);
        if (minSe < 1) {
            invalid.add("minSessionExpires: must be at least 1: " + minSe);
        }
        if (se < minSe) {
            invalid.add("sessionExpires: must be at least minSessionExpires (" + minSe + "): " + se);
        }
        int tcpIdle = o.integer("tcpIdleTimeout", config.tcpIdleTimeout(), invalid);
        if (tcpIdle < 1 || tcpIdle > 300) {
            invalid.add("tcpIdleTimeout: must be 1..300 seconds: " + tcpIdle);
        }
        int tcpMax = o.integer("tcpMaxConnections", config.tcpMaxConnections(), invalid);
        if (tcpMax < 1 || tcpMax > 100_000) {
            invalid.add("tcpMaxConnections: must be 1..100000: " + tcpMax);
        }
        boolean announce = o.bool("announceParkedSlot", config.announceParkedSlot(), invalid);
        int announceWait = o.integer("announceWaitSeconds", config.announceWaitSeconds(), invalid);
        if (announceWait < 1 || announceWait > 300) {
            invalid.add("announceWaitSeconds: must be 1..300 seconds: " + announceWait);
        }
        String numbers = o.string("transferNumbers", config.transferNumbers()).trim();
        Pattern transferNumbers = null;
        if (!numbers.isEmpty()) {
            try {
                transferNumbers = Pattern.compile(numbers);
            } catch (PatternSyntaxException e) {
                invalid.add("transferNumbers: not a regular expression: " + e.getDescription() + " in '" + numbers
                        + "'");
            }
            if (proxy.isEmpty()) {
                invalid.add("transferNumbers: needs an outboundProxy (the PBX or trunk that reaches those numbers)");
            }
        }
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", invalid));
        }
        return new SipSettings(bind, advertised, port, transports, trusted, proxy,
                userAgent.isEmpty() ? "CallPark" : userAgent, alertInfo, new Expires(min, max, dflt), limits,
                inProgress, se, minSe, new Tcp(tcpIdle, tcpMax), announce, announceWait, transferNumbers);
    }

    /** Whether a change from {@code other} needs the stack restarted (addresses, port, transports, TCP guards). */
    public boolean sameNetwork(SipSettings other) {
        return other != null && bindAddress.equals(other.bindAddress)
                && advertisedAddress.equals(other.advertisedAddress) && port == other.port
                && transports.equals(other.transports) && tcp.equals(other.tcp);
    }

    /**
     * The {@code sip:} URI an in-call transfer to {@code number} outside the directory calls (through the outbound
     * proxy), if {@code transferNumbers} allows that number; empty otherwise.
     */
    public java.util.Optional<String> transferUri(String number) {
        if (transferNumbers == null || number == null || !transferNumbers.matcher(number).matches()
                || !number.matches("[A-Za-z0-9+*._~-]+")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("sip:" + number + "@" + outboundProxy);
    }

    /** Whether {@code ip} (as the stack reports a peer's address) is a configured trusted proxy. */
    public boolean trusted(String ip) {
        return ip != null && trustedProxies.contains(normalise(ip));
    }

    static List<String> split(String value) {
        List<String> parts = new ArrayList<>();
        if (value == null) {
            return parts;
        }
        for (String p : value.split("[,\\s]+")) {
            if (!p.isBlank()) {
                parts.add(p.trim());
            }
        }
        return parts;
    }

    private static int nonNegative(String field, int value, List<String> invalid) {
        if (value < 0) {
            invalid.add(field + ": must be 0 (off) or more: " + value);
        }
        return Math.max(0, value);
    }

    private static int positive(String field, int value, List<String> invalid) {
        if (value < 1) {
            invalid.add(field + ": must be at least 1: " + value);
        }
        return Math.max(1, value);
    }

    private static void checkAddress(String field, String ip, List<String> invalid) {
        if (!ip.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            invalid.add(field + ": not an IP address: '" + ip + "'");
        }
    }

    private static String normalise(String ip) {
        try {
            return InetAddress.getByName(ip).getHostAddress();
        } catch (UnknownHostException e) {
            return ip;
        }
    }
}
