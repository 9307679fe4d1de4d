package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;

/**
 * The hardening headers on the page's files (found, not found, redirect), and that the page really needs nothing the
 * strict policy forbids (no inline script or style, no event handler attributes). The headers over real HTTP and a
 * browser without CSP violations: systests {@code NetHardeningST} and {@code WebUiST}.
 */
class SecurityHeadersTest {

    private static Map<String, String> get(String pathInfo) throws IOException {
        Map<String, String> headers = new HashMap<>();
        HttpServletRequest req = (HttpServletRequest) Proxy.newProxyInstance(getClass0(),
                new Class<?>[] { HttpServletRequest.class }, (p, m, a) -> switch (m.getName()) {
                    case "getPathInfo" -> pathInfo;
                    case "getRequestURI" -> "/callpark";
                    case "getMethod" -> "GET";
                    default -> null;
                });
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public void write(int b) {
                // discarded
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener l) {
                // blocking
            }
        };
        HttpServletResponse res = (HttpServletResponse) Proxy.newProxyInstance(getClass0(),
                new Class<?>[] { HttpServletResponse.class }, (p, m, a) -> {
                    switch (m.getName()) {
                        case "setHeader" -> headers.put((String) a[0], (String) a[1]);
                        case "sendError" -> headers.put(":status", String.valueOf(a[0]));
                        case "sendRedirect" -> headers.put(":status", "302");
                        case "getOutputStream" -> {
                            return out;
                        }
                        default -> {
                            // nothing
                        }
                    }
                    return null;
                });
        new StaticFilesServlet().doGet(req, res);
        return headers;
    }

    private static ClassLoader getClass0() {
        return SecurityHeadersTest.class.getClassLoader();
    }

    @Test
    void everyAnswerOfThePageCarriesTheHeaders() throws IOException {
        for (String path : new String[] { "/", "/app.js", "/app.css", "/missing.js", "/../etc/passwd" }) {
            check(path, get(path));
        }
        Map<String, String> redirect = get(null);
        assertEquals("302", redirect.get(":status"));
        check("(none)", redirect);
    }

    private static void check(String path, Map<String, String> h) {
        assertEquals(SecurityHeaders.CSP, h.get("Content-Security-Policy"), path);
        assertTrue(h.get("Content-Security-Policy").contains("frame-ancestors 'none'"), path);
        assertFalse(h.get("Content-Security-Policy").contains("unsafe"), path);
        assertEquals("nosniff", h.get("X-Content-Type-Options"), path);
        assertEquals("no-referrer", h.get("Referrer-Policy"), path);
        assertEquals("DENY", h.get("X-Frame-Options"), path);
    }

    @Test
    void thePageHasNoInlineScriptStyleOrHandlerTheStrictPolicyWouldBlock() throws IOException {
        String html = resource("index.html");
        assertFalse(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                "inline <script>");
        assertFalse(Pattern.compile("<style", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline <style>");
        assertFalse(Pattern.compile("\\s(on[a-z]+|style)\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                "event handler or style attribute");
        for (String js : new String[] { "app.js", "api.js", "board.js", "directory.js", "dom.js", "groups.js",
                "history.js", "theme.js", "view.js", "boardkeys.js", "countdown.js", "notify.js", "settings.js" }) {
            String code = resource(js);
            assertFalse(code.contains("eval(") || code.contains("new Function"), js + " evaluates strings");
            assertFalse(code.contains(".innerHTML"), js + " writes HTML");
            assertFalse(Pattern.compile("['\"]style['\"]\\s*:").matcher(code).find(), js + " sets a style attribute");
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SecurityHeadersTest.class.getClassLoader()
                .getResourceAsStream(StaticFilesServlet.ROOT + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
