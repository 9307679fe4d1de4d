package org.callpark.internal.sip;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the SIP entry point (PID {@code org.callpark.sip}). Every attribute can be overridden by a system
 * property {@code callpark.sip.<attribute>} or, if that is not set, an environment variable
 * {@code CALLPARK_SIP_<ATTRIBUTE>} (upper snake case, e.g. {@code CALLPARK_SIP_BIND_ADDRESS}); both win over the
 * configuration. See {@link SipSettings}.
 */
@ObjectClassDefinition(name = "Call Park SIP server",
        description = "The SIP entry point: feature codes *68/*58 (park), *88 and park+ (retrieve), and the registrar.")
public @interface SipConfig {

    @AttributeDefinition(name = "Bind address",
            description = "The local address the SIP listening points bind to. Default: 127.0.0.1.")
    String bindAddress() default "127.0.0.1";

    @AttributeDefinition(name = "Advertised address",
            description = "The address put into Via/Contact and SDP (c=) when it differs from the bind address"
                    + " (NAT, container). Empty: the bind address. Default: empty.")
    String advertisedAddress() default "";

    @AttributeDefinition(name = "Port", description = "The SIP port for every transport. Default: 5060.")
    int port() default 5060;

    @AttributeDefinition(name = "Transports",
            description = "Comma-separated transports to listen on: udp, tcp. Default: udp,tcp.")
    String transports() default "udp,tcp";

    @AttributeDefinition(name = "Trusted proxies",
            description = "Comma-separated IP addresses of proxies (PBX, Kamailio) whose P-Asserted-Identity is"
                    + " believed and whose requests need no digest authentication. Default: none.")
    String trustedProxies() default "";

    @AttributeDefinition(name = "Outbound proxy",
            description = "host:port of the proxy that requests this server originates (recalls) are sent through."
                    + " Empty: none, requests go straight to the registered contact. Default: empty.")
    String outboundProxy() default "";

    @AttributeDefinition(name = "Recall Alert-Info",
            description = "The Alert-Info header value on recall INVITEs, for a distinctive ring. The RFC 7462 URN"
                    + " (default) lets phones that map URNs pick a tone; for phones that match a ring class instead use"
                    + " e.g. <http://127.0.0.1>;info=Bellcore-dr3 (Yealink, Cisco) or <http://127.0.0.1>;info=Ring3."
                    + " Empty: no Alert-Info. Default: <urn:alert:service:recall:transfer>.")
    String recallAlertInfo() default "<urn:alert:service:recall:transfer>";

    /**
     * Removed: the realm is the directory's {@code tenant.<t>.realm} (the HA1 the cluster carries is computed with
     * it). Still read only so that a configuration that sets it is rejected with a message saying where it went,
     * instead of being ignored.
     */
    @AttributeDefinition(name = "Realm (removed)",
            description = "Removed: set tenant.<t>.realm in the directory (etc/org.callpark.directory.cfg) instead."
                    + " A SIP configuration that sets it is rejected.")
    String realm() default "";

    @AttributeDefinition(name = "BLF subscription minimum expiry",
            description = "The shortest subscription (seconds) a BLF SUBSCRIBE may ask for; shorter ones are answered"
                    + " 423 Interval Too Brief with Min-Expires. Default: 60.")
    int subscribeMinExpires() default 60;

    @AttributeDefinition(name = "BLF subscription maximum expiry",
            description = "The longest subscription (seconds) granted; a longer Expires is shortened to it."
                    + " Default: 3600.")
    int subscribeMaxExpires() default 3600;

    @AttributeDefinition(name = "BLF subscription default expiry",
            description = "The subscription length (seconds) granted to a SUBSCRIBE without Expires. Default: 600.")
    int subscribeDefaultExpires() default 600;

    @AttributeDefinition(name = "Authentication failures per source",
            description = "Digest failures (wrong password, unknown user, digest uri not the Request-URI) from one"
                    + " source address within the source window after which that address is answered 503 with"
                    + " Retry-After, without checking, until the window has passed. 0: no limit. Default: 10.")
    int authSourceMaxFailures() default 10;

