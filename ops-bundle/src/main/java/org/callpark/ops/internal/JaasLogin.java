package org.callpark.ops.internal;

import java.security.Principal;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

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
 * Logs in against Karaf's JAAS realm {@code karaf} ({@code etc/users.properties} by default), as ui-bundle's
 * {@code JaasAuthenticator} does: roles are the subject's {@code RolePrincipal}s, compared by class name so that this
 * bundle needs no Karaf JAAS classes. Nothing is cached; passwords are never logged.
 */
final class JaasLogin implements MetricsServlet.Login {

    static final String ROLE_PRINCIPAL = "org.apache.karaf.jaas.boot.principal.RolePrincipal";
    private static final Logger LOG = LoggerFactory.getLogger(JaasLogin.class);

    private final String realm;

    JaasLogin(String realm) {
        this.realm = realm;
    }

    @Override
    public Optional<Set<String>> roles(String user, char[] password) {
        if (user == null || user.isEmpty() || password == null) {
            return Optional.empty();
        }
        Subject subject = new Subject();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // The realm's login module (Karaf's ProxyLoginModule) is loaded by the context class loader.
        thread.setContextClassLoader(JaasLogin.class.getClassLoader());
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
            Set<String> roles = new HashSet<>();
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
            LOG.debug("Metrics login of '{}' to realm '{}' refused: {}", user, realm, e.getMessage());
            return Optional.empty();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
