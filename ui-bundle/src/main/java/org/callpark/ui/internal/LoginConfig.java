package org.callpark.ui.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Brute-force limits of the REST/web login (PID {@code org.callpark.ui}; issue 14 R3, see {@link LoginThrottle}). Each
 * attribute can be overridden by {@code callpark.ui.<attribute>} or {@code CALLPARK_UI_<ATTRIBUTE>}.
 */
@ObjectClassDefinition(name = "Call Park web login limits",
        description = "Failed logins (POST /session, HTTP Basic) lock the source address and the user out for a while.")
public @interface LoginConfig {

    @AttributeDefinition(name = "Failures per source",
            description = "Failed logins from one address within the source window after which that address gets"
                    + " 429 with Retry-After, without checking, until the window has passed. 0: no limit. Default: 10.")
    int loginSourceMaxFailures() default 10;

    @AttributeDefinition(name = "Source window", description = "Seconds. Default: 60.")
    int loginSourceWindowSeconds() default 60;

    @AttributeDefinition(name = "Failures per user",
            description = "Failed logins for one user, from at least two addresses, within the user window after"
                    + " which that user gets 429 from everywhere (the right password too). 0: no limit. Default: 5.")
    int loginUserMaxFailures() default 5;

    @AttributeDefinition(name = "User window", description = "Seconds. Default: 300.")
    int loginUserWindowSeconds() default 300;
}
