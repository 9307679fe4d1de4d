package org.callpark.api;

import java.util.Objects;

/**
 * A user of a tenant, known by extension.
 *
 * @param tenant      the tenant
 * @param extension   the extension number (digits)
 * @param displayName the name shown to people
 * @param sipPassword the SIP digest password (never shown)
 * @param jid         the user's XMPP address, or empty
 */
public record User(TenantId tenant, String extension, String displayName, String sipPassword, String jid) {

    public User {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(extension, "extension");
        displayName = displayName == null ? "" : displayName;
        sipPassword = sipPassword == null ? "" : sipPassword;
        jid = jid == null ? "" : jid;
    }

    @Override
    public String toString() {
        // Never print the password.
        return "User[" + tenant + "/" + extension + " " + displayName + "]";
    }
}
