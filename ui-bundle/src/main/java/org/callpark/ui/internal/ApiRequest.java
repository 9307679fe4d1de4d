package org.callpark.ui.internal;

import java.util.Map;

/**
 * One API request as the resources see it: already authenticated, routed and stripped of HTTP details.
 *
 * @param caller who asks
 * @param method the HTTP method
 * @param path   the path variables of the matched route ({@code t}, {@code name}, {@code id})
 * @param query  the query parameters (first value of each)
 * @param body   the request body, empty if none
 */
public record ApiRequest(Caller caller, String method, Map<String, String> path, Map<String, String> query,
        byte[] body) {

    public ApiRequest {
        path = Map.copyOf(path);
        query = Map.copyOf(query);
        body = body == null ? new byte[0] : body;
    }

    public String path(String name) {
        return path.get(name);
    }
}
