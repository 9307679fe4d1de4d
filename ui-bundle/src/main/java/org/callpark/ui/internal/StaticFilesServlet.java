package org.callpark.ui.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Locale;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

/**
 * The web page: the files under {@code web/} of this bundle at {@code /callpark/}, {@code index.html} for the
 * directory itself. The files are public (the page logs in through the API, which holds every piece of data).
 * Every answer, a 404 or redirect too, carries the {@link SecurityHeaders}.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/callpark/*",
        "osgi.http.whiteboard.servlet.name=callpark-web" })
public final class StaticFilesServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String ROOT = "web/";

    static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=UTF-8"),
            Map.entry("js", "text/javascript; charset=UTF-8"),
            Map.entry("mjs", "text/javascript; charset=UTF-8"),
            Map.entry("css", "text/css; charset=UTF-8"),
            Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=UTF-8"),
            Map.entry("map", "application/json"));

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        SecurityHeaders.apply(res);
        String path = req.getPathInfo();
        if (path == null) {
            res.sendRedirect(req.getRequestURI() + "/");
            return;
        }
        String file = resource(path);
        URL url = file == null ? null : StaticFilesServlet.class.getClassLoader().getResource(ROOT + file);
        if (url == null) {
            res.sendError(404);
            return;
        }
        res.setContentType(type(file));
        res.setHeader("Cache-Control", "no-cache");
        try (InputStream in = url.openStream()) {
            in.transferTo(res.getOutputStream());
        }
    }

    /** The file under {@code web/} for a request path, or {@code null} for a path that may not be served. */
    static String resource(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.isEmpty()) {
            return "index.html";
        }
        if (p.endsWith("/") || p.contains("\\") || p.contains("\0")) {
            return null;
        }
        for (String segment : p.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.startsWith(".")) {
                return null;
            }
        }
        return type(p).isEmpty() ? null : p;
    }

    static String type(String file) {
        int dot = file.lastIndexOf('.');
        return dot < 0 ? "" : TYPES.getOrDefault(file.substring(dot + 1).toLowerCase(Locale.ROOT), "");
    }
}
