package org.callpark.openfire;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The plugin's settings, read from Openfire system properties (admin console: Server → Server Manager → System
 * Properties). Every property is optional:
 * <ul>
 * <li>{@value #MEMBERS} — the park cluster's Hazelcast members, {@code host:port} separated by commas (default
 * {@code 127.0.0.1:5701}, a Karaf node on the same host)</li>
 * <li>{@value #CLUSTER_NAME} — the cluster name of the Karaf nodes ({@code org.callpark.cluster} clusterName;
 * default {@code callpark})</li>
 * <li>{@value #SUBDOMAIN} — the component's subdomain: slot JIDs are {@code <slot>@<subdomain>.<xmpp.domain>}
 * (default {@code park})</li>
 * <li>{@value #CONNECT_TIMEOUT} — seconds to try to reach the cluster before each retry is logged (default 30)</li>
 * </ul>
 *
 * @param members        Hazelcast member addresses
 * @param clusterName    the Hazelcast cluster name
 * @param subdomain      the component's subdomain
 * @param connectTimeout how long one connection attempt to the cluster may take
 */
public record PluginSettings(List<String> members, String clusterName, String subdomain, Duration connectTimeout) {

    public static final String MEMBERS = "callpark.cluster.members";
    public static final String CLUSTER_NAME = "callpark.cluster.name";
    public static final String SUBDOMAIN = "callpark.subdomain";
    public static final String CONNECT_TIMEOUT = "callpark.cluster.connectTimeout";

    static final String DEFAULT_MEMBERS = "127.0.0.1:5701";
    static final String DEFAULT_CLUSTER_NAME = "callpark";
    static final String DEFAULT_SUBDOMAIN = "park";
    static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;

    private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public PluginSettings {
        members = List.copyOf(members);
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(subdomain, "subdomain");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /**
     * Reads and checks the settings.
     *
     * @param property an Openfire property by name, {@code null} if not set
     * @throws IllegalArgumentException naming every property that is wrong; nothing is used then
     */
    public static PluginSettings from(Function<String, String> property) {
        List<String> problems = new ArrayList<>();

        List<String> members = new ArrayList<>();
        for (String m : value(property, MEMBERS, DEFAULT_MEMBERS).split(",")) {
            String member = m.trim();
            if (member.isEmpty()) {
                continue;
            }
            if (!MEMBER.matcher(member).matches() || port(member) < 1 || port(member) > 65535) {
                problems.add(MEMBERS + ": '" + member + "' is not host:port");
            } else {
                members.add(member);
            }
        }
        if (members.isEmpty() && problems.isEmpty()) {
            problems.add(MEMBERS + ": no member given (host:port, comma separated)");
        }

        String clusterName = value(property, CLUSTER_NAME, DEFAULT_CLUSTER_NAME);

        String subdomain = value(property, SUBDOMAIN, DEFAULT_SUBDOMAIN).toLowerCase(Locale.ROOT);
        if (!LABEL.matcher(subdomain).matches()) {
            problems.add(SUBDOMAIN + ": '" + subdomain + "' is not a single DNS label (letters, digits, dashes)");
        }

        int timeout = DEFAULT_CONNECT_TIMEOUT_SECONDS;
        String timeoutText = value(property, CONNECT_TIMEOUT, Integer.toString(DEFAULT_CONNECT_TIMEOUT_SECONDS));
        try {
            timeout = Integer.parseInt(timeoutText);
            if (timeout < 1 || timeout > 3600) {
                problems.add(CONNECT_TIMEOUT + ": " + timeout + " is not between 1 and 3600 seconds");
            }
        } catch (NumberFormatException e) {
            problems.add(CONNECT_TIMEOUT + ": '" + timeoutText + "' is not a number of seconds");
        }

        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new PluginSettings(members, clusterName, subdomain, Duration.ofSeconds(timeout));
    }

    private static String value(Function<String, String> property, String name, String dflt) {
        String v = property.apply(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private static int port(String member) {
        try {
            return Integer.parseInt(member.substring(member.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