    @AttributeDefinition(name = "Authentication source window",
            description = "The sliding window (seconds) of the per-source failure count. Default: 60.")
    int authSourceWindowSeconds() default 60;

    @AttributeDefinition(name = "Authentication failures per user",
            description = "Digest failures for one user, from at least two source addresses, within the user window"
                    + " after which that user is answered 503 with Retry-After from everywhere (the right password"
                    + " included) until the window has passed. 0: no limit. Default: 5.")
    int authUserMaxFailures() default 5;

    @AttributeDefinition(name = "Authentication user window",
            description = "The sliding window (seconds) of the per-user failure count. Default: 300.")
    int authUserWindowSeconds() default 300;
    @AttributeDefinition(name = "Parks in progress per source",
            description = "How many park INVITEs from one source IP may be answered and not yet acknowledged (ACK) at"
                    + " once; more are refused 503 with Retry-After. Bounds what an unauthenticated sender can make the"
                    + " server hold open (a media port and a parked call each). Trusted proxies are not limited."
                    + " Default: 20.")
    int parksInProgressPerSource() default 20;

    @AttributeDefinition(name = "Session interval",
            description = "RFC 4028: the session interval (seconds) offered to a parked caller that asked for none;"
                    + " a caller that supports timers refreshes (re-INVITE/UPDATE) within it, else it is hung up; for"
                    + " a caller without timer support (or one asking refresher=uas) this server refreshes at half"
                    + " the interval and hangs up when the refresh fails. 0: only callers that ask get timers."
                    + " Default: 1800.")
    int sessionExpires() default 1800;

    @AttributeDefinition(name = "Minimum session interval",
            description = "RFC 4028 Min-SE: a parked caller's Session-Expires below it is answered 422. Default: 90"
                    + " (the RFC's minimum; lower only for tests).")
    int minSessionExpires() default 90;
    @AttributeDefinition(name = "TCP request timeout",
            description = "Seconds a TCP connection may take to deliver a complete SIP message, counted from its"
                    + " opening and from the first byte of each further message; a slower connection (opened and left"
                    + " idle, or trickling bytes) is closed. Between messages a connection stays open. 1..300."
                    + " Default: 30.")
    int tcpIdleTimeout() default 30;

    @AttributeDefinition(name = "TCP connection limit",
            description = "The most TCP connections accepted at once; a connection beyond it is closed at once."
                    + " 1..100000. Default: 1000.")
    int tcpMaxConnections() default 1000;

    @AttributeDefinition(name = "Announce the parked slot",
            description = "A parker's own call to the park code (*68, *68<ext>, *58: the consult call of a phone's"
                    + " attended transfer to the park code) is answered after digest authentication with \"Your call"
                    + " will be parked on <digits>\" and kept up (silent) for at most announceWaitSeconds; the"
                    + " transfer (the customer's INVITE with Replaces naming that call) parks the customer there."
                    + " Off: such a call is parked itself, as before. Default: false.")
    boolean announceParkedSlot() default false;

    @AttributeDefinition(name = "Announcement wait",
            description = "With announceParkedSlot: how long (seconds) a consult call to the park code is kept up"
                    + " waiting for the transfer; then it is hung up and nothing is parked. 1..300. Default: 30.")
    int announceWaitSeconds() default 30;

    @AttributeDefinition(name = "Transfer numbers",
            description = "Numbers outside the directory that a user in a picked-up call may blind-transfer the other"
                    + " party to (in-call REFER), as a Java regular expression matched against the whole user part"
                    + " of the Refer-To URI, e.g. \\+?[0-9]{5,15}. The party is parked on the referrer's slot with"
                    + " music and the number is called through the outbound proxy (required: the PBX or trunk that"
                    + " reaches it); not answered, it stays parked and is recalled as usual. Empty (default): only"
                    + " extensions and park codes, nothing outside is dialled.")
    String transferNumbers() default "";

    @AttributeDefinition(name = "User agent",
            description = "The User-Agent and Server header value. Default: CallPark.")
    String userAgent() default "CallPark";
}
