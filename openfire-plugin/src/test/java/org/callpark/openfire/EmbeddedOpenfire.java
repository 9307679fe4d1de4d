package org.callpark.openfire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import org.jivesoftware.openfire.XMPPServer;
import org.jivesoftware.openfire.container.Plugin;
import org.jivesoftware.openfire.user.UserManager;
import org.jivesoftware.util.JiveGlobals;

/**
 * An Openfire 4.2.0 server in this JVM, for tests: a fresh home directory, the embedded HSQLDB database, one plain
 * client port on the loopback interface and every other listener off. Plugin JARs given to {@link #start} are copied
 * into {@code plugins/} and loaded by Openfire's own {@code PluginManager}, as on a real server.
 * <p>
 * What Openfire 4.2.0 needs to run this way on Java 17 (see STACK.md): {@code conf/openfire.xml} with
 * {@code setup=true} and the embedded connection provider, {@code conf/security.xml}, the schema script in
 * {@code resources/database/} (the jar on Maven Central does not carry it: ours is in the test resources), empty key
 * stores in {@code resources/security/}, an {@code admin} plugin (Openfire loads the plugin named "admin" before any
 * other and opens its ports only once the plugin monitor ran: ours is {@link StandInAdminPlugin}, no web console),
 * and the system properties written with {@link JiveGlobals#setProperty} before {@code new XMPPServer()}.
 * Openfire keeps one server per JVM ({@code XMPPServer} is a singleton that is never reset): start it once per test
 * class (Surefire forks a JVM per module).
 */
final class EmbeddedOpenfire implements AutoCloseable {

    /** The key store password Openfire 4.2.0 uses by default. */
    private static final char[] STORE_PASSWORD = "changeit".toCharArray();

    private final Path home;
    private final String domain;
    private final int clientPort;
    private final XMPPServer server;

    private EmbeddedOpenfire(Path home, String domain, int clientPort, XMPPServer server) {
        this.home = home;
        this.domain = domain;
        this.clientPort = clientPort;
        this.server = server;
    }

    /**
     * Lays out a fresh home in {@code home} (deleted first), deploys {@code pluginJars}, starts the server and waits
     * until the client port accepts connections.
     *
     * @param extraProperties further Openfire system properties (e.g. a plugin's settings), set before the start
     */
    static EmbeddedOpenfire start(Path home, String domain, int clientPort, List<Path> pluginJars,
            Map<String, String> extraProperties, Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(domain, "domain");
        deleteTree(home);
        layOutHome(home);
        for (Path jar : pluginJars) {
            Files.copy(jar, home.resolve("plugins").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }

        System.setProperty("openfireHome", home.toString());
        JiveGlobals.setHomeDirectory(home.toString());
        JiveGlobals.setConfigName("conf/openfire.xml");
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("xmpp.domain", domain);
        properties.put("xmpp.fqdn", "localhost");
        properties.put("xmpp.socket.plain.port", Integer.toString(clientPort));
        properties.put("xmpp.socket.tcp-nodelay", "true");
        properties.put("xmpp.client.tls.policy", "disabled");
        properties.put("xmpp.socket.ssl.active", "false");
        properties.put("xmpp.server.socket.active", "false");
        properties.put("xmpp.component.socket.active", "false");
        properties.put("xmpp.component.ssl.active", "false");
        properties.put("xmpp.multiplex.socket.active", "false");
        properties.put("xmpp.multiplex.ssl.active", "false");
        properties.put("xmpp.proxy.enabled", "false");
        properties.put("httpbind.enabled", "false");
        properties.put("mediaproxy.enabled", "false");
        properties.put("multicastDNS.enabled", "false");
        properties.put("update.service-enabled", "false");
        properties.put("update.notify-admins", "false");
        properties.putAll(extraProperties);
        // The first setProperty opens the embedded database and runs the schema script.
        properties.forEach(JiveGlobals::setProperty);

        XMPPServer server = new XMPPServer();
        if (!server.isStarted()) {
            throw new IllegalStateException("Openfire did not start; see its log in " + home.resolve("logs"));
        }
        EmbeddedOpenfire openfire = new EmbeddedOpenfire(home, domain, clientPort, server);
        openfire.awaitClientPort(timeout);
        return openfire;
    }

    String domain() {
        return domain;
    }

    int clientPort() {
        return clientPort;
    }

    Path home() {
        return home;
    }

    XMPPServer server() {
        return server;
    }

    /** Creates a user in Openfire's own user store. */
    void createUser(String username, String password) throws Exception {
        UserManager.getInstance().createUser(username, password, username, null);
    }

    /** Waits until the plugin monitor has loaded the plugin {@code name} (the JAR's name, lower case). */
    Plugin awaitPlugin(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Plugin plugin = server.getPluginManager().getPlugin(name);
            if (plugin != null) {
                return plugin;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("Openfire did not load plugin '" + name + "' within " + timeout
                + "; plugins dir: " + home.resolve("plugins"));
    }

    private void awaitClientPort(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Openfire's client port " + clientPort + " did not open within "
                            + timeout);
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    private static void layOutHome(Path home) throws IOException {
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("logs"));
        Files.writeString(conf.resolve("openfire.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <jive>
                  <setup>true</setup>
                  <locale>en</locale>
                  <network><interface>127.0.0.1</interface></network>
                  <adminConsole><interface>127.0.0.1</interface><port>-1</port><securePort>-1</securePort></adminConsole>
                  <connectionProvider>
                    <className>org.jivesoftware.database.EmbeddedConnectionProvider</className>
                  </connectionProvider>
                </jive>
                """, StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("security.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <security>
                  <encrypt><algorithm>Blowfish</algorithm><key><current/></key></encrypt>
                </security>
                """, StandardCharsets.UTF_8);

        Path database = Files.createDirectories(home.resolve("resources").resolve("database"));
        try (InputStream schema = EmbeddedOpenfire.class.getResourceAsStream("/openfire/openfire_hsqldb.sql")) {
            Files.copy(Objects.requireNonNull(schema, "openfire_hsqldb.sql on the test class path"),
                    database.resolve("openfire_hsqldb.sql"));
        }

        Path security = Files.createDirectories(home.resolve("resources").resolve("security"));
        for (String store : List.of("keystore", "truststore", "client.truststore")) {
            writeEmptyKeyStore(security.resolve(store));
        }

        Path admin = Files.createDirectories(home.resolve("plugins").resolve("admin"));
        Files.writeString(admin.resolve("plugin.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <plugin>
                  <class>%s</class>
                  <name>Admin Console (test stand-in)</name>
                  <version>4.2.0</version>
                </plugin>
                """.formatted(StandInAdminPlugin.class.getName()), StandardCharsets.UTF_8);
    }

    private static void writeEmptyKeyStore(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            KeyStore store = KeyStore.getInstance("JKS");
            store.load(null, STORE_PASSWORD);
            store.store(out, STORE_PASSWORD);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write key store " + file, e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
