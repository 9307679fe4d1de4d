package org.callpark.ui.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in browser sessions, in memory on this node: a random 256-bit token (the cookie value) for a {@link Caller}.
 * A session ends at logout, after {@link #IDLE} without a request, or {@link #MAX_AGE} after login; nothing of it
 * outlives the bundle. Roles are those of the login: a changed role applies at the next login.
 */
public final class Sessions {

    public static final String COOKIE = "CALLPARK_SESSION";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration MAX_AGE = Duration.ofHours(12);

    private record Session(Caller caller, Instant created, Instant lastSeen) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;

    public Sessions(Clock clock) {
        this.clock = clock;
    }

    /** Starts a session; returns its token. */
    public String open(Caller caller) {
        purge();
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        sessions.put(token, new Session(caller, now, now));
        return token;
    }

    /** The caller of a live session, which counts as activity. */
    public Optional<Caller> find(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session s = sessions.computeIfPresent(token, (k, v) -> expired(v, now) ? null : new Session(v.caller, v.created, now));
        return s == null ? Optional.empty() : Optional.of(s.caller);
    }

    public void close(String token) {
        if (token != null) {
            sessions.remove(token);
        }
    }

    public void clear() {
        sessions.clear();
    }

    int size() {
        return sessions.size();
    }

    private void purge() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
    }

    private static boolean expired(Session s, Instant now) {
        return now.isAfter(s.lastSeen.plus(IDLE)) || now.isAfter(s.created.plus(MAX_AGE));
    }
}
