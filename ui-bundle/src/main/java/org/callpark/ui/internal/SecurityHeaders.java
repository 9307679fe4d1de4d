package org.callpark.ui.internal;

import javax.servlet.http.HttpServletResponse;

/**
 * The hardening headers of every response under {@code /callpark/} (the page, its files and the API, errors
 * included). The page loads only its own files (one module script, one style sheet, no inline script, style or event
 * handler attributes), so a strict Content-Security-Policy costs nothing and turns an injected
 * {@code <script>}/{@code onerror=} (e.g. through a caller name) into a blocked, reported no-op. Framing is refused
 * twice ({@code frame-ancestors} for current browsers, {@code X-Frame-Options} for old ones) against click-jacking
 * of the hang-up and send buttons.
 */
final class SecurityHeaders {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private SecurityHeaders() {
    }

    /** Sets the headers; call again after {@code reset()}, which clears them. */
    static void apply(HttpServletResponse res) {
        res.setHeader("Content-Security-Policy", CSP);
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Referrer-Policy", "no-referrer");
        res.setHeader("X-Frame-Options", "DENY");
    }
}
