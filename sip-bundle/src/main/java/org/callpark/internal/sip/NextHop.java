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

    /**
     * The next hop for a request to {@code targetHost:targetPort} under {@code settings}.
     *
     * @param targetTransport the transport the target registered with
     */
    static NextHop of(SipSettings settings, String targetHost, int targetPort, String targetTransport) {
        if (settings.outboundProxy().isEmpty()) {
            return new NextHop(targetHost, targetPort, targetTransport, Optional.empty());
        }
        HostPort proxy = HostPort.parse(settings.outboundProxy());
        String transport = settings.transports().contains("udp") ? "udp" : settings.transports().get(0);
        String host = proxy.host().indexOf(':') >= 0 ? "[" + proxy.host() + "]" : proxy.host();
        return new NextHop(proxy.host(), proxy.port(), transport,
                Optional.of("<sip:" + host + ":" + proxy.port() + ";transport=" + transport + ";lr>"));
    }
}
