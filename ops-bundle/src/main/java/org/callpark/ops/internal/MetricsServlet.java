package org.callpark.ops.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.callpark.spi.auth.FailureLimiter;
import org.callpark.spi.auth.JaasRealm;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /callpark/metrics}: every meter as Prometheus text 0.0.4, or OpenMetrics 1.0 when the {@code Accept}
 * header asks for it. HTTP Basic against the Karaf JAAS realm; the user needs one of the configured roles
 * ({@code callpark-admin}, {@code admin} or {@code callpark-metrics} by default). Optionally, requests from loopback
 * need no login ({@code metricsAnonymousFromLoopback}). No session, no cookie: a scraper sends its credentials every
 * time. Failed logins go through the api's {@link FailureLimiter} (service {@code metrics}: the fail2ban line, and 429
 * with Retry-After without checking while the source or the user is locked). docs/operations.md "Metrics".
 */
@Component(service = Servlet.class, configurationPid = OpsSettings.PID, property = {
        "osgi.http.whiteboard.servlet.pattern=/callpark/metrics",
        "osgi.http.whiteboard.servlet.name=callpark-metrics" })
public final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServlet.class);
    static final String REALM = "karaf";

    /** Checks a user name and password; the user's roles, or empty if refused. */
    @FunctionalInterface
    interface Login {
        Optional<Set<String>> roles(String user, char[] password);
    }

    private final transient OpsRegistry registry;
    private final transient Login login;
    private final transient FailureLimiter failures;
    private transient volatile OpsSettings settings;

    @Activate
    public MetricsServlet(@Reference OpsRegistry registry, OpsConfig config) {
        this(registry, new JaasRealm(REALM)::login, OpsSettings.of(config, System::getProperty, System::getenv));
    }

    MetricsServlet(OpsRegistry registry, Login login, OpsSettings settings) {
        this(registry, login, settings, Clock.systemUTC());
    }

    MetricsServlet(OpsRegistry registry, Login login, OpsSettings settings, Clock clock) {
        this.registry = registry;
        this.login = login;
        this.settings = settings;
        this.failures = new FailureLimiter("metrics", clock);
    }

    /** Roles and the loopback option apply to the next request. An invalid change is ignored with a warning. */
    @Modified
    void modified(OpsConfig config) {
        try {
            settings = OpsSettings.of(config, System::getProperty, System::getenv);
        } catch (IllegalArgumentException e) {
            LOG.warn("{} (the previous settings stay)", e.getMessage());
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        SecurityHeaders.apply(res);
        OpsSettings s = settings;
        if (!(s.anonymousFromLoopback() && isLoopback(req.getRemoteAddr()))) {
            String[] credentials = basic(req.getHeader("Authorization"));
            if (credentials == null) {
                res.setHeader("WWW-Authenticate", "Basic realm=\"callpark\", charset=\"UTF-8\"");
                res.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                return;
            }
            String source = String.valueOf(req.getRemoteAddr());
            long wait = failures.locked(source, REALM, credentials[0], s.limits());
            if (wait > 0) {
                res.setHeader("Retry-After", Long.toString(wait));
                res.sendError(429);
                return;
            }
            Optional<Set<String>> roles = login.roles(credentials[0], credentials[1].toCharArray());
            if (roles.isEmpty()) {
                failures.failed(source, credentials[0], REALM, "bad-password", s.limits());
                res.setHeader("WWW-Authenticate", "Basic realm=\"callpark\", charset=\"UTF-8\"");
                res.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                return;
            }
            if (roles.get().stream().noneMatch(s.metricsRoles()::contains)) {
                res.sendError(HttpServletResponse.SC_FORBIDDEN);
                return;
            }
        }
        String type = OpsRegistry.contentType(req.getHeader("Accept"));
        res.setStatus(HttpServletResponse.SC_OK);
        res.setContentType(type);
        registry.scrape(res.getOutputStream(), type);
    }

    /** The HTTP Basic user and password, or {@code null} if there are none. */
    private static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon <= 0 ? null : new String[] { decoded.substring(0, colon), decoded.substring(colon + 1) };
    }

    /** A literal loopback address (the container gives the peer's address, never a name to resolve). */
    static boolean isLoopback(String address) {
        if (address == null
                || !(address.matches("\\d{1,3}(\\.\\d{1,3}){3}") || address.matches("\\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\\]?"))) {
            return false; // only literals: a name would be looked up in the DNS
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
