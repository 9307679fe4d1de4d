package org.callpark.ui.internal;

import java.util.Optional;

/** Checks a user name and password. */
@FunctionalInterface
public interface Authenticator {

    /**
     * @return the caller with its roles, or empty for an unknown user or a wrong password
     */
    Optional<Caller> login(String user, char[] password);
}
