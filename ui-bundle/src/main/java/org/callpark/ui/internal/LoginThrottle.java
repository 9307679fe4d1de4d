package org.callpark.ui.internal;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.callpark.spi.Overrides;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brute-force protection of the REST/web login (issue 14 R3), the same rules as SIP digest (sip-bundle
 * {@code AuthFailures}): failures counted per source address and per user in sliding windows; after
 * {@code sourceMax} failures from one address that address, after {@code userMax} failures for one user <em>from at
 * least two addresses</em> that user, is answered 429 with Retry-After without asking the realm — the right password
 * does not work either — until the window has passed. From one address only the per-source limit applies, so one
 * address cannot lock an administrator out. Per node.
 * <p>
 * Every failure is logged at INFO in the line fail2ban's filter ({@code docs/fail2ban/callpark.conf}) matches:
 * {@value #FORMAT}, realm {@code karaf}; the user name reduced to safe characters.
 */
final class LoginThrottle {

    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

    static final String FORMAT = "callpark auth failure: service={} source={} user={} realm={} reason={}";
    private static final int SWEEP_ABOVE = 10_000;

    /** The effective limits; 0 failures = off. */
    record Limits(int sourceMax, long sourceWindowMillis, int userMax, long userWindowMillis) {

        static Limits of(LoginConfig c, Function<String, String> sysprops, Function<String, String> env) {
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
            return new Limits(sourceMax, sourceWindow * 1000L, userMax, userWindow * 1000L);
        }
    }

    private record Failure(long at, String source) {
    }

    private final Clock clock;
    private volatile Limits limits;
    private final Map<String, Deque<Failure>> bySource = new ConcurrentHashMap<>();
    private final Map<String, Deque<Failure>> byUser = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock, Limits limits) {
        this.clock = clock;
        this.limits = limits;
    }

    void limits(Limits limits) {
        this.limits = limits;
    }

    /**
     * Logs {@code user} in through {@code authenticator} unless the source or the user is locked.
     *
     * @throws ApiException 429 (with the seconds to wait) while locked; 401 for a wrong user or password
     */
    Caller login(Authenticator authenticator, String source, String user, char[] password) throws ApiException {
        Limits l = limits;
        long wait = Math.max(locked(bySource.get(String.valueOf(source)), l.sourceMax(), l.sourceWindowMillis(),
                false), locked(byUser.get(String.valueOf(user)), l.userMax(), l.userWindowMillis(), true));
        if (wait > 0) {
            throw ApiException.tooManyFailures(wait);
        }
        Optional<Caller> caller = authenticator.login(user, password);
        if (caller.isPresent()) {
            return caller.get();
        }
        LOG.info(FORMAT, "rest", safe(source), safe(user), ApiServlet.REALM, "bad-password");
        Failure f = new Failure(clock.millis(), String.valueOf(source));
        add(bySource, f.source(), f, l.sourceMax(), l.sourceWindowMillis());
        add(byUser, String.valueOf(user), f, l.userMax(), l.userWindowMillis());
        throw ApiException.unauthenticated("wrong user name or password");
    }

    static String safe(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length() && i < 64; i++) {
            char c = value.charAt(i);
            b.append(c < 128 && (Character.isLetterOrDigit(c) || ".:_@+*#-".indexOf(c) >= 0) ? c : '?');
        }
        return b.toString();
    }

    private long locked(Deque<Failure> failures, int max, long window, boolean twoSources) {
        if (failures == null || max <= 0) {
            return 0;
        }
        long now = clock.millis();
        synchronized (failures) {
            failures.removeIf(f -> f.at() <= now - window);
            if (failures.size() < max
                    || twoSources && failures.stream().map(Failure::source).distinct().count() < 2) {
                return 0;
            }
            long until = failures.stream().skip(failures.size() - max).findFirst().orElseThrow().at() + window;
            return Math.max(1, (until - now + 999) / 1000);
        }
    }

    private static void add(Map<String, Deque<Failure>> counts, String key, Failure f, int max, long window) {
        if (max <= 0) {
            return;
        }
        if (counts.size() > SWEEP_ABOVE) {
            counts.values().removeIf(d -> {
                synchronized (d) {
                    return d.isEmpty() || d.peekLast().at() <= f.at() - window;
                }
            });
        }
        Deque<Failure> failures = counts.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (failures) {
            failures.removeIf(x -> x.at() <= f.at() - window);
            failures.addLast(f);
            while (failures.size() > 4 * max) {
                failures.removeFirst();
            }
        }
    }
}
