package org.callpark.internal.xmpp;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the XMPP entry point (PID {@code org.callpark.xmpp}): where the park component connects as an
 * external component (XEP-0114). Every attribute can be overridden by a system property
 * {@code callpark.xmpp.<attribute>} or, if that is not set, an environment variable {@code CALLPARK_XMPP_<ATTRIBUTE>}
 * (upper snake case, e.g. {@code CALLPARK_XMPP_SECRET}); both win over the configuration. See {@link XmppSettings}.
 */
@ObjectClassDefinition(name = "Call Park XMPP component",
        description = "Park slots as XMPP contacts (<ext>@park.<domain>): presence, headline pop-ups, pickup from chat."
                + " Connects to the XMPP server as an external component (XEP-0114).")
public @interface XmppConfig {

    @AttributeDefinition(name = "Enabled",
            description = "Whether to connect to the XMPP server at all. Default: true.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Host",
            description = "Host name or IP address of the XMPP server's component port. Default: 127.0.0.1.")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port",
            description = "The XMPP server's external component port: Openfire 5275, Prosody 5347, ejabberd as"
                    + " configured. Default: 5275.")
    int port() default 5275;

    @AttributeDefinition(name = "Domain",
            description = "The XMPP server's domain; slot JIDs are <ext>@<subdomain>.<domain>. Default: example.com"
                    + " (the demo directory's).")
    String domain() default "example.com";

    @AttributeDefinition(name = "Subdomain",
            description = "The component's subdomain, the first label of the slot JIDs' domain. Default: park.")
    String subdomain() default "park";

    @AttributeDefinition(name = "Secret", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
            description = "The shared secret of the component handshake, as configured on the XMPP server."
                    + " Default: the demo secret callpark-demo-secret (change it).")
    String secret() default "callpark-demo-secret";

    @AttributeDefinition(name = "Ping interval",
            description = "Seconds between XMPP pings to the server; a ping unanswered for 10 s (or the interval, if"
                    + " shorter) counts as a lost connection and starts reconnecting. Default: 30.")
    int pingIntervalSeconds() default 30;
}
