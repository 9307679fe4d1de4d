package org.callpark.internal.sip;

import org.callpark.api.ParkException;

/**
 * The one translation of {@link ParkException} into SIP responses. Every refusal carries the service's message in a
 * {@code Warning: 399 <host> "<message>"} header (RFC 3261 §20.43), so the phone's log and a trace show why.
 *
 * <table>
 * <caption>Reason to status</caption>
 * <tr><th>Reason</th><th>Status</th></tr>
 * <tr><td>NOT_FOUND</td><td>404 Not Found</td></tr>
 * <tr><td>SLOT_EMPTY</td><td>404 Not Found (only when no "nothing parked" prompt can be played)</td></tr>
 * <tr><td>NO_FREE_SLOT, NOT_PERMITTED, SLOT_OCCUPIED</td><td>403 Forbidden</td></tr>
 * <tr><td>CONFLICT</td><td>480 Temporarily Unavailable (the call changed meanwhile; trying again may work)</td></tr>
 * <tr><td>INVALID_ARGUMENT</td><td>400 Bad Request</td></tr>
 * <tr><td>STORE_UNAVAILABLE</td><td>503 Service Unavailable</td></tr>
 * <tr><td>MEDIA_FAILURE</td><td>488 Not Acceptable Here</td></tr>
 * <tr><td>MEDIA_CAPACITY</td><td>503 Service Unavailable with {@code Retry-After} (this node's RTP ports are used up;
 * a proxy may fail over to another node)</td></tr>
 * </table>
 */
final class SipErrors {

    /** A SIP refusal: status code and the text for the Warning header. */
    record Refusal(int status, String message) {
    }

    private SipErrors() {
    }

    /** The {@code Retry-After} of a 503 for lack of media capacity: legs end all the time. */
    static final int MEDIA_CAPACITY_RETRY_SECONDS = 10;

    static Refusal of(ParkException e) {
        return new Refusal(status(e.reason()), e.getMessage() == null ? e.reason().name() : e.getMessage());
    }

    static int status(ParkException.Reason reason) {
        return switch (reason) {
            case NOT_FOUND, SLOT_EMPTY -> 404;
            case NO_FREE_SLOT, NOT_PERMITTED, SLOT_OCCUPIED -> 403;
            case CONFLICT, UNREACHABLE -> 480;
            case INVALID_ARGUMENT -> 400;
            case STORE_UNAVAILABLE -> 503;
            case MEDIA_FAILURE -> 488;
            case MEDIA_CAPACITY -> 503;
        };
    }

    /** Text safe inside a Warning header's quoted string: no quotes, backslashes or control characters. */
    static String warningText(String message) {
        StringBuilder b = new StringBuilder();
        for (char c : message.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '\'' : c);
        }
        return b.length() > 200 ? b.substring(0, 200) : b.toString();
    }
}
