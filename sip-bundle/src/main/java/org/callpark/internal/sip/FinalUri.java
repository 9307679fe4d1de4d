package org.callpark.internal.sip;

import java.util.Locale;

import javax.sip.address.SipURI;

import org.callpark.api.TenantId;

/**
 * A final destination's {@code sip:} URI among the targets of a recall step (the park core passes it as it passes
 * extensions, see {@code RecallPolicy.finalTargets}): the directory's validation already kept it to
 * {@code sip:user@host[:port]} without parameters or headers, so it can be used as a registered contact would.
 */
final class FinalUri {

    private static final int DEFAULT_PORT = 5060;

    private FinalUri() {
    }

    /** Whether a recall target is a URI rather than an extension (extensions are digits). */
    static boolean is(String target) {
        return target.regionMatches(true, 0, "sip:", 0, 4);
    }

    /** The URI as the contact to send the fork's INVITE to, over UDP unless the configuration listens on none. */
    static Registrations.Binding binding(TenantId tenant, String uri) {
        return new Registrations.Binding(tenant, uri, uri, 0, "final destination", "udp", "", 0);
    }

    /**
     * Whether {@code uri} is this server's own SIP listening point: its port (5060 if none) is ours and its host is our
     * advertised or bind address, or a loopback name while we listen on every or a loopback address. Names are not
     * resolved (this runs on the SIP worker thread).
     */
    static boolean isOwnListeningPoint(SipURI uri, SipSettings settings) {
        int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT;
        if (port != settings.port()) {
            return false;
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT).replace("[", "").replace("]", "");
        if (host.equalsIgnoreCase(settings.advertisedAddress()) || host.equalsIgnoreCase(settings.bindAddress())) {
            return true;
        }
        String bind = settings.bindAddress();
        boolean bindsLoopback = bind.equals("0.0.0.0") || bind.equals("::") || bind.startsWith("127.")
                || bind.equals("::1") || bind.isEmpty();
        return bindsLoopback && (host.equals("localhost") || host.startsWith("127.") || host.equals("::1"));
    }
}
