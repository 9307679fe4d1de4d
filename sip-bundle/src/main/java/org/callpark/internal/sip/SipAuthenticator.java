package org.callpark.internal.sip;

import java.text.ParseException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.Tenant;
import org.callpark.spi.auth.FailureLimiter;

import com.hazelcast.core.HazelcastInstance;

/**
 * Who sends a request that must be authenticated (a retrieve, REGISTER, SUBSCRIBE): from a trusted proxy its
 * P-Asserted-Identity (else From), otherwise the user of digest credentials (RFC 3261 §22, {@link DigestAuth}) checked
 * against the tenant's users in the tenant's realm. One copy of these rules for every handler, so that a phone is
 * challenged, refused and trusted the same way whether it retrieves, registers or subscribes.
 * <p>
 * {@link #check} decides without sending anything (unit-testable without a stack); {@link #authenticate} sends the
 * 401 challenge or the 403 on the request's transaction.
 * <p>
 * Hardening (issue 14, docs/security/authentication.md): the digest {@code uri} must be the Request-URI (RFC 2617
 * §3.2.2.5; else 400, so credentials captured for {@code *88104} do not retrieve {@code *88105}); failures lock the
 * source address and the user out for a while ({@link FailureLimiter}, 503 with Retry-After, logged for fail2ban); a
 * REGISTER must raise its nonce's count ({@link NonceCounts}, else a fresh {@code stale=true} challenge, so a replayed
 * REGISTER adds no Contact); nonces are signed with the cluster's secret ({@link NonceSecrets}).
 */
final class SipAuthenticator {

    private final SipMessages messages;
    private final CoreAccess core;
    private final DigestAuth auth;
    private final FailureLimiter failures;
    private final NonceCounts counts;

    /** Nonce secrets and counts of this node alone (tests without a cluster). */
    SipAuthenticator(SipMessages messages, CoreAccess core, Clock clock) {
        this(messages, core, clock, () -> null);
    }

    /** @param hazelcast the member whose maps hold the nonce secrets and counts; a supplier of null: this node's own */
    SipAuthenticator(SipMessages messages, CoreAccess core, Clock clock, Supplier<HazelcastInstance> hazelcast) {
        this.messages = messages;
        this.core = core;
        this.auth = new DigestAuth(clock, new NonceSecrets(hazelcast));
        this.failures = new FailureLimiter("sip", clock);
        this.counts = new NonceCounts(hazelcast);
    }

    /** What {@link #check} decided: the authenticated user, or the response that challenges or refuses. */
    record Outcome(Optional<String> user, Response refusal) {

        static Outcome of(String user) {
            return new Outcome(Optional.of(user), null);
        }

        static Outcome refused(Response refusal) {
            return new Outcome(Optional.empty(), refusal);
        }
    }

    /**
     * Authenticates the request and, if that fails, sends the 401 challenge or the 403 itself.
     *
     * @return the requester's extension, or empty if challenged or refused
     */
    Optional<String> authenticate(Request request, ServerTransaction st, Tenant tenant) throws Exception {
        Outcome outcome = check(request, tenant);
        if (outcome.refusal() != null) {
            st.sendResponse(outcome.refusal());
        }
        return outcome.user();
    }

