package org.callpark.internal.sip;

/**
 * A {@code host:port} pair as configured (the outbound proxy): parsed once when the settings are validated, and again
 * for each request that goes through it ({@link NextHop}).
 *
 * @param host the host name or address, an IPv6 address without its brackets
 * @param port the port, 5060 when the text names none
 */
record HostPort(String host, int port) {

    /**
     * Parses {@code host:port}, {@code host} (port 5060) or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException if it is not one of those
     */
    static HostPort parse(String text) {
        String s = text.trim();
        if (s.isEmpty() || s.contains(" ") || s.contains(";") || s.contains("@")) {
            throw new IllegalArgumentException("must be host:port: '" + text + "'");
        }
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("unclosed '[' in '" + text + "'");
            }
            host = s.substring(1, end);
            if (end + 1 < s.length()) {
                if (s.charAt(end + 1) != ':') {
                    throw new IllegalArgumentException("must be [host]:port: '" + text + "'");
                }
                port = s.substring(end + 2);
            }
        } else {
            int colon = s.lastIndexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        int p = 5060;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port is not a number in '" + text + "'");
            }
        }
        if (host.isEmpty() || p < 1 || p > 65535) {
            throw new IllegalArgumentException("must be host:port with a port 1..65535: '" + text + "'");
        }
        return new HostPort(host, p);
    }
}
