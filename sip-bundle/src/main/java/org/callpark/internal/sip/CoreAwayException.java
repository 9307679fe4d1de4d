package org.callpark.internal.sip;

/**
 * The park core ({@code CallParkService}, {@code DirectoryService}) is not bound right now: its bundle is being updated
 * or restarted. Thrown by {@link CoreAccess}; the {@link SipDispatcher} answers the request {@code 503 Service
 * Unavailable} with {@code Retry-After}. Unchecked so that it passes through the lambdas and {@code DirectoryService}
 * views of the handlers unchanged.
 */
final class CoreAwayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CoreAwayException(String what) {
        super("the park core is away (" + what + " not bound)", null, false, false);
    }
}