    /** Decides who sent {@code request} for {@code tenant}, or which response refuses it. Sends nothing. */
    Outcome check(Request request, Tenant tenant) throws ParseException, InvalidArgumentException {
        if (messages.settings().trusted(SipMessages.sourceIp(request))) {
            String user = SipMessages.userOf(messages.headerAddress(request, "P-Asserted-Identity")
                    .orElse(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress()));
            if (user == null || user.isBlank()) {
                return Outcome.refused(messages.response(request, 403, "the trusted proxy asserted no identity"));
            }
            return Outcome.of(user);
        }
        String realm = tenant.digestRealm();
        String source = SipMessages.sourceIp(request);
        FailureLimiter.Limits limits = messages.settings().authLimits();
        long wait = failures.sourceLocked(source, limits);
        if (wait > 0) {
            return Outcome.refused(locked(request, wait, "this address"));
        }
        Header authorization = request.getHeader("Authorization");
        if (authorization == null) {
            return Outcome.refused(challenge(request, realm, false));
        }
        Map<String, String> credentials = DigestAuth.parseCredentials(SipMessages.valueOf(authorization));
        String username = credentials.getOrDefault("username", "");
        wait = failures.userLocked(realm, username, limits);
        if (wait > 0) {
            return Outcome.refused(locked(request, wait, "'" + username + "'"));
        }
        if (!uriMatches(credentials.get("uri"), request)) {
            failures.failed(source, username, realm, "uri-mismatch", limits);
            return Outcome.refused(messages.response(request, 400, "Digest uri mismatch"));
        }
        Optional<String> ha1 = core.currentDirectory().user(tenant.id(), username).map(u -> u.ha1For(realm));
        return switch (auth.verify(credentials, request.getMethod(), realm, ha1)) {
            case OK -> fresh(request, credentials) ? Outcome.of(username) : replayed(request, source, username, realm);
            case STALE -> Outcome.refused(challenge(request, realm, true));
            case FOREIGN_NONCE -> Outcome.refused(challenge(request, realm, false));
            case WRONG -> {
                failures.failed(source, username, realm, ha1.isPresent() ? "bad-password"
                        : "unknown-user", limits);
                yield Outcome.refused(messages.response(request, 403,
                        "wrong credentials for '" + username + "' in realm " + realm));
            }
        };
    }

    /**
     * Whether the digest {@code uri} names the Request-URI (RFC 3261 §19.1.4 comparison of the stack's URI objects;
     * exact text for other schemes). Without it a response captured for one request authorises another.
     */
    boolean uriMatches(String digestUri, Request request) {
        if (digestUri == null || digestUri.isEmpty()) {
            return false;
        }
        javax.sip.address.URI target = request.getRequestURI();
        try {
            javax.sip.address.URI given = messages.addresses().createURI(digestUri);
            return given.equals(target) || digestUri.equals(target.toString());
        } catch (ParseException e) {
            return digestUri.equals(target.toString());
        }
    }

    /** A REGISTER must raise its nonce's count (RFC 2617 {@code nc}); other methods are not tracked. */
    private boolean fresh(Request request, Map<String, String> credentials) {
        if (!Request.REGISTER.equals(request.getMethod())) {
            return true;
        }
        long nc;
        try {
            nc = credentials.get("qop") == null ? 1 : Long.parseLong(credentials.getOrDefault("nc", ""), 16);
        } catch (NumberFormatException e) {
            return false;
        }
        return nc > 0 && counts.advance(credentials.getOrDefault("username", ""), credentials.get("nonce"), nc);
    }

    /** A REGISTER reusing a nonce's count: logged, answered with a new challenge (a real phone just answers it). */
    private Outcome replayed(Request request, String source, String username, String realm)
            throws ParseException, InvalidArgumentException {
        // logged for fail2ban but counted against nobody: a phone's glitch looks alike
        failures.failed(source, username, realm, "replay", FailureLimiter.Limits.LOG_ONLY);
        return Outcome.refused(challenge(request, realm, true));
    }

    private Response locked(Request request, long seconds, String who) throws ParseException,
            InvalidArgumentException {
        Response r = messages.response(request, 503, "too many authentication failures for " + who + ", retry in "
                + seconds + " s");
        r.setHeader(messages.headers().createRetryAfterHeader((int) Math.min(Integer.MAX_VALUE, seconds)));
        return r;
    }

    /** The user of valid digest credentials on a request we did not challenge (a park), or empty. */
    Optional<String> digestUser(Request request, Tenant tenant) {
        Header authorization = request.getHeader("Authorization");
        if (authorization == null) {
            return Optional.empty();
        }
        Map<String, String> credentials = DigestAuth.parseCredentials(SipMessages.valueOf(authorization));
        String username = credentials.getOrDefault("username", "");
        if (!uriMatches(credentials.get("uri"), request)) {
            return Optional.empty();
        }
        String realm = tenant.digestRealm();
        Optional<String> ha1 = core.currentDirectory().user(tenant.id(), username).map(u -> u.ha1For(realm));
        return auth.verify(credentials, request.getMethod(), realm, ha1)
                == DigestAuth.Verdict.OK ? Optional.of(username) : Optional.empty();
    }

    private Response challenge(Request request, String realm, boolean stale)
            throws ParseException, InvalidArgumentException {
        Response r = messages.response(request, 401, null);
        r.setHeader(messages.headers().createHeader("WWW-Authenticate", auth.challenge(realm, stale)));
        return r;
    }
}
