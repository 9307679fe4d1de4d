package org.callpark.spi.auth;

import java.security.Principal;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user name and password checked against a JAAS realm (Karaf's {@code karaf} realm: {@code etc/users.properties} by
 * default, or the LDAP realm the administrator configured), for every HTTP login of ours (the web/REST API, the
 * metrics endpoint). Roles are the subject's {@code org.apache.karaf.jaas.boot.principal.RolePrincipal}s (groups
 * already expanded), compared by class name so that no bundle of ours needs Karaf's JAAS classes. Nothing is cached:
 * every login asks the realm. Passwords are never logged. Failures are not counted here: pair it with a
 * {@link FailureLimiter}.
 */
public final class JaasRealm {

    /** The class of Karaf's role principals. */
    public static final String ROLE_PRINCIPAL = "org.apache.karaf.jaas.boot.principal.RolePrincipal";
    private static final Logger LOG = LoggerFactory.getLogger(JaasRealm.class);

    private final String realm;

    /** @param realm the JAAS realm's name, e.g. {@code karaf} */
    public JaasRealm(String realm) {
        this.realm = Objects.requireNonNull(realm, "realm");
    }

    /** The realm's name. */
    public String name() {
        return realm;
    }

    /**
     * @return the user's roles, sorted; empty for an unknown user, a wrong password or no credentials at all
     */
    public Optional<Set<String>> login(String user, char[] password) {
        if (user == null || user.isEmpty() || password == null) {
            return Optional.empty();
        }
        Subject subject = new Subject();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // The realm's login module (Karaf's ProxyLoginModule, boot-delegated) is loaded by the context class loader.
        thread.setContextClassLoader(JaasRealm.class.getClassLoader());
        try {
            LoginContext context = new LoginContext(realm, subject, callbacks -> {
                for (Callback callback : callbacks) {
                    if (callback instanceof NameCallback name) {
                        name.setName(user);
                    } else if (callback instanceof PasswordCallback pw) {
                        pw.setPassword(password.clone());
                    } else {
                        throw new UnsupportedCallbackException(callback);
                    }
                }
            });
            context.login();
            Set<String> roles = new TreeSet<>();
            for (Principal p : subject.getPrincipals()) {
                if (ROLE_PRINCIPAL.equals(p.getClass().getName())) {
                    roles.add(p.getName());
                }
            }
            try {
                context.logout();
            } catch (LoginException e) {
                LOG.debug("JAAS logout of '{}' failed: {}", user, e.getMessage());
            }
            return Optional.of(roles);
        } catch (LoginException e) {
            LOG.debug("Login of '{}' to realm '{}' refused: {}", user, realm, e.getMessage());
            return Optional.empty();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
