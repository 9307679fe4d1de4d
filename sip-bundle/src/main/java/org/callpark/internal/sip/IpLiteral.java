package org.callpark.internal.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IP address written as text, read without ever asking DNS. Addresses in SIP and SDP come from the network: a name
 * there ({@code c=IN IP4 attacker.example}) would make a listener thread wait for a resolver the attacker may control,
 * and point media wherever the name resolves tomorrow. Only literals are addresses to us.
 */
final class IpLiteral {

    private static final Pattern V4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z_.-]+)?");

    private IpLiteral() {
    }

    /**
     * @param text {@code 192.0.2.5}, {@code 2001:db8::1} or {@code [2001:db8::1]}
     * @return the address, or empty when the text is a host name or not an address at all
     */
    static Optional<InetAddress> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        try {
            Matcher v4 = V4.matcher(s);
            if (v4.matches()) {
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(v4.group(i + 1));
                    if (octet > 255) {
                        return Optional.empty();
                    }
                    b[i] = (byte) octet;
                }
                return Optional.of(InetAddress.getByAddress(b));
            }
            if (s.indexOf(':') >= 0 && V6.matcher(s).matches()) {
                // With a ':' the JDK parses an IPv6 literal and never resolves (an invalid one throws).
                return Optional.of(InetAddress.getByName(s));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
