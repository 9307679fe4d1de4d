package org.callpark.ui.internal;

import java.util.List;

/**
 * A request that fails with an HTTP status and the JSON error body {@code {"error","message","violations"}}. Built by
 * {@link ApiErrors} (the one mapping of {@link org.callpark.api.ParkException.Reason}s) or for protocol-level problems.
 */
public final class ApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final List<Dtos.ViolationDto> violations;
    private long retryAfter;

    public ApiException(int status, String error, String message) {
        this(status, error, message, List.of(), null);
    }

    public ApiException(int status, String error, String message, List<Dtos.ViolationDto> violations, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.error = error;
        this.violations = List.copyOf(violations);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** Seconds for a {@code Retry-After} header, 0 for none. */
    public long retryAfter() {
        return retryAfter;
    }

    public List<Dtos.ViolationDto> violations() {
        return violations;
    }

    public Dtos.ErrorDto body() {
        return new Dtos.ErrorDto(error, getMessage(), violations);
    }

    public static ApiException unauthenticated(String message) {
        return new ApiException(401, "UNAUTHENTICATED", message);
    }

    /** 429 with {@code Retry-After}: too many failed logins from this address or for this user. */
    public static ApiException tooManyFailures(long retryAfterSeconds) {
        ApiException e = new ApiException(429, "TOO_MANY_FAILURES", "too many failed logins; retry in "
                + retryAfterSeconds + " s");
        e.retryAfter = retryAfterSeconds;
        return e;
    }

    public static ApiException notPermitted(String message) {
        return new ApiException(403, "NOT_PERMITTED", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NOT_FOUND", message);
    }

    /** A request body or parameter the API cannot take; {@code field} is the JSON field, or null. */
    public static ApiException invalid(String field, String message) {
        List<Dtos.ViolationDto> v = field == null ? List.of() : List.of(new Dtos.ViolationDto(field, null, message));
        return new ApiException(400, "INVALID_ARGUMENT", message, v, null);
    }
}
