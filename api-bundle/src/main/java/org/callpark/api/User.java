package org.callpark.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A user of a tenant, known by extension.
 * <p>
 * The SIP secret is either the password an administrator typed, or only its digest {@code HA1}
 * (MD5(extension:realm:password), RFC 2617 §3.2.2.2) in the tenant's {@link Tenant#digestRealm() realm}: what the
 * other nodes and the Hazelcast maps get, so that no password leaves the node where it was typed.
 *
 * @param tenant      the tenant
 * @param extension   the extension number (digits)
 * @param displayName the name shown to people
 * @param sipPassword the SIP digest password (never shown), or empty if only the HA1 is known
 * @param jid         the user's XMPP address, or empty
 * @param ha1         the configured HA1 (32 lower-case hex digits; never shown), or empty if the password is known
 * @param login       the web user (the Karaf JAAS user name) linked to this extension, or empty: the board's "send to
 *                    me" rings this extension and its "for me" / "my group" filters follow it and its park group.
 *                    A login names at most one extension per tenant (the directory checks it).
 */
public record User(TenantId tenant, String extension, String displayName, String sipPassword, String jid, String ha1,
        String login) {

    /** A user linked to no web login. */
    public User(TenantId tenant, String extension, String displayName, String sipPassword, String jid, String ha1) {
        this(tenant, extension, displayName, sipPassword, jid, ha1, "");
    }

    /** A user known by password. */
    public User(TenantId tenant, String extension, String displayName, String sipPassword, String jid) {
        this(tenant, extension, displayName, sipPassword, jid, "");
    }

    public User {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(extension, "extension");
        displayName = displayName == null ? "" : displayName;
        sipPassword = sipPassword == null ? "" : sipPassword;
        jid = jid == null ? "" : jid;
        ha1 = ha1 == null ? "" : ha1.trim().toLowerCase(java.util.Locale.ROOT);
        login = login == null ? "" : login.trim();
    }

    /** Whether {@code user} (a web login) is linked to this extension; never for an empty name. */
    public boolean isLinkedTo(String user) {
        return !login.isEmpty() && login.equals(user);
    }

    /**
     * The HA1 of this user in {@code realm}: computed from the password if it is known, else the configured HA1 (which
     * is only right for the realm it was computed in); empty if neither is known.
     */
    public String ha1For(String realm) {
        if (!sipPassword.isEmpty()) {
            return ha1(extension, realm, sipPassword);
        }
        return ha1;
    }

    /** This user as it may leave this node: the password replaced by its HA1 in {@code realm}. */
    public User withHa1Only(String realm) {
        return new User(tenant, extension, displayName, "", jid, ha1For(realm), login);
    }

    /** MD5(user:realm:password) in lower-case hex. */
    public static String ha1(String user, String realm, String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(
                    (user + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    @Override
    public String toString() {
        // Never print the password or the HA1.
        return "User[" + tenant + "/" + extension + " " + displayName + "]";
    }
}
