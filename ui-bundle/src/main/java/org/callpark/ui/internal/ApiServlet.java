package org.callpark.ui.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;

import javax.servlet.AsyncContext;
import javax.servlet.Servlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.TenantId;
import org.callpark.api.history.ParkHistory;
import org.callpark.spi.auth.FailureLimiter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The REST API {@code /callpark/api/v1/*} (see docs/rest.md): authentication (session cookie or HTTP Basic against
 * the Karaf JAAS realm), roles, the CSRF guard, routing to the resources, JSON in and out, the error mapping, and the
 * SSE stream {@code /events}. The resources hold no rules of their own; the park service and the directory decide.
 */
@Component(service = Servlet.class, configurationPid = "org.callpark.ui", property = {
        "osgi.http.whiteboard.servlet.pattern=/callpark/api/v1/*",
        "osgi.http.whiteboard.servlet.name=callpark-api",
        "osgi.http.whiteboard.servlet.asyncSupported=true" })
@Designate(ocd = LoginConfig.class)
public final class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);

    static final String REALM = "karaf";
    static final String CSRF_HEADER = "X-Requested-With";
    static final String CSRF_VALUE = "callpark";
    static final int MAX_BODY = 64 * 1024;
    private static final String JSON = "application/json";

    private final transient DirectoryService directories;
    private final transient CallParkService park;
    private final transient EventStreams streams;
    private final transient Authenticator authenticator;
    private final transient Sessions sessions;
    private final transient Router router = new Router();
    private final transient LoginThrottle throttle;
    private final transient RoleCheck roles = new RoleCheck();
    /** The park history, if the history bundle is installed: {@code /history} answers 503 without it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient ParkHistory history;

    /** @throws IllegalArgumentException if the login limits are invalid (the component does not activate) */
    @Activate
    public ApiServlet(@Reference DirectoryService directories, @Reference CallParkService park,
            @Reference EventStreams streams, LoginConfig config) {
        this(directories, park, streams, new JaasAuthenticator(REALM), new Sessions(Clock.systemUTC()),
                sender(park, streams), new LoginThrottle(Clock.systemUTC(), LoginThrottle.limits(config,
                        System::getProperty, System::getenv)));
    }

    ApiServlet(DirectoryService directories, CallParkService park, EventStreams streams, Authenticator authenticator,
            Sessions sessions, CallSender sender) {
        this(directories, park, streams, authenticator, sessions, sender, new LoginThrottle(Clock.systemUTC(),
                new FailureLimiter.Limits(10, Duration.ofMinutes(1), 5, Duration.ofMinutes(5))));
    }

    ApiServlet(DirectoryService directories, CallParkService park, EventStreams streams, Authenticator authenticator,
            Sessions sessions, CallSender sender, LoginThrottle throttle) {
        this.throttle = throttle;
        this.directories = directories;
        this.park = park;
        this.streams = streams;
        this.authenticator = authenticator;
        this.sessions = sessions;
        new DirectoryResource(directories).register(router);
        new ParkGroupResource(directories, park).register(router);
        new TenantSettingsResource(directories).register(router);
        new CallResource(directories, park, sender).register(router);
        new HistoryResource(directories, () -> history, Clock.systemUTC()).register(router);
    }

    /**
     * "Send to extension" through the park service, as an administrator of the call's tenant. A failure at once is the
     * request's error; a failure later (no answer, busy, taken meanwhile) becomes a {@code send-failed} event on the
     * streams that see the tenant. Success shows as the call's {@code RETRIEVED} event.
     */
    static CallSender sender(CallParkService park, EventStreams streams) {
        return (call, extension, ringFor) -> park
                .sendTo(new RetrieveRequest(call.tenant(), null, RetrieveTarget.call(call.id())), extension, ringFor)
                .whenComplete((taken, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        String reason = cause instanceof ParkException p ? p.reason().name() : "UNREACHABLE";
                        LOG.debug("Send of call {} to {} failed: {}", call.id(), extension, cause.getMessage());
                        streams.sendFailed(new Dtos.SendFailedDto(call.id(), call.tenant().value(), extension, reason,
                                String.valueOf(cause.getMessage())));
                    }
                });
    }

    /** New login limits apply at once; sessions and counts stay. An invalid change is ignored with a warning. */
    @Modified
    void modified(LoginConfig config) {
        try {
            throttle.limits(LoginThrottle.limits(config, System::getProperty, System::getenv));
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; keeping the previous login limits", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        sessions.clear();
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String method = req.getMethod().toUpperCase(Locale.ROOT);
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        res.setHeader("Cache-Control", "no-store");
        SecurityHeaders.apply(res);
        try {
            if (path.equals("/session")) {
                session(method, req, res);
                return;
            }
            Auth auth = authenticate(req);
            MDC.put("user", auth.caller.user());
            roles.requireAny(auth.caller);
            if (path.equals("/events")) {
                if (!method.equals("GET")) {
                    throw new ApiException(405, "METHOD_NOT_ALLOWED", method + " is not allowed on /events; allowed: GET");
                }
                events(auth.caller, req, res);
                return;
            }
            Router.Match match = router.match(method, path);
            if (!auth.caller.may(match.permission())) {
                throw ApiException.notPermitted("user '" + auth.caller.user() + "' may not " + method + " " + path
                        + ": that needs role " + RoleCheck.roleFor(match.permission()) + " (the user's level: "
                        + auth.caller.level() + ")");
            }
            if (match.isChange()) {
                if (auth.byCookie && !CSRF_VALUE.equals(req.getHeader(CSRF_HEADER))) {
                    throw ApiException.notPermitted("changes made with the session cookie need the header "
                            + CSRF_HEADER + ": " + CSRF_VALUE);
                }
            }
            String tenant = match.variables().get("t");
            if (tenant != null) {
                MDC.put("tenant", tenant);
            }
            byte[] body = body(method, req);
            ApiResponse response = match.handler().handle(new ApiRequest(auth.caller, method, match.variables(),
                    query(req), body));
            write(res, response);
        } catch (ApiException e) {
            error(req, res, e);
        } catch (ParkException e) {
            error(req, res, ApiErrors.translate(e));
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", method, path, e);
            error(req, res, new ApiException(500, "INTERNAL", "internal error: " + e, List.of(), e));
        } finally {
            MDC.remove("user");
            MDC.remove("tenant");
        }
    }

    // --- session ---

    private void session(String method, HttpServletRequest req, HttpServletResponse res)
            throws IOException, ApiException {
        switch (method) {
            case "POST" -> {
                Dtos.LoginBody login = Json.read(body(method, req), Dtos.LoginBody.class);
                Caller caller = throttle.login(authenticator, req.getRemoteAddr(), login.user(),
                        login.password() == null ? null : login.password().toCharArray());
                roles.requireAny(caller);
                String token = sessions.open(caller);
                res.addHeader("Set-Cookie", Sessions.COOKIE + "=" + token + "; Path=/callpark; HttpOnly; SameSite=Strict"
                        + (req.isSecure() ? "; Secure" : ""));
                LOG.info("User '{}' logged in to the web UI", caller.user());
                write(res, ApiResponse.ok(sessionDto(caller)));
            }
            case "GET" -> write(res, ApiResponse.ok(sessionDto(authenticate(req).caller)));
            case "DELETE" -> {
                sessions.close(cookie(req));
                res.addHeader("Set-Cookie", Sessions.COOKIE + "=; Path=/callpark; Max-Age=0; HttpOnly; SameSite=Strict"
                        + (req.isSecure() ? "; Secure" : ""));
                write(res, ApiResponse.noContent());
            }
            default -> throw new ApiException(405, "METHOD_NOT_ALLOWED",
                    method + " is not allowed on /session; allowed: DELETE, GET, POST");
        }
    }

    private Dtos.SessionDto sessionDto(Caller caller) {
        Directory d = directories.current();
        List<String> tenants = d.tenants().stream().map(t -> t.id())
                .filter(caller::sees).map(TenantId::value).toList();
        return new Dtos.SessionDto(caller.user(), caller.sortedRoles(), caller.canEdit(), caller.canOperate(),
                tenants, WebUserLinks.of(d, caller));
    }


    /**
     * Whether a 401 may carry {@code WWW-Authenticate: Basic}: only for scripts. The page's requests (our header), an
     * {@code EventSource} (which cannot set headers, but asks for {@code text/event-stream}) and any browser holding a
     * session cookie (a session that ended) get none, so the browser never shows its own login dialog over the page's.
     */
    static boolean wantsBasicChallenge(HttpServletRequest req) {
        if (CSRF_VALUE.equals(req.getHeader(CSRF_HEADER))) {
            return false;
        }
        String accept = req.getHeader("Accept");
        if (accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream")) {
            return false;
        }
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (Sessions.COOKIE.equals(c.getName())) {
                    return false;
                }
            }
        }
        return true;
    }

    private record Auth(Caller caller, boolean byCookie) {
    }

    /** HTTP Basic if the request has it, else the session cookie. */
    private Auth authenticate(HttpServletRequest req) throws ApiException {
        String header = req.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiException.unauthenticated("malformed Basic credentials");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw ApiException.unauthenticated("malformed Basic credentials");
            }
            Caller caller = throttle.login(authenticator, req.getRemoteAddr(), decoded.substring(0, colon),
                    decoded.substring(colon + 1).toCharArray());
            return new Auth(caller, false);
        }
        String token = cookie(req);
        if (token != null) {
            Caller caller = sessions.find(token).orElseThrow(
                    () -> ApiException.unauthenticated("the session has ended (logged out or expired); log in again"));
            return new Auth(caller, true);
        }
        throw ApiException.unauthenticated("log in first (POST /callpark/api/v1/session) or use HTTP Basic");
    }

    private static String cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (Sessions.COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    // --- events ---

    private void events(Caller caller, HttpServletRequest req, HttpServletResponse res)
            throws IOException, ApiException {
        String only = req.getParameter("tenant");
        TenantId tenant = null;
        if (only != null && !only.isEmpty()) {
            Directory d = directories.current();
            tenant = Scope.tenant(new ApiRequest(caller, "GET", Map.of("t", only), Map.of(), null), d).id();
        }
        TenantId filter = tenant;
        res.setStatus(200);
        res.setContentType("text/event-stream");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("X-Accel-Buffering", "no");
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        OutputStream out = res.getOutputStream();
        EventStreams.Sink sink = new EventStreams.Sink() {
            private boolean done;

            @Override
            public synchronized void write(String text) throws IOException {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }

            @Override
            public synchronized void close() {
                if (!done) {
                    done = true;
                    try {
                        async.complete();
                    } catch (IllegalStateException e) {
                        LOG.debug("Event stream already completed: {}", e.getMessage());
                    }
                }
            }
        };
        EventStreams.Snapshot snapshot = () -> filter == null ? park.list() : park.list(filter);
        StreamEnd end = new StreamEnd(); // before open: the response may end while the stream starts
        async.addListener(end);
        try {
            end.stream(streams.open(caller, filter, snapshot, sink));
        } catch (ApiException e) {
            sink.close();
            throw e;
        }
    }

    // --- plumbing ---

    private static byte[] body(String method, HttpServletRequest req) throws IOException, ApiException {
        if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
            return new byte[0];
        }
        String type = req.getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(JSON)) {
            throw new ApiException(415, "INVALID_ARGUMENT", "the body must be JSON (Content-Type: " + JSON + ")");
        }
        byte[] body = req.getInputStream().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new ApiException(413, "INVALID_ARGUMENT", "the body is larger than " + MAX_BODY + " bytes");
        }
        return body;
    }

    private static Map<String, String> query(HttpServletRequest req) {
        Map<String, String> q = new HashMap<>();
        req.getParameterMap().forEach((k, v) -> {
            if (v.length > 0) {
                q.put(k, v[0]);
            }
        });
        return q;
    }

    private static void write(HttpServletResponse res, ApiResponse response) throws IOException {
        res.setStatus(response.status());
        response.headers().forEach(res::setHeader);
        if (response.body() == null) {
            return;
        }
        byte[] bytes = Json.write(response.body());
        res.setContentType(JSON);
        res.setCharacterEncoding("UTF-8");
        res.setContentLength(bytes.length);
        res.getOutputStream().write(bytes);
    }

    private static void error(HttpServletRequest req, HttpServletResponse res, ApiException e) throws IOException {
        if (res.isCommitted()) {
            LOG.debug("Cannot send error {} after the response started: {}", e.status(), e.getMessage());
            return;
        }
        res.reset();
        res.setHeader("Cache-Control", "no-store");
        SecurityHeaders.apply(res);
        if (e.status() == 401 && wantsBasicChallenge(req)) {
            res.setHeader("WWW-Authenticate", "Basic realm=\"callpark\", charset=\"UTF-8\"");
        }
        if (e.retryAfter() > 0) {
            res.setHeader("Retry-After", Long.toString(e.retryAfter()));
        }
        if (e.status() >= 500) {
            LOG.debug("{} {}: {} {}", req.getMethod(), req.getPathInfo(), e.status(), e.getMessage());
        }
        write(res, new ApiResponse(e.status(), e.body(), Map.of()));
    }

}
