package org.callpark.spi;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The administrator's overrides of one configuration PID's attributes, so that a container or a start script can set
 * any setting without editing {@code etc/*.cfg}. For the PID {@code org.callpark.<name>} and an attribute such as
 * {@code bindAddress}, the system property {@code callpark.<name>.bindAddress} wins if it is set; otherwise the
 * environment variable {@code CALLPARK_<NAME>_BIND_ADDRESS} (the attribute in upper snake case) wins if it is set;
 * otherwise the configured value stands. A variable or property that is set but empty counts as set: it overrides
 * with the empty value.
 * <p>
 * Every bundle's settings read their overrides here, so that the names and the precedence are the same for all of
 * them. A value that does not parse is not thrown at once: it is reported, with its attribute, to the caller, which
 * collects every problem and rejects the configuration as a whole, naming each bad field.
 */
public final class Overrides {

    private static final String PID_PREFIX = "org.callpark.";

    private final String name;
    private final Function<String, String> sysprops;
    private final Function<String, String> env;

    /**
     * The overrides of one PID, read through the given lookups (in production {@code System::getProperty} and
     * {@code System::getenv}; in tests a map's {@code get}).
     *
     * @param pid      the configuration PID, {@code org.callpark.<name>} with a lower-case name, e.g.
     *                 {@code org.callpark.sip}
     * @param sysprops a system property by name, {@code null} if not set
     * @param env      an environment variable by name, {@code null} if not set
     * @throws IllegalArgumentException if {@code pid} is not of that form, as it would give names nobody can guess
     */
    public Overrides(String pid, Function<String, String> sysprops, Function<String, String> env) {
        Objects.requireNonNull(pid, "pid");
        if (!pid.matches("org\\.callpark\\.[a-z][a-z0-9]*")) {
            throw new IllegalArgumentException("not a PID of the form org.callpark.<name>: '" + pid + "'");
        }
        this.name = pid.substring(PID_PREFIX.length());
        this.sysprops = Objects.requireNonNull(sysprops, "sysprops");
        this.env = Objects.requireNonNull(env, "env");
    }

    /** The system property that overrides {@code attribute}, e.g. {@code callpark.sip.bindAddress}. */
    public String propertyName(String attribute) {
        return "callpark." + name + "." + attribute;
    }

    /** The environment variable that overrides {@code attribute}, e.g. {@code CALLPARK_SIP_BIND_ADDRESS}. */
    public String variableName(String attribute) {
        return "CALLPARK_" + name.toUpperCase(Locale.ROOT) + "_" + upperSnake(attribute);
    }

    /**
     * The override of {@code attribute} as it was given (not trimmed): the system property if set, else the
     * environment variable if set, else {@code null}.
     */
    public String get(String attribute) {
        String v = sysprops.apply(propertyName(attribute));
        return v != null ? v : env.apply(variableName(attribute));
    }

    /**
     * The override of a text attribute if there is one, else the configured value; never {@code null} (a missing
     * configured value is empty). Nothing is trimmed: the caller decides what whitespace means for its field.
     */
    public String string(String attribute, String configured) {
        String v = get(attribute);
        return v != null ? v : configured == null ? "" : configured;
    }

    /**
     * The override of an integer attribute (surrounding whitespace ignored) if there is one, else the configured
     * value. An override that is not a number is reported as {@code not a number: '<value>'} and the configured value
     * is returned, so that the caller can go on checking its other fields.
     *
     * @param invalid receives the attribute and what is wrong with its override
     */
    public int integer(String attribute, int configured, BiConsumer<String, String> invalid) {
        String v = get(attribute);
        if (v == null) {
            return configured;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            invalid.accept(attribute, "not a number: '" + v + "'");
            return configured;
        }
    }

    /**
     * {@link #integer(String, int, BiConsumer)} for callers that collect their problems as text: a bad override adds
     * {@code <attribute>: not a number: '<value>'} to {@code invalid}.
     */
    public int integer(String attribute, int configured, List<String> invalid) {
        return integer(attribute, configured, collect(invalid));
    }

    /**
     * The override of a boolean attribute if there is one, else the configured value. Only {@code true} and
     * {@code false} are accepted, in any case and with surrounding whitespace: anything else ({@code yes}, {@code 1},
     * empty) is reported as {@code must be true or false: '<value>'} and the configured value is returned, rather
     * than read as {@code false} the way {@link Boolean#parseBoolean} would, which would quietly turn a feature off.
     *
     * @param invalid receives the attribute and what is wrong with its override
     */
    public boolean bool(String attribute, boolean configured, BiConsumer<String, String> invalid) {
        String v = get(attribute);
        if (v == null) {
            return configured;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                invalid.accept(attribute, "must be true or false: '" + v + "'");
                return configured;
        }
    }

    /**
     * {@link #bool(String, boolean, BiConsumer)} for callers that collect their problems as text: a bad override adds
     * {@code <attribute>: must be true or false: '<value>'} to {@code invalid}.
     */
    public boolean bool(String attribute, boolean configured, List<String> invalid) {
        return bool(attribute, configured, collect(invalid));
    }

    /**
     * An attribute name in upper snake case, as environment variables spell it: {@code portAutoIncrement} becomes
     * {@code PORT_AUTO_INCREMENT}, {@code rtpPortMin} becomes {@code RTP_PORT_MIN}.
     */
    public static String upperSnake(String camel) {
        Objects.requireNonNull(camel, "camel");
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    private static BiConsumer<String, String> collect(List<String> invalid) {
        Objects.requireNonNull(invalid, "invalid");
        return (attribute, problem) -> invalid.add(attribute + ": " + problem);
    }
}
