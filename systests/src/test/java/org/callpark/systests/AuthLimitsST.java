package org.callpark.systests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14 R3 against the real assembly: ten wrong passwords lock the source out of the REST login (429 with
 * Retry-After, then even {@code karaf/karaf} is refused) and out of SIP digest (sipp retrieves as 102: 403 ten times,
 * then 503 without a challenge); every failure is a line in {@code karaf.log} that the shipped fail2ban filter
 * ({@code docs/fail2ban/callpark.conf}) matches with the right source (checked in Java, and with {@code fail2ban-regex}
 * when it is on the PATH). Usual single-server ports. ~25 s
 */
class AuthLimitsST {

    @RegisterExtension
    static final AssemblyServer SERVER = new AssemblyServer();

    private static final String SESSION = "http://127.0.0.1:" + AssemblyServer.HTTP_PORT + "/callpark/api/v1/session";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path FILTER = Path.of("..", "docs", "fail2ban", "callpark.conf");

    @Test
    void wrongPasswordsLockTheSourceOutAndEveryFailureIsAFail2banLine() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(401, login("karaf", "guess" + i).statusCode(), "attempt " + i);
        }
        HttpResponse<String> locked = login("karaf", "karaf");
        assertEquals(429, locked.statusCode(), "the right password while locked: " + locked.body());
        assertTrue(locked.body().contains("TOO_MANY_FAILURES"), locked.body());
        long retryAfter = Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);

        for (int i = 0; i < 10; i++) {
            Sipp.scenario("refused_auth", SERVER).service("*88101").name("guess-" + i).from("Alice", "102")
                    .auth("102", "guess" + i).set("EXPECT", "403").run();
        }
        Sipp.scenario("refused", SERVER).service("*88101").name("locked").from("Alice", "102").set("EXPECT", "503")
                .run();

        List<String> lines = SERVER.karafLog().lines().filter(l -> l.contains("callpark auth failure:")).toList();
        assertEquals(10, lines.stream().filter(l -> l.contains("service=rest ")).count(), String.join("\n", lines));
        assertEquals(10, lines.stream().filter(l -> l.contains("service=sip ")).count(), String.join("\n", lines));
        Pattern failregex = Pattern.compile(Files.readAllLines(FILTER).stream().filter(l -> l.startsWith("failregex"))
                .findFirst().orElseThrow().replaceFirst("failregex\\s*=\\s*", "")
                .replace("<HOST>", "(?<host>[0-9A-Fa-f.:]+)"));
        for (String line : lines) {
            Matcher m = failregex.matcher(line.replaceFirst("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,\\d{3}", ""));
            assertTrue(m.find(), "the filter misses: " + line);
            assertEquals("127.0.0.1", m.group("host"), line);
        }
        Path tool = Stream.of(System.getenv("PATH").split(":")).map(p -> Path.of(p, "fail2ban-regex"))
                .filter(Files::isExecutable).findFirst().orElse(null);
        if (tool != null) {
            Process p = new ProcessBuilder(tool.toString(), SERVER.home().resolve("data/log/karaf.log").toString(),
                    FILTER.toAbsolutePath().toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            System.out.println("[systests] fail2ban-regex on karaf.log: " + out.lines()
                    .filter(l -> l.startsWith("Lines:")).findFirst().orElse(out));
            assertTrue(out.contains(", 20 matched,"), out);
        }
    }

    private static HttpResponse<String> login(String user, String password) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(SESSION)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\",\"password\":\"" + password
                        + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
