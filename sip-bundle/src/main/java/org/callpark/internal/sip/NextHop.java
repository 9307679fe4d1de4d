package org.callpark.internal.sip;

import java.util.Optional;

/**
 * Where a request this server originates (a recall INVITE, later) goes first: with an outbound proxy configured, the
 * request keeps the target's Request-URI and gets a loose {@code Route: <sip:proxy;lr>} (RFC 3261 §8.1.2), so the PBX
 * or Kamailio applies its routing, accounting and NAT handling; without one it goes straight to the target (the
 * registered contact).
 *
 * @param host      the next hop's host
 * @param port      its port
 * @param transport {@code udp} or {@code tcp}
 * @param route     the Route header value to add, or empty when there is no proxy
 */
record NextHop(String host, int port, String transport, Optional<String> route) {

    /** A {@code host:port} pair. */
    record HostPort(String host, int port) {
    }

    /**
     * The next hop for a request to {@code targetHost:targetPort} under {@code settings}.
     *
     * @param targetTransport the transport the target registered with
     */
    static NextHop of(SipSettings settings, String targetHost, int targetPort, String targetTransport) {
        if (settings.outboundProxy().isEmpty()) {
            return new NextHop(targetHost, targetPort, targetTransport, Optional.empty());
        }
        HostPort proxy = parseHostPort(settings.outboundProxy());
        String transport = settings.transports().contains("udp") ? "udp" : settings.transports().get(0);
        String host = proxy.host().indexOf(':') >= 0 ? "[" + proxy.host() + "]" : proxy.host();
        return new NextHop(proxy.host(), proxy.port(), transport,
                Optional.of("<sip:" + host + ":" + proxy.port() + ";transport=" + transport + ";lr>"));
    }

    /**
     * Parses {@code host:port}, {@code host} (port 5060) or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException if it is not one of those
     */
    static HostPort parseHostPort(String text) {
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
