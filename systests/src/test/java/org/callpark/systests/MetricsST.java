package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 15 parts 2 and 3 against the running assembly: N parks and N retrieves by sipp, then {@code /callpark/metrics}
 * read as the demo user {@code prometheus} and parsed by the real Prometheus client library's parser (Debian
 * {@code python3-prometheus-client}, run as a python3 subprocess): the park and retrieve counters are N, parked-now 0,
 * the park and retrieve latency histograms count N; a wrong password gets 401, a viewer or operator 403; one figure read over
 * Karaf's JMX connector. {@code /callpark/health} is 200 UP, 503 naming sip after {@code bundle:stop org.callpark.sip},
 * 200 again after {@code bundle:start}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer();

    private static final int N = 3;
    private static final String BASE = "http://127.0.0.1:" + AssemblyServer.HTTP_PORT + "/callpark/";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PYTHON = "/usr/bin/python3";

    /** One parsed sample. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static HttpResponse<String> get(String path, String user, String password, String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(10));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The Prometheus text parsed by prometheus_client's parser; fails if it rejects the text. */
    private static List<Sample> parse(String text) throws Exception {
        Process p = new ProcessBuilder(PYTHON, Path.of("src/test/resources/prometheus/parse.py").toString())
                .redirectErrorStream(false).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "parser hangs");
        assertEquals(0, p.exitValue(), "prometheus_client rejected the text: " + err);
        ObjectMapper json = new ObjectMapper();
        List<Sample> samples = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            Map<String, String> labels = new HashMap<>();
            n.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            samples.add(new Sample(n.get("name").asText(), labels, n.get("value").asDouble()));
        }
        return samples;
    }

    private static double sum(List<Sample> samples, String name, Predicate<Map<String, String>> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && labels.test(s.labels()))
                .mapToDouble(Sample::value).sum();
    }

    private static boolean has(List<Sample> samples, String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    private static List<Sample> scrape() throws Exception {
        HttpResponse<String> r = get("metrics", "prometheus", "prometheus", null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        return parse(r.body());
    }

    @Test
    @Order(1)
    void parksAndRetrievesAreCountedAndTheTextParses() throws Exception {
        Peers.require("/usr/bin/sipp", "sip-tester");
        Peers.require(PYTHON, "python3-prometheus-client");
        // The latency histograms record from the moment the ops bundle binds the SIP bundle's meters; in a fresh
        // assembly that may be after SIP and the web admin answer (the counters count from their bundle's start).
        long bound = System.currentTimeMillis() + 30_000;
        while (!has(scrape(), "callpark_sip_requests_total") && System.currentTimeMillis() < bound) {
            Thread.sleep(200);
        }
        long t0 = System.nanoTime();
        for (int i = 1; i <= N; i++) {
            String slot = "10" + i;
            try (RtpPeer rtp = new RtpPeer("127.0.0.1")) {
                Sipp park = Sipp.scenario("park", SERVER).service("*68" + slot).name("mpark" + i)
                        .from("Customer", "+4930123").referredBy("101").media(rtp.port(), "PCMU")
                        .set("HOLD_MS", 20000).timeout(40);
                park.start();
                assertTrue(rtp.awaitPackets(5, 5000), () -> "no hold music\n" + park.diagnostics());
                Sipp.scenario("retrieve", SERVER).service("*88" + slot).name("mretrieve" + i).from("102", "102")
                        .auth("102", "pass102").set("HOLD_MS", 500).set("PAI_REGEX", "Customer")
                        .set("PAI_CHECK", "true").run();
                park.assertSucceeded();
                park.kill();
            }
        }
        System.out.printf("[systests] metrics: %d parks + retrieves in %d ms%n", N,
                (System.nanoTime() - t0) / 1_000_000);

        Predicate<Map<String, String>> dflt = l -> "default".equals(l.get("tenant"));
        List<Sample> s = scrape();
        long deadline = System.currentTimeMillis() + 5000; // parked-now reads a snapshot at most 1 s old
        while (sum(s, "callpark_parked", dflt) != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(300);
            s = scrape();
        }
        assertEquals(N, sum(s, "callpark_parks_total", dflt), "parks");
        assertEquals(N, sum(s, "callpark_retrieves_total", dflt), "retrieves");
        assertEquals(N, sum(s, "callpark_calls_ended_total", l -> "answered".equals(l.get("resolution"))));
        assertTrue(has(s, "callpark_parked"), "parked-now gauge");
        assertEquals(0, sum(s, "callpark_parked", dflt), "parked now");
        assertEquals(N, sum(s, "callpark_sip_park_latency_seconds_count", dflt), "park latency count");
        assertEquals(N, sum(s, "callpark_sip_retrieve_latency_seconds_count", dflt), "retrieve latency count");
        assertEquals(N, sum(s, "callpark_sip_park_latency_seconds_bucket", l -> "+Inf".equals(l.get("le"))
                && "default".equals(l.get("tenant"))), "park latency histogram +Inf bucket");
        assertTrue(sum(s, "callpark_sip_requests_total", l -> "INVITE".equals(l.get("method"))) >= 2 * N);
        assertTrue(sum(s, "callpark_sip_responses_total", l -> "2xx".equals(l.get("class"))) >= 2 * N);
        assertTrue(sum(s, "callpark_sip_responses_total", l -> "4xx".equals(l.get("class"))) >= N, "401 challenges");
        for (String name : List.of("callpark_rtp_legs", "callpark_xmpp_connected", "callpark_sip_registrations",
                "callpark_blf_subscriptions", "callpark_media_loop_lateness_seconds_count", "jvm_memory_used_bytes",
                "process_uptime_seconds")) {
            assertTrue(has(s, name), name);
        }
        double p99 = sum(s, "callpark_media_loop_lateness_seconds", l -> "0.99".equals(l.get("quantile")));
        double parkSeconds = sum(s, "callpark_sip_park_latency_seconds_sum", dflt) / N;
        double retrieveSeconds = sum(s, "callpark_sip_retrieve_latency_seconds_sum", dflt) / N;
        System.out.printf("[systests] metrics: %d samples; media loop lateness p99 %.3f ms; park latency mean %.1f ms,"
                + " retrieve %.1f ms%n", s.size(), p99 * 1000, parkSeconds * 1000, retrieveSeconds * 1000);

        // every figure the shipped Grafana dashboard queries exists
        String dashboard = java.nio.file.Files.readString(Path.of("..", "docs", "grafana", "callpark.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(callpark_[a-z_]+|jvm_[a-z_]+|process_[a-z_]+"
                + "|system_[a-z_]+)").matcher(dashboard);
        while (m.find()) {
            assertTrue(has(s, m.group(1)), "the dashboard queries " + m.group(1) + ", which is not served");
        }

        HttpResponse<String> om = get("metrics", "prometheus", "prometheus",
                "application/openmetrics-text; version=1.0.0");
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(om.body().endsWith("# EOF\n"));
    }

    @Test
    @Order(2)
    void wrongPasswordIs401AndAViewerIs403() throws Exception {
        HttpResponse<String> wrong = get("metrics", "prometheus", "nope", null);
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertTrue(!wrong.body().contains("callpark_"), "no figures without a login");
        assertEquals(401, get("metrics", null, null, null).statusCode(), "loopback needs a login by default");
        assertEquals(403, get("metrics", "auditor", "auditor", null).statusCode(), "callpark-viewer");
        assertEquals(403, get("metrics", "reception", "reception", null).statusCode(), "callpark-operator");
        assertEquals(200, get("metrics", "karaf", "karaf", null).statusCode(), "admin");
    }

    @Test
    @Order(3)
    void theParkCounterIsAnMBeanOverKarafsJmxConnector() throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + AssemblyServer.RMI_SERVER_PORT
                + "/jndi/rmi://127.0.0.1:" + AssemblyServer.RMI_REGISTRY_PORT + "/karaf-root");
        try (JMXConnector c = JMXConnectorFactory.connect(url,
                Map.of(JMXConnector.CREDENTIALS, new String[] { "karaf", "karaf" }))) {
            MBeanServerConnection mbeans = c.getMBeanServerConnection();
            Set<ObjectName> names = mbeans.queryNames(new ObjectName("org.callpark:name=callparkParks*,*"), null);
            assertTrue(!names.isEmpty(), "no callparkParks MBean");
            double count = 0;
            for (ObjectName name : names) {
                if (name.toString().contains("tenant.default")) {
                    count += ((Number) mbeans.getAttribute(name, "Count")).doubleValue();
                }
            }
            System.out.println("[systests] metrics: JMX " + names + " Count " + count);
            assertEquals(N, count, 0.0);
        }
    }

    @Test
    @Order(4)
    void healthIsUpAnd503NamingSipWhileItsBundleIsStopped() throws Exception {
        HttpResponse<String> up = get("health", null, null, null);
        assertEquals(200, up.statusCode(), up.body());
        JsonNode body = new ObjectMapper().readTree(up.body());
        assertEquals("UP", body.get("status").asText());
        for (String check : List.of("sip", "media", "cluster", "directory", "history")) {
            assertEquals("UP", body.get("checks").get(check).asText(), check + " in " + up.body());
        }
        System.out.println("[systests] health: " + up.body());

        SERVER.shell("bundle:stop org.callpark.sip");
        HttpResponse<String> down = awaitHealth(503, 10_000);
        JsonNode d = new ObjectMapper().readTree(down.body());
        assertEquals("DOWN", d.get("status").asText(), down.body());
        assertEquals("DOWN", d.get("checks").get("sip").asText(), down.body());
        assertEquals("not running", d.get("details").get("sip").asText(), down.body());
        assertEquals("UP", d.get("checks").get("media").asText(), down.body());
        String shell = SERVER.shell("park:health");
        assertTrue(shell.matches("(?s).*sip\\s+\\| DOWN\\s+\\| not running.*")
                && shell.contains("Status: DOWN"), "park:health says the same: " + shell);

        long t0 = System.nanoTime();
        SERVER.shell("bundle:start org.callpark.sip");
        HttpResponse<String> back = awaitHealth(200, 30_000);
        assertEquals("UP", new ObjectMapper().readTree(back.body()).get("checks").get("sip").asText());
        System.out.printf("[systests] health: 503 while sip stopped (%s), 200 again %d ms after bundle:start%n",
                down.body(), (System.nanoTime() - t0) / 1_000_000);
    }

    private static HttpResponse<String> awaitHealth(int status, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        HttpResponse<String> r;
        do {
            r = get("health", null, null, null);
            if (r.statusCode() == status) {
                return r;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        assertEquals(status, r.statusCode(), r.body());
        return r;
    }
}
