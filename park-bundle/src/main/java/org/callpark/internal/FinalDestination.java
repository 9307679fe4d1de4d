package org.callpark.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RingGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;

/**
 * A final destination as an administrator writes it ({@code ParkGroup.finalDestination}, {@code
 * Tenant.finalDestination}): {@value RecallPolicy#PROMPT_AND_HANGUP}, an extension ({@code 100}), a ring group
 * ({@code ringgroup:<name>}) or a SIP URI ({@code sip:user@host[:port]}, user optional). The one reading of that
 * syntax: the directory's validation ({@code FinalDestinationRules}) refuses what does not parse here, and the park
 * service resolves what does into the targets the call keeps in its {@link RecallPolicy}.
 * <p>
 * A URI is kept to what a recall INVITE can carry without surprises: no {@code ;parameters} or {@code ?headers}
 * (a header in a URI would be copied into the request: {@code ?Route=} or {@code ?Call-Info=} smuggled in), no
 * quotes, angle brackets, spaces or control characters; only {@code sip:} ({@code sips:} and {@code tel:} are not
 * supported by the recall's outbound path). A literal host that no phone can be (unspecified, broadcast, multicast,
 * link-local, such as the 169.254.169.254 metadata service of clouds) is refused; host names are not resolved here.
 *
 * @param kind  what it is
 * @param value the extension, the ring group's name, or the whole URI; empty for {@link Kind#PROMPT_AND_HANGUP}
 */
public record FinalDestination(Kind kind, String value) {

    /** What a final destination rings. */
    public enum Kind { PROMPT_AND_HANGUP, EXTENSION, RING_GROUP, SIP_URI }

    /** The prefix of a ring group destination. */
    public static final String RING_GROUP_PREFIX = "ringgroup:";
    public static final FinalDestination NONE = new FinalDestination(Kind.PROMPT_AND_HANGUP, "");

    private static final Pattern EXTENSION = Pattern.compile("[0-9]{1,15}");
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");
    private static final Pattern URI = Pattern.compile("sip:(?:([A-Za-z0-9._~+*!-]{1,64})@)?"
            + "(\\[[0-9A-Fa-f:.]{2,45}]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::([0-9]{1,5}))?");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern HOSTNAME = Pattern
            .compile("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    /**
     * Reads a configured value; empty or {@value RecallPolicy#PROMPT_AND_HANGUP} is {@link #NONE}.
     *
     * @throws IllegalArgumentException saying what is wrong, for people
     */
    public static FinalDestination parse(String text) {
        String v = text == null ? "" : text.trim();
        if (v.isEmpty() || v.equals(RecallPolicy.PROMPT_AND_HANGUP)) {
            return NONE;
        }
        if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ' ')) {
            throw new IllegalArgumentException("must not contain spaces, quotes, '<', '>' or control characters");
        }
        if (EXTENSION.matcher(v).matches()) {
            return new FinalDestination(Kind.EXTENSION, v);
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.startsWith(RING_GROUP_PREFIX)) {
            String name = v.substring(RING_GROUP_PREFIX.length());
            if (!GROUP_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + v + "' does not name a ring group (ringgroup:<name>)");
            }
            return new FinalDestination(Kind.RING_GROUP, name);
        }
        if (lower.startsWith("sips:") || lower.startsWith("tel:")) {
            throw new IllegalArgumentException("only sip: URIs are supported, was '" + v + "'");
        }
        if (lower.startsWith("sip:")) {
            return new FinalDestination(Kind.SIP_URI, uri(v));
        }
        throw new IllegalArgumentException("must be " + RecallPolicy.PROMPT_AND_HANGUP + ", an extension, "
                + RING_GROUP_PREFIX + "<name> or sip:user@host[:port], was '" + v + "'");
    }

    /** The targets of this destination in {@code dir} (empty if what it names is gone: the final prompt then). */
    public List<String> targets(Directory dir, TenantId tenant) {
        return switch (kind) {
            case PROMPT_AND_HANGUP -> List.of();
            case EXTENSION -> dir.user(tenant, value).isPresent() ? List.of(value) : List.of();
            case RING_GROUP -> dir.ringGroup(tenant, value).map(RingGroup::members).orElse(List.of());
            case SIP_URI -> List.of(value);
        };
    }

    /** The URI's host as written (brackets of an IPv6 literal removed). */
    public String host() {
        Matcher m = URI.matcher(value);
        if (kind != Kind.SIP_URI || !m.matches()) {
            return "";
        }
        String h = m.group(2);
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    /**
     * The destination a call parked in {@code group} (or, {@code null}, by a user in no park group) gets: the
     * group's, else the tenant's. Its text and targets go into the call's {@link RecallPolicy}.
     */
    static RecallPolicy applied(RecallPolicy policy, Directory dir, Tenant tenant, ParkGroup group) {
        String text = group != null && !group.finalDestination().isEmpty() ? group.finalDestination()
                : tenant.finalDestination();
        FinalDestination d;
        try {
            d = parse(text);
        } catch (IllegalArgumentException e) {
            return policy; // validation keeps this out of the directory; never ring half a value
        }
        return d.kind == Kind.PROMPT_AND_HANGUP ? policy
                : policy.withFinalDestination(d.text(), d.targets(dir, tenant.id()));
    }

    /** As written in the configuration. */
    public String text() {
        return switch (kind) {
            case PROMPT_AND_HANGUP -> RecallPolicy.PROMPT_AND_HANGUP;
            case RING_GROUP -> RING_GROUP_PREFIX + value;
            default -> value;
        };
    }

    private static String uri(String v) {
        if (v.indexOf(';') >= 0 || v.indexOf('?') >= 0) {
            throw new IllegalArgumentException("a sip: URI here takes no ;parameters or ?headers, was '" + v + "'");
        }
        Matcher m = URI.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be sip:user@host[:port], was '" + v + "'");
        }
        if (m.group(4) != null) {
            int port = Integer.parseInt(m.group(4));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the port must be 1 to 65535, was " + port);
            }
        }
        String host = m.group(2);
        boolean v6 = host.startsWith("[");
        if (!v6 && !IPV4.matcher(host).matches() && !HOSTNAME.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
        }
        if (!v6 && IPV4.matcher(host).matches()) {
            for (String octet : host.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("'" + host + "' is not an IP address");
                }
            }
        }
        if (v6 || IPV4.matcher(host).matches()) {
            InetAddress a;
            try {
                a = InetAddress.getByName(v6 ? host.substring(1, host.length() - 1) : host); // a literal: no DNS
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + host + "' is not an IP address");
            }
            if (a.isAnyLocalAddress() || a.isMulticastAddress() || a.isLinkLocalAddress()
                    || a.getHostAddress().equals("255.255.255.255")) {
                throw new IllegalArgumentException("'" + host + "' is not an address a phone can have"
                        + " (unspecified, broadcast, multicast or link-local)");
            }
        }
        return v;
    }
}
