package org.callpark.ui.internal;

import java.util.Optional;

import org.callpark.spi.auth.JaasRealm;

/** The web/REST login: the api's {@link JaasRealm} (Karaf's {@code karaf} realm by default), its roles as a {@link Caller}. */
public final class JaasAuthenticator implements Authenticator {

    private final JaasRealm realm;

    public JaasAuthenticator(String realm) {
        this.realm = new JaasRealm(realm);
    }

    @Override
    public Optional<Caller> login(String user, char[] password) {
        return realm.login(user, password).map(roles -> new Caller(user, roles));
    }
}
