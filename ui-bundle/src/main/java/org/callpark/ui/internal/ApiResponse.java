package org.callpark.ui.internal;

import java.util.Map;

/**
 * What a resource answers: a status, a body written as JSON ({@code null} for none) and extra headers.
 */
public record ApiResponse(int status, Object body, Map<String, String> headers) {

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body, Map.of());
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, Map.of());
    }
}
