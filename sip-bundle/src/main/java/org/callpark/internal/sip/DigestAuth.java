package org.callpark.internal.sip;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 2617 digest authentication (MD5, {@code qop=auth}; RFC 2069 responses without qop are accepted too) with
 * stateless nonces: {@code <issued-millis hex>.<HMAC-SHA256(secret, issued:realm)>}. A nonce is valid for
 * {@link #NONCE_LIFETIME} in the realm it was issued for; an expired one is answered with a fresh challenge marked
 * {@code stale=true}. The secret is random per activation, so a restart invalidates outstanding nonces (the phone just
 * gets a new challenge). Replays within the lifetime are not detected (no nonce-count state) — the price of
 * statelessness across a cluster.
 */
final class DigestAuth {

    static final Duration NONCE_LIFETIME = Duration.ofMinutes(5);

    /** The outcome of checking an Authorization header. */
    enum Verdict {
        /** The response matches the user's HA1. */
        OK,
        /** Well-formed and ours, but the nonce expired: challenge again with {@code stale=true}. */
        STALE,
        /** A nonce we did not issue for this realm: challenge again. */
        FOREIGN_NONCE,
        /** The response does not match (wrong password) or the user is unknown. */
        WRONG
    }

    private final NonceSecrets secrets;
    private final Clock clock;

    /** With secrets of this node alone (tests). */
    DigestAuth(Clock clock) {
        this(clock, new NonceSecrets(() -> null));
    }

    DigestAuth(Clock clock, NonceSecrets secrets) {
        this.clock = clock;
        this.secrets = secrets;
    }

    /** A {@code WWW-Authenticate} value for {@code realm}. */
    String challenge(String realm, boolean stale) {
        return "Digest realm=\"" + realm + "\", nonce=\"" + nonce(realm) + "\", algorithm=MD5, qop=\"auth\""
                + (stale ? ", stale=true" : "");
    }

    String nonce(String realm) {
        long now = clock.millis();
        String issued = Long.toHexString(now);
        return issued + "." + mac(secrets.forIssuing(now), issued + ":" + realm);
    }

    /**
     * Checks a digest response.
     *
     * @param params   the Authorization header's parameters (lower-case names, unquoted values)
     * @param method   the request's method
     * @param realm    the realm we expect
     * @param ha1      the user's HA1 in {@code realm} (MD5(user:realm:password), {@code User.ha1For}), empty if the
     *                 user is unknown: the server needs no password, so a node that only has the HA1 authenticates
     */
    Verdict verify(Map<String, String> params, String method, String realm, Optional<String> ha1) {
        String nonce = params.getOrDefault("nonce", "");
        if (!realm.equals(params.get("realm"))) {
            return Verdict.FOREIGN_NONCE;
        }
        int dot = nonce.indexOf('.');
        if (dot <= 0) {
            return Verdict.FOREIGN_NONCE;
        }
        String issued = nonce.substring(0, dot);
        long issuedAt;
        try {
            issuedAt = Long.parseLong(issued, 16);
        } catch (NumberFormatException e) {
            return Verdict.FOREIGN_NONCE;
        }
        if (!signed(issuedAt, issued + ":" + realm, nonce.substring(dot + 1))) {
            return Verdict.FOREIGN_NONCE;
        }
        String algorithm = params.getOrDefault("algorithm", "MD5");
        if (!algorithm.equalsIgnoreCase("MD5")) {
            return Verdict.FOREIGN_NONCE;
        }
        if (ha1.isEmpty() || ha1.get().isEmpty()) {
            return Verdict.WRONG;
        }
        String ha2 = md5(method + ":" + params.getOrDefault("uri", ""));
        String qop = params.get("qop");
        String expected;
        if (qop == null) {
            expected = md5(ha1.get() + ":" + nonce + ":" + ha2);
        } else if (qop.equalsIgnoreCase("auth")) {
            expected = md5(ha1.get() + ":" + nonce + ":" + params.getOrDefault("nc", "") + ":"
                    + params.getOrDefault("cnonce", "") + ":auth:" + ha2);
        } else {
            return Verdict.WRONG;
        }
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                params.getOrDefault("response", "").toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.WRONG;
        }
        long age = clock.millis() - issuedAt;
        return age < 0 || age > NONCE_LIFETIME.toMillis() ? Verdict.STALE : Verdict.OK;
    }

    /**
     * Parses the parameters of a {@code Digest} credentials value ({@code Digest username="102", realm=...}), names in
     * lower case. Quoted values may contain commas and escaped quotes.
     */
    static Map<String, String> parseCredentials(String value) {
        java.util.HashMap<String, String> params = new java.util.HashMap<>();
        String s = value.trim();
        if (s.regionMatches(true, 0, "Digest", 0, 6)) {
            s = s.substring(6);
        }
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && (s.charAt(i) == ',' || Character.isWhitespace(s.charAt(i)))) {
                i++;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = s.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && s.charAt(i) == '"') {
                i++;
                while (i < n && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    v.append(s.charAt(i++));
                }
                i++;
            } else {
                while (i < n && s.charAt(i) != ',') {
                    v.append(s.charAt(i++));
                }
            }
            params.put(name, v.toString().trim());
        }
        return params;
    }

    /** Whether {@code mac} is the signature of {@code text} with the cluster's or this node's secret of its hour. */
    private boolean signed(long issuedAt, String text, String mac) {
        long hour = NonceSecrets.hourOf(issuedAt);
        long now = NonceSecrets.hourOf(clock.millis());
        if (hour > now || hour < now - 2) {
            return false; // no secret of that hour exists any more (or yet): do not even look
        }
        byte[] given = mac.getBytes(StandardCharsets.US_ASCII);
        for (Optional<byte[]> secret : List.of(secrets.clusterSecret(issuedAt), secrets.localSecret(issuedAt))) {
            if (secret.isPresent() && MessageDigest.isEqual(mac(secret.get(), text).getBytes(
                    StandardCharsets.US_ASCII), given)) {
                return true;
            }
        }
        return false;
    }

    private static String mac(byte[] secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] full = mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(full, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }
}
