package org.callpark.spi.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed logins counted per source address and per user in sliding windows (issue 14 R3). After
 * {@link Limits#sourceMax()} failures from one address within {@link Limits#sourceWindow()} that address, after
 * {@link Limits#userMax()} failures for one user within {@link Limits#userWindow()} <em>coming from at least two
 * addresses</em> that user, is locked: the service answers without checking any password, so the right one does not
 * work either, until the oldest counted failure leaves its window. Locked attempts are not counted.
 * <p>
 * Why two addresses: one address must not be able to lock a user (an administrator) out on its own; from one address
 * only the per-source limit applies, and it always kicks in first. An attacker with several addresses (or spoofed UDP
 * sources) can still lock a user out for the user window: the price of stopping a distributed guess.
 * <p>
 * Every failure is logged at INFO in one stable line that {@code docs/fail2ban/callpark.conf} matches: {@value #FORMAT}.
 * Source, user and realm are reduced to safe characters ({@link #safe}) so a crafted user name cannot forge a line.
 * Counts live in this object, per node: with n nodes an attacker gets n times the attempts. Memory is bounded: at most
 * {@code 4 × max} failures per key, and keys whose failures all left the window are swept once there are more than
 * {@value #SWEEP_ABOVE}.
 */
public final class FailureLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(FailureLimiter.class);

    /** The failure line; fail2ban's filter matches it. Change it only together with docs/fail2ban/callpark.conf. */
    public static final String FORMAT = "callpark auth failure: service={} source={} user={} realm={} reason={}";

    private static final int SWEEP_ABOVE = 10_000;
    private static final String SAFE_PUNCTUATION = ".:_@+*#-";

    /**
     * The limits; a maximum of 0 turns that count off.
     *
     * @param sourceMax    failures per source address before it is locked
     * @param sourceWindow the per-source window, at least one second
     * @param userMax      failures per user (from at least two sources) before the user is locked
     * @param userWindow   the per-user window, at least one second
     */
    public record Limits(int sourceMax, Duration sourceWindow, int userMax, Duration userWindow) {

        /** Counts nothing: for failures that are logged for fail2ban but must not lock anybody. */
        public static final Limits LOG_ONLY = new Limits(0, Duration.ofSeconds(1), 0, Duration.ofSeconds(1));

        public Limits {
            Objects.requireNonNull(sourceWindow, "sourceWindow");
            Objects.requireNonNull(userWindow, "userWindow");
            if (sourceMax < 0 || userMax < 0) {
                throw new IllegalArgumentException("failure maximums must be 0 (off) or more");
            }
            if (sourceWindow.compareTo(Duration.ofSeconds(1)) < 0 || userWindow.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("failure windows must be at least one second");
            }
        }
    }

    private record Failure(long at, String source) {
    }

    private final String service;
    private final Clock clock;
    private final Map<String, Deque<Failure>> bySource = new ConcurrentHashMap<>();
    private final Map<String, Deque<Failure>> byUser = new ConcurrentHashMap<>();

    /**
     * @param service what the log line names as {@code service=} ({@code sip}, {@code rest}, {@code metrics})
     * @param clock   the time source of the windows
     */
    public FailureLimiter(String service, Clock clock) {
        this.service = Objects.requireNonNull(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Seconds until {@code source} may try again, 0 if it is not locked. */
    public long sourceLocked(String source, Limits limits) {
        return locked(bySource.get(String.valueOf(source)), limits.sourceMax(), limits.sourceWindow().toMillis(),
                false);
    }

    /** Seconds until {@code user} of {@code realm} may try again, 0 if it is not locked. */
    public long userLocked(String realm, String user, Limits limits) {
        return locked(byUser.get(userKey(realm, user)), limits.userMax(), limits.userWindow().toMillis(), true);
    }

    /** Seconds until this source or this user may try again (the longer of the two), 0 if neither is locked. */
    public long locked(String source, String realm, String user, Limits limits) {
        return Math.max(sourceLocked(source, limits), userLocked(realm, user, limits));
    }

    /** Logs one failure in the fail2ban line and counts it against the source and the user. */
    public void failed(String source, String user, String realm, String reason, Limits limits) {
        LOG.info(FORMAT, service, safe(source), safe(user), safe(realm), safe(reason));
        Failure f = new Failure(clock.millis(), String.valueOf(source));
        add(bySource, f.source(), f, limits.sourceMax(), limits.sourceWindow().toMillis());
        add(byUser, userKey(realm, user), f, limits.userMax(), limits.userWindow().toMillis());
    }

    /** {@code value} with every character outside {@code [A-Za-z0-9.:_@+*#-]} replaced by '?', at most 64 long. */
    public static String safe(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), 64));
        for (int i = 0; i < value.length() && i < 64; i++) {
            char c = value.charAt(i);
            b.append(c < 128 && (Character.isLetterOrDigit(c) || SAFE_PUNCTUATION.indexOf(c) >= 0) ? c : '?');
        }
        return b.toString();
    }

    private static String userKey(String realm, String user) {
        return realm + "\n" + user;
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
            // locked until so many leave the window that fewer than max remain: the (size - max + 1)-th oldest
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
                failures.removeFirst(); // bounded: enough to see max failures from two sources
            }
        }
    }
}
