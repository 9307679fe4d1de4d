package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Network hardening of the running assembly (issue 14), with the shipped defaults (none of the per-listener
 * {@code CALLPARK_*_BIND_ADDRESS} variables set): every socket of the Karaf process is on loopback (R8), every answer
 * under {@code /callpark/} carries the strict Content-Security-Policy and the other hardening headers (S3), and the
 * event streams of clients that closed their connection free their slots at once (R6). Opening the listeners with
 * {@code CALLPARK_BIND_ADDRESS}: {@link BindAddressST}.
 */
class NetHardeningST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer()
            .env("CALLPARK_SIP_BIND_ADDRESS", null)
            .env("CALLPARK_MEDIA_BIND_ADDRESS", null)
            .env("CALLPARK_CLUSTER_BIND_ADDRESS", null);

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final String KARAF = "Basic " + Base64.getEncoder().encodeToString("karaf:karaf".getBytes(
            StandardCharsets.UTF_8));
    private static final int MAX_STREAMS = 64;

    @Test
    void everySocketOfTheServerIsOnLoopbackByDefault() throws Exception {
        List<Listeners.Socket> sockets = Listeners.of(SERVER.pid());
        System.out.println("[systests] listening sockets of the Karaf JVM (defaults): " + sockets);
        for (int port : new int[] { AssemblyServer.HTTP_PORT, AssemblyServer.SSH_PORT, SERVER.sipPort(),
                AssemblyServer.HAZELCAST_PORT, AssemblyServer.RMI_REGISTRY_PORT, AssemblyServer.RMI_SERVER_PORT }) {
            assertTrue(sockets.stream().anyMatch(s -> s.protocol().equals("tcp") && s.port() == port),
                    "nothing listens on TCP " + port + ": " + sockets);
        }
        assertTrue(sockets.stream().anyMatch(s -> s.protocol().equals("udp") && s.port() == SERVER.sipPort()),
                "SIP UDP: " + sockets);
        List<Listeners.Socket> open = sockets.stream().filter(s -> !s.loopback()).toList();
        assertEquals(List.of(), open, "sockets reachable from other machines");
    }

    @Test
    void thePageTheApiAndTheirErrorsCarryTheHardeningHeaders() throws Exception {
        for (String[] r : new String[][] { { "/callpark/", "200" }, { "/callpark/app.js", "200" },
                { "/callpark/app.css", "200" }, { "/callpark/nothing.js", "404" }, { "/callpark", "302" },
                { "/callpark/api/v1/tenants", "401" } }) {
            Response a = get(r[0], null);
            assertEquals(Integer.parseInt(r[1]), a.status, r[0] + ": " + a.head);
            checkHeaders(r[0], a);
        }
        Response authed = get("/callpark/api/v1/tenants", KARAF);
        assertEquals(200, authed.status, authed.head);
        checkHeaders("/callpark/api/v1/tenants (signed in)", authed);
    }

    private static void checkHeaders(String what, Response a) {
        assertEquals(CSP, a.header("Content-Security-Policy"), what);
        assertEquals("nosniff", a.header("X-Content-Type-Options"), what);
        assertEquals("no-referrer", a.header("Referrer-Policy"), what);
        assertEquals("DENY", a.header("X-Frame-Options"), what);
    }

    @Test
    void closedEventStreamsFreeTheirSlotsAtOnce() throws Exception {
        List<Socket> streams = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_STREAMS; i++) {
                streams.add(openStream());
            }
            Response full = get("/callpark/api/v1/events", KARAF);
            assertEquals(503, full.status, "stream " + (MAX_STREAMS + 1) + " while " + MAX_STREAMS + " are open");
        } finally {
            for (Socket s : streams) {
                s.close();
            }
        }
        long t0 = System.nanoTime();
        try (Socket again = openStream()) {
            System.out.printf("[systests] a new event stream right after %d were closed: accepted in %d ms%n",
                    MAX_STREAMS, (System.nanoTime() - t0) / 1_000_000);
        }
        // all the slots are free again, not just one
        List<Socket> second = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_STREAMS; i++) {
                second.add(openStream());
            }
        } finally {
            for (Socket s : second) {
                s.close();
            }
        }
    }

    /** A stream that got its snapshot; fails if the server answers anything but 200. */
    private static Socket openStream() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", AssemblyServer.HTTP_PORT), 5000);
        s.setSoTimeout(5000);
        request(s, "/callpark/api/v1/events", KARAF);
        String head = readUntil(s.getInputStream(), "event: snapshot");
        if (!head.startsWith("HTTP/1.1 200")) {
            s.close();
            throw new AssertionError("event stream refused: " + head);
        }
        return s;
    }

    record Response(int status, String head) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private static Response get(String path, String auth) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", AssemblyServer.HTTP_PORT), 5000);
            s.setSoTimeout(5000);
            request(s, path, auth);
            String head = readUntil(s.getInputStream(), "\r\n\r\n");
            return new Response(Integer.parseInt(head.substring(9, 12)), head);
        }
    }

    private static void request(Socket s, String path, String auth) throws IOException {
        String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + AssemblyServer.HTTP_PORT + "\r\n"
                + (auth == null ? "" : "Authorization: " + auth + "\r\n") + "Connection: close\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads until {@code marker} (or the end, or 5 s of silence) and returns what was read. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            while (!b.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                b.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            assertFalse(b.size() == 0, "no answer within 5 s");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
