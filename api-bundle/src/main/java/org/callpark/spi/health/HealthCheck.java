package org.callpark.spi.health;

import java.util.Objects;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One part of the server that can say whether it works, registered as an OSGi service with the property
 * {@value #NAME} (a short lower-case name: {@code sip}, {@code media}, {@code cluster}, {@code directory},
 * {@code history}). Called on every {@code GET /callpark/health}, from an HTTP thread: answer from state the part
 * already keeps, quickly, without blocking on the network. The detail is shown to anyone who can reach the endpoint:
 * no secrets, addresses or user names in it.
 */
@ConsumerType
public interface HealthCheck {

    /** The service property naming the check (String). */
    String NAME = "callpark.health.name";

    /** The state of the part now. */
    Result check();

    /** How a part is. */
    enum Status {
        /** Works. */
        UP,
        /** Degraded, but the server does its job (e.g. history not written): the overall status stays UP. */
        WARN,
        /** Does not work: the overall status is DOWN (503). */
        DOWN
    }

    /**
     * @param status how the part is
     * @param detail a short human-readable reason or figure (e.g. "members=3"), never {@code null}
     */
    record Result(Status status, String detail) {

        public Result {
            Objects.requireNonNull(status, "status");
            detail = detail == null ? "" : detail;
        }

        public static Result up(String detail) {
            return new Result(Status.UP, detail);
        }

        public static Result warn(String detail) {
            return new Result(Status.WARN, detail);
        }

        public static Result down(String detail) {
            return new Result(Status.DOWN, detail);
        }
    }
}
