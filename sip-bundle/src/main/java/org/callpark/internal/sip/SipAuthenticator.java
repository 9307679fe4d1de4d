package org.callpark.internal.sip;

import java.text.ParseException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.Tenant;
import org.callpark.api.User;

/**
 * Who sends a request that must be authenticated (a retrieve, REGISTER, SUBSCRIBE): from a trusted proxy its
 * P-Asserted-Identity (else From), otherwise the user of digest credentials (RFC 3261 §22, {@link DigestAuth}) checked
 * against the tenant's users in the tenant's realm. One copy of these rules for every handler, so that a phone is
 * challenged, refused and trusted the same way whether it retrieves, registers or subscribes.
 * <p>
 * {@link #check} decides without sending anything (unit-testable without a stack); {@link #authenticate} sends the
 * 401 challenge or the 403 on the request's transaction.
 */
final class SipAuthenticator {

    private final SipMessages messages;
    private final CoreAccess core;
    private final DigestAuth auth;

    SipAuthenticator(SipMessages messages, CoreAccess core, Clock clock) {
        this.messages = messages;
        this.core = core;
        this.auth = new DigestAuth(clock);
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
        String realm = realmFor(tenant, request);
        Header authorization = request.getHeader("Authorization");
        if (authorization == null) {
            return Outcome.refused(challenge(request, realm, false));
        }
        Map<String, String> credentials = DigestAuth.parseCredentials(SipMessages.valueOf(authorization));
        String username = credentials.getOrDefault("username", "");
        Optional<String> password = core.currentDirectory().user(tenant.id(), username).map(User::sipPassword);
        return switch (auth.verify(credentials, request.getMethod(), realm, password)) {
            case OK -> Outcome.of(username);
            case STALE -> Outcome.refused(challenge(request, realm, true));
            case FOREIGN_NONCE -> Outcome.refused(challenge(request, realm, false));
            case WRONG -> Outcome.refused(messages.response(request, 403,
                    "wrong credentials for '" + username + "' in realm " + realm));
        };
    }

    /** The user of valid digest credentials on a request we did not challenge (a park), or empty. */
    Optional<String> digestUser(Request request, Tenant tenant) {
        Header authorization = request.getHeader("Authorization");
        if (authorization == null) {
            return Optional.empty();
        }
        Map<String, String> credentials = DigestAuth.parseCredentials(SipMessages.valueOf(authorization));
        String username = credentials.getOrDefault("username", "");
        Optional<String> password = core.currentDirectory().user(tenant.id(), username).map(User::sipPassword);
        return auth.verify(credentials, request.getMethod(), realmFor(tenant, request), password)
                == DigestAuth.Verdict.OK ? Optional.of(username) : Optional.empty();
    }

    /** The configured realm, else the tenant's first domain, else the Request-URI's host. */
    String realmFor(Tenant tenant, Request request) {
        SipSettings settings = messages.settings();
        if (!settings.realm().isEmpty()) {
            return settings.realm();
        }
        return tenant.sipDomain().orElseGet(() -> SipMessages.requestHost(request));
    }

    private Response challenge(Request request, String realm, boolean stale)
            throws ParseException, InvalidArgumentException {
        Response r = messages.response(request, 401, null);
        r.setHeader(messages.headers().createHeader("WWW-Authenticate", auth.challenge(realm, stale)));
        return r;
    }
}
