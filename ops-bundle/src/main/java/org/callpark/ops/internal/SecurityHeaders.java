package org.callpark.ops.internal;

import javax.servlet.http.HttpServletResponse;

/**
 * The hardening headers of ui-bundle's pages on the two plain-text/JSON endpoints: nothing here is ever a page, so the
 * policy allows nothing at all, and nothing is cached (a proxy must not keep the figures or the health state).
 */
final class SecurityHeaders {

    static final String CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private SecurityHeaders() {
    }

    static void apply(HttpServletResponse res) {
        res.setHeader("Content-Security-Policy", CSP);
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Referrer-Policy", "no-referrer");
        res.setHeader("X-Frame-Options", "DENY");
        res.setHeader("Cache-Control", "no-store");
    }
}
