package org.callpark.ui.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.callpark.api.ParkException;

/**
 * Maps {@code METHOD /path/{var}/...} to handlers. Literal segments match exactly; {@code {var}} matches one non-empty
 * segment. An unknown path is 404, a known path with another method 405. Each route names the {@link Caller.Permission}
 * it needs: reads {@code READ}, changes {@code CONFIGURE} unless the resource says otherwise (acting on a call needs
 * {@code OPERATE}), so a new change route is admin-only until someone decides it is not.
 */
public final class Router {

    /** A resource method. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws ApiException, ParkException;
    }

    /** A matched route with its path variables. */
    public record Match(String method, String pattern, Handler handler, Map<String, String> variables,
            Caller.Permission permission) {

        /** Whether the route changes state (everything but GET and HEAD). */
        public boolean isChange() {
            return !method.equals("GET") && !method.equals("HEAD");
        }
    }

    private record Route(String method, String pattern, String[] segments, Handler handler,
            Caller.Permission permission) {
    }

    private final List<Route> routes = new ArrayList<>();

    /** A route that needs {@code READ} for GET/HEAD, else {@code CONFIGURE}. */
    public Router add(String method, String pattern, Handler handler) {
        boolean read = method.equals("GET") || method.equals("HEAD");
        return add(method, pattern, read ? Caller.Permission.READ : Caller.Permission.CONFIGURE, handler);
    }

    public Router add(String method, String pattern, Caller.Permission permission, Handler handler) {
        routes.add(new Route(method, pattern, split(pattern), handler, permission));
        return this;
    }

    /**
     * @throws ApiException 404 for a path no route has, 405 (with the allowed methods) for another method
     */
    public Match match(String method, String path) throws ApiException {
        String[] segments = split(path == null ? "/" : path);
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> vars = matches(r.segments, segments);
            if (vars == null) {
                continue;
            }
            if (r.method.equals(method)) {
                return new Match(r.method, r.pattern, r.handler, vars, r.permission);
            }
            allowed.add(r.method);
        }
        if (allowed.isEmpty()) {
            throw ApiException.notFound("no such resource: " + path);
        }
        throw new ApiException(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path + "; allowed: "
                + String.join(", ", allowed));
    }

    private static Map<String, String> matches(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                vars.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return vars;
    }

    private static String[] split(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return parts.toArray(String[]::new);
    }
}
