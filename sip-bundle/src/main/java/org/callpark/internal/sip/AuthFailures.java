package org.callpark.internal.sip;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.callpark.internal.sip.SipSettings.AuthLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brute-force protection of digest authentication (issue 14 R3): failures counted per source address and per user in
 * sliding windows ({@link AuthLimits}). After {@code sourceMax} failures from one address within {@code sourceWindow},
 * that address is locked until the oldest of them leaves the window; after {@code userMax} failures for one user
 * within {@code userWindow}, <em>coming from at least two addresses</em>, that user is locked from everywhere. While
 * locked, requests are answered without checking any password, so the right one does not work either.
 * <p>
 * Why two addresses: one address must not be able to lock a user out on its own — from one address only the
 * per-source limit applies (it kicks in first, whatever the numbers). An attacker who controls several addresses (or
 * spoofs UDP sources) can still lock a user out for {@code userWindow}; that is the price of stopping a distributed
 * guess. Locked requests are not counted, so a lock ends when the window has passed.
 * <p>
 * Every failure is logged at INFO in one stable line for fail2ban ({@code docs/fail2ban/callpark.conf}):
 * {@value #FORMAT}. User and realm are reduced to safe characters so a crafted username cannot forge a line. Counts are
 * per node (not shared by the cluster): with n nodes an attacker gets n times the attempts.
 */
final class AuthFailures {

    private static final Logger LOG = LoggerFactory.getLogger(AuthFailures.class);

    /** The failure line; fail2ban's filter matches it. */
    static final String FORMAT = "callpark auth failure: service={} source={} user={} realm={} reason={}";

    private static final int SWEEP_ABOVE = 10_000;

    private record Failure(long at, String source) {
    }

    private final Clock clock;
    private final Map<String, Deque<Failure>> bySource = new ConcurrentHashMap<>();
    private final Map<String, Deque<Failure>> byUser = new ConcurrentHashMap<>();

    AuthFailures(Clock clock) {
        this.clock = clock;
    }

    /** Seconds until {@code source} may try again, 0 if it is not locked. */
    long sourceLocked(String source, AuthLimits limits) {
        return locked(bySource.get(String.valueOf(source)), limits.sourceMax(), limits.sourceWindow().toMillis(),
                false);
    }

    /** Seconds until {@code user} of {@code realm} may try again, 0 if it is not locked. */
    long userLocked(String realm, String user, AuthLimits limits) {
        return locked(byUser.get(realm + "\n" + user), limits.userMax(), limits.userWindow().toMillis(), true);
    }

    /** Counts and logs a failure. */
    void failed(String service, String source, String user, String realm, String reason, AuthLimits limits) {
        LOG.info(FORMAT, service, safe(source), safe(user), safe(realm), reason);
        long now = clock.millis();
        Failure f = new Failure(now, String.valueOf(source));
        add(bySource, f.source(), f, limits.sourceMax(), limits.sourceWindow().toMillis());
        add(byUser, realm + "\n" + user, f, limits.userMax(), limits.userWindow().toMillis());
    }

    /** {@code value} with every character outside {@code [A-Za-z0-9.:_@+*#-]} replaced by '?', at most 64 long. */
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
            if (failures.size() < max) {
                return 0;
            }
            if (twoSources && failures.stream().map(Failure::source).distinct().count() < 2) {
                return 0;
            }
            // locked until so many leave the window that fewer than max remain: the (size - max + 1)-th oldest
            long until = failures.stream().skip(failures.size() - max).findFirst().orElseThrow().at() + window;
            return Math.max(1, (until - now + 999) / 1000);
        }
    }

    private void add(Map<String, Deque<Failure>> counts, String key, Failure f, int max, long window) {
        if (max <= 0) {
            return;
        }
        if (counts.size() > SWEEP_ABOVE) {
            sweep(counts, f.at(), window);
        }
        Deque<Failure> failures = counts.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (failures) {
            failures.removeIf(x -> x.at() <= f.at() - window);
            failures.addLast(f);
            while (failures.size() > 4 * max) {
                failures.removeFirst(); // bounded: enough to see max failures from two sources
            }
        }
    }

    private static void sweep(Map<String, Deque<Failure>> counts, long now, long window) {
        counts.values().removeIf(d -> {
            synchronized (d) {
                return d.isEmpty() || d.peekLast().at() <= now - window;
            }
        });
    }
}
