package org.callpark.internal.sip;

import java.util.Locale;
import java.util.Set;

import javax.sip.address.SipURI;
import javax.sip.address.URI;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;

/**
 * The run-time switch of the SIP message trace ({@code park:sip-trace on|off [--tenant t]}, docs/operations.md "SIP
 * trace"): off at every start; on for every message, or only for messages whose Request-URI, From or To host is a
 * domain of one tenant.
 * <p>
 * A static field, not a service: JAIN-SIP instantiates its {@link SipTraceLogger} (and the {@link Slf4jStackLogger}
 * that gates it) by class name, so the switch must be reachable without a reference. It lives in this bundle's class
 * loader: per node, reset when the bundle restarts. Reading it is one volatile load, so the stack pays nothing while it
 * is off (the stack asks before it formats a message).
 */
public final class SipTrace {

    /**
     * What is traced.
     *
     * @param tenant      the tenant the trace is limited to, or {@code null} for every message
     * @param domains     that tenant's domains (lower case)
     * @param otherClaims domains claimed by other tenants: for the default tenant, which also serves every unclaimed
     *                    domain (and IP literals), a host matches unless another tenant claims it
     * @param isDefault   whether {@code tenant} is the directory's default tenant
     */
    public record Filter(String tenant, Set<String> domains, Set<String> otherClaims, boolean isDefault) {

        public static final Filter ALL = new Filter(null, Set.of(), Set.of(), false);

        public Filter {
            domains = Set.copyOf(domains);
            otherClaims = Set.copyOf(otherClaims);
        }

        boolean matches(SIPMessage m) {
            if (tenant == null) {
                return true;
            }
            if (m instanceof SIPRequest r && matches(r.getRequestURI())) {
                return true;
            }
            return (m.getFrom() != null && matches(m.getFrom().getAddress().getURI()))
                    || (m.getTo() != null && matches(m.getTo().getAddress().getURI()));
        }

        private boolean matches(URI uri) {
            if (!(uri instanceof SipURI sip) || sip.getHost() == null) {
                return false;
            }
            String host = sip.getHost().toLowerCase(Locale.ROOT);
            return domains.contains(host) || (isDefault && !otherClaims.contains(host));
        }

        /** For the shell. */
        public String describe() {
            return tenant == null ? "every message" : "messages of tenant " + tenant + " " + domains;
        }
    }

    private static volatile Filter filter;

    private SipTrace() {
    }

    public static void on(Filter what) {
        filter = what;
    }

    public static void off() {
        filter = null;
    }

    /** The current filter, or {@code null} when the trace is off. */
    public static Filter current() {
        return filter;
    }

    static boolean isOn() {
        return filter != null;
    }
}
