package org.callpark.internal.xmpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.callpark.spi.Overrides;
import org.xmpp.packet.JID;

/**
 * The effective XMPP settings: the {@link XmppConfig} with the overrides of system properties
 * ({@code callpark.xmpp.<attribute>}) and, if a property is not set, environment variables
 * ({@code CALLPARK_XMPP_<ATTRIBUTE>}, upper snake case). Overrides win over the configuration.
 *
 * @param enabled      whether to connect
 * @param host         the server's component host
 * @param port         the server's component port
 * @param domain       the server's XMPP domain
 * @param subdomain    the component's subdomain
 * @param secret       the handshake secret (never logged)
 * @param pingInterval time between liveness pings
 */
public record XmppSettings(boolean enabled, String host, int port, String domain, String subdomain, String secret,
        Duration pingInterval) {

    /** The component's domain, e.g. {@code park.example.com}. */
    public String componentDomain() {
        return subdomain + "." + domain;
    }

    @Override
    public String toString() {
        return "XmppSettings[" + (enabled ? "" : "disabled, ") + componentDomain() + " via " + host + ":" + port + "]";
    }

    /** The settings of {@code config} with this JVM's system properties and environment. */
    public static XmppSettings from(XmppConfig config) {
        return from(config, System::getProperty, System::getenv);
    }

    /**
     * @throws IllegalArgumentException naming every invalid attribute
     */
    public static XmppSettings from(XmppConfig config, Function<String, String> sysprops,
            Function<String, String> env) {
        List<String> invalid = new ArrayList<>();
        Overrides o = new Overrides("org.callpark.xmpp", sysprops, env);
        boolean enabled = o.bool("enabled", config.enabled(), invalid);
        String host = o.string("host", config.host()).trim();
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:\\[\\]-]+")) {
            invalid.add("host: not a host name or IP address: '" + host + "'");
        }
        int port = o.integer("port", config.port(), invalid);
        if (port < 1 || port > 65535) {
            invalid.add("port: must be 1..65535: " + port);
        }
        String domain = o.string("domain", config.domain()).trim().toLowerCase(Locale.ROOT);
        String subdomain = o.string("subdomain", config.subdomain()).trim().toLowerCase(Locale.ROOT);
        if (domain.isEmpty()) {
            invalid.add("domain: must not be empty");
        }
        if (subdomain.isEmpty() || subdomain.contains(".") || subdomain.contains("@")) {
            invalid.add("subdomain: one DNS label, e.g. park: '" + subdomain + "'");
        }
        if (!domain.isEmpty() && !subdomain.isEmpty()) {
            try {
                new JID(null, subdomain + "." + domain, null);
            } catch (IllegalArgumentException e) {
                invalid.add("domain: not a valid XMPP domain: '" + subdomain + "." + domain + "'");
            }
        }
        String secret = o.string("secret", config.secret());
        if (enabled && secret.isEmpty()) {
            invalid.add("secret: must not be empty");
        }
        int ping = o.integer("pingIntervalSeconds", config.pingIntervalSeconds(), invalid);
        if (ping < 1 || ping > 3600) {
            invalid.add("pingIntervalSeconds: must be 1..3600: " + ping);
        }
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", invalid));
        }
        return new XmppSettings(enabled, host, port, domain, subdomain, secret, Duration.ofSeconds(ping));
    }
}
