package org.callpark.ops.internal;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** A request with a remote address and headers, and a response that records status, headers and body. */
final class FakeHttp {

    final Map<String, String> requestHeaders = new HashMap<>();
    final Map<String, String> headers = new HashMap<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    int status = 200;
    String remote = "192.0.2.7";

    HttpServletRequest request() {
        return (HttpServletRequest) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] { HttpServletRequest.class }, (p, m, a) -> switch (m.getName()) {
                    case "getHeader" -> requestHeaders.get(a[0]);
                    case "getRemoteAddr" -> remote;
                    case "getMethod" -> "GET";
                    default -> null;
                });
    }

    HttpServletResponse response() {
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public void write(int b) {
                body.write(b);
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
        return (HttpServletResponse) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] { HttpServletResponse.class }, (p, m, a) -> {
                    switch (m.getName()) {
                        case "setHeader" -> headers.put((String) a[0], (String) a[1]);
                        case "setContentType" -> headers.put("Content-Type", (String) a[0]);
                        case "setStatus", "sendError" -> status = (Integer) a[0];
                        case "getOutputStream" -> {
                            return out;
                        }
                        default -> {
                            // ignored
                        }
                    }
                    return null;
                });
    }

    String text() {
        return body.toString(StandardCharsets.UTF_8);
    }
}
