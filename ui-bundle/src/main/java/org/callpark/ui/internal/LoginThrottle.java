package org.callpark.ui.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.callpark.spi.Overrides;
import org.callpark.spi.auth.FailureLimiter;

/**
 * Brute-force protection of the REST/web login (issue 14 R3): the api's {@link FailureLimiter}, the same rules and
 * fail2ban line as SIP digest (service {@code rest}, realm {@code karaf}). While the source address or the user is
 * locked the request is answered 429 with Retry-After without asking the realm — the right password does not work
 * either — until the window has passed. Per node.
 */
final class LoginThrottle {

    private final FailureLimiter failures;
    private volatile FailureLimiter.Limits limits;

    LoginThrottle(Clock clock, FailureLimiter.Limits limits) {
        this.failures = new FailureLimiter("rest", clock);
        this.limits = limits;
    }

    /** The limits of {@code c} with the {@code CALLPARK_UI_*} overrides; every invalid field named at once. */
    static FailureLimiter.Limits limits(LoginConfig c, Function<String, String> sysprops,
            Function<String, String> env) {
        List<String> invalid = new ArrayList<>();
        Overrides o = new Overrides("org.callpark.ui", sysprops, env);
        int sourceMax = o.integer("loginSourceMaxFailures", c.loginSourceMaxFailures(), invalid);
        int sourceWindow = o.integer("loginSourceWindowSeconds", c.loginSourceWindowSeconds(), invalid);
        int userMax = o.integer("loginUserMaxFailures", c.loginUserMaxFailures(), invalid);
        int userWindow = o.integer("loginUserWindowSeconds", c.loginUserWindowSeconds(), invalid);
        if (sourceMax < 0 || userMax < 0) {
            invalid.add("loginSourceMaxFailures/loginUserMaxFailures: must be 0 (off) or more");
        }
        if (sourceWindow < 1 || userWindow < 1) {
            invalid.add("loginSourceWindowSeconds/loginUserWindowSeconds: must be at least 1");
        }
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", invalid));
        }
        return new FailureLimiter.Limits(sourceMax, Duration.ofSeconds(sourceWindow), userMax,
                Duration.ofSeconds(userWindow));
    }

    void limits(FailureLimiter.Limits limits) {
        this.limits = limits;
    }

    /**
     * Logs {@code user} in through {@code authenticator} unless the source or the user is locked.
     *
     * @throws ApiException 429 (with the seconds to wait) while locked; 401 for a wrong user or password
     */
    Caller login(Authenticator authenticator, String source, String user, char[] password) throws ApiException {
        FailureLimiter.Limits l = limits;
        long wait = failures.locked(source, ApiServlet.REALM, user, l);
        if (wait > 0) {
            throw ApiException.tooManyFailures(wait);
        }
        Optional<Caller> caller = authenticator.login(user, password);
        if (caller.isPresent()) {
            return caller.get();
        }
        failures.failed(source, user, ApiServlet.REALM, "bad-password", l);
        throw ApiException.unauthenticated("wrong user name or password");
    }
}
