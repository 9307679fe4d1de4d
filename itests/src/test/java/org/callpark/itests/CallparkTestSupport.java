package org.callpark.itests;

import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.security.auth.Subject;

import org.apache.karaf.features.BootFinished;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Assert;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.ProbeBuilder;
import org.ops4j.pax.exam.TestProbeBuilder;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Shared Pax Exam setup (after Karaf's own {@code KarafTestSupport}): a forked Karaf on its own ports, Karaf's Java 17
 * module flags, the exam feature from the local repository, and helpers to wait for services and run shell commands.
 */
public abstract class CallparkTestSupport {

    /** Bundle symbolic names of ours that the {@code callpark} feature installs. */
    protected static final List<String> OUR_BUNDLES = List.of("org.callpark.api", "org.callpark.park",
            "org.callpark.sip", "org.callpark.xmpp", "org.callpark.media", "org.callpark.ui");

    protected static final long SERVICE_TIMEOUT_MS = 30_000;

    @Inject
    protected BundleContext bundleContext;

    @Inject
    @Filter(timeout = BOOT_TIMEOUT_MS)
    protected SessionFactory sessionFactory;

    /**
     * Injected only once the boot features are installed: the tests start on a finished boot. Pax Exam waits 10 s for
     * an injected service unless told otherwise; a boot on a loaded 2-core machine took longer (CI: "gave up waiting
     * for service BootFinished" after 11 s), which says nothing about the bundles under test.
     */
    @Inject
    @Filter(timeout = BOOT_TIMEOUT_MS)
    protected BootFinished bootFinished;

    /** How long the injected services of a booting container may take: the same as {@code systemTimeout}. */
    protected static final long BOOT_TIMEOUT_MS = 120_000;

    private final ExecutorService executor = Executors.newCachedThreadPool();

    protected static String prop(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set (run through mvn verify)");
        }
        return value;
    }

    /** The containers' names, in the order their port blocks are laid out. */
    private static final List<String> CONTAINERS = List.of("assembly", "update", "shell", "stock", "adapters");

    /**
     * A port of container {@code name}: the configured base plus 10 per container, so that a container still shutting
     * down (slow on a loaded machine) never holds the next one's ports.
     */
    protected static String port(String property, String name) {
        int index = Math.max(0, CONTAINERS.indexOf(name));
        return String.valueOf(Integer.parseInt(prop(property)) + 10 * index);
    }

    protected static String fileUrl(String path) {
        return new File(path).toURI().toString();
    }

    /** Everything but the distribution itself. */
    protected static Option[] commonOptions(String name) {
        String karafVersion = prop("karaf.version");
        List<Option> options = new ArrayList<>(Arrays.asList(
                // what the test code needs inside the container JVM (it gets no system properties of this JVM)
                editConfigurationFilePut("etc/system.properties", "callpark.features", prop("callpark.features")),
                configureConsole().ignoreLocalConsole(),
                keepRuntimeFolder(),
                logLevel(LogLevel.WARN),
                systemTimeout(BOOT_TIMEOUT_MS),
                editConfigurationFilePut("etc/org.apache.karaf.features.cfg", "updateSnapshots", "none"),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port",
                        port("itest.http.port", name)),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", port("itest.ssh.port", name)),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort",
                        port("itest.rmi.registry.port", name)),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort",
                        port("itest.rmi.server.port", name)),
                // the exam feature's bundles come from the build's local repository; nothing remote
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        prop("exam.localRepository")),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""),
                // our own Hazelcast member: own port, own cluster, alone (a dev server on 5701 must not join)
                editConfigurationFilePut("etc/org.callpark.cluster.cfg", "port", port("itest.hazelcast.port", name)),
                editConfigurationFilePut("etc/org.callpark.cluster.cfg", "clusterName", "callpark-itest-" + name),
                editConfigurationFilePut("etc/org.callpark.cluster.cfg", "members", ""),
                // SIP and RTP on ports of their own too (a dev server may hold 5060 and 20000+)
                editConfigurationFilePut("etc/org.callpark.sip.cfg", "port", port("itest.sip.port", name)),
                editConfigurationFilePut("etc/org.callpark.media.cfg", "rtpPortMin",
                        String.valueOf(16000 + 100 * Math.max(0, CONTAINERS.indexOf(name)))),
                editConfigurationFilePut("etc/org.callpark.media.cfg", "rtpPortMax",
                        String.valueOf(16099 + 100 * Math.max(0, CONTAINERS.indexOf(name)))),
                editConfigurationFilePut("etc/branding.properties", "welcome", ""),
                editConfigurationFilePut("etc/branding-ssh.properties", "welcome", ""),
                // Pax Exam builds its own java command line: Karaf's Java 9+ flags (bin/karaf), heap, Hazelcast's
                vmOptions(prop("itest.heap"),
                        "--add-reads=java.xml=java.logging",
                        "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                        "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
                        "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
                        "--add-opens", "java.base/java.security=ALL-UNNAMED",
                        "--add-opens", "java.base/java.net=ALL-UNNAMED",
                        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                        "--add-opens", "java.base/java.util=ALL-UNNAMED",
                        "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                        "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                        "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
                        "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                        "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                        "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                        "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
                        // Hazelcast (as bin/setenv of the assembly)
                        "--add-modules", "java.se",
                        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
                        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                        "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*")));
        return options.toArray(new Option[0]);
    }

    protected static Option distribution(String frameworkFile, String name) {
        return karafDistributionConfiguration()
                .frameworkUrl(fileUrl(frameworkFile))
                .karafVersion(prop("karaf.version"))
                .name(name)
                .unpackDirectory(new File("target/exam/" + name))
                .useDeployFolder(false);
    }

    protected static Option[] concat(Option[] a, Option... b) {
        Option[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @ProbeBuilder
    public TestProbeBuilder probeConfiguration(TestProbeBuilder probe) {
        // org.callpark.api appears only once the feature is installed: import it (and all else) lazily
        probe.setHeader(Constants.DYNAMICIMPORT_PACKAGE, "*");
        return probe;
    }

    // ---------------------------------------------------------------- helpers

    protected Bundle bundle(String symbolicName) {
        return Arrays.stream(bundleContext.getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    /** Waits until every given bundle is ACTIVE; fails naming the ones that are not. */
    protected void assertBundlesActive(List<String> symbolicNames, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        List<String> notActive;
        do {
            notActive = symbolicNames.stream()
                    .filter(n -> bundle(n) == null || bundle(n).getState() != Bundle.ACTIVE)
                    .collect(Collectors.toList());
            if (notActive.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        Assert.fail("not ACTIVE after " + timeoutMs + " ms: " + notActive.stream()
                .map(n -> n + "=" + (bundle(n) == null ? "missing" : stateName(bundle(n).getState())))
                .collect(Collectors.joining(", ")));
    }

    protected static String stateName(int state) {
        switch (state) {
            case Bundle.ACTIVE: return "ACTIVE";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            default: return "UNINSTALLED";
        }
    }

    /** Waits (ServiceTracker) for a service by interface name; fails with the name if it does not come. */
    protected ServiceReference<?> awaitService(String className, long timeoutMs) throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(bundleContext,
                FrameworkUtil.createFilter("(" + Constants.OBJECTCLASS + "=" + className + ")"), null);
        tracker.open(true);
        try {
            Object service = tracker.waitForService(timeoutMs);
            Assert.assertNotNull("service " + className + " not registered within " + timeoutMs + " ms", service);
            return tracker.getServiceReference();
        } finally {
            tracker.close();
        }
    }

    /** Waits for a service of the type whose service.id differs from {@code oldServiceId}. */
    protected <T> ServiceReference<T> awaitNewService(Class<T> type, long oldServiceId, long timeoutMs)
            throws Exception {
        String filter = "(&(" + Constants.OBJECTCLASS + "=" + type.getName() + ")(!(" + Constants.SERVICE_ID + "="
                + oldServiceId + ")))";
        ServiceTracker<T, T> tracker = new ServiceTracker<>(bundleContext, FrameworkUtil.createFilter(filter), null);
        tracker.open(true);
        try {
            Assert.assertNotNull("no new " + type.getName() + " (service.id != " + oldServiceId + ") within "
                    + timeoutMs + " ms", tracker.waitForService(timeoutMs));
            @SuppressWarnings("unchecked")
            ServiceReference<T> ref = (ServiceReference<T>) tracker.getServiceReference();
            return ref;
        } finally {
            tracker.close();
        }
    }

    /** Commands register asynchronously (per bundle, by the shell's extender): wait until this one is there. */
    protected void waitForCommand(String commandLine, long timeoutMs) throws InterruptedException {
        String word = commandLine.trim().split("\\s+")[0];
        String[] scopeName = word.split(":", 2);
        if (scopeName.length < 2) {
            return;
        }
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (sessionFactory.getRegistry().getCommand(scopeName[0], scopeName[1]) == null) {
            if (System.currentTimeMillis() > deadline) {
                Assert.fail("shell command " + word + " not registered within " + timeoutMs + " ms");
            }
            Thread.sleep(100);
        }
    }

    /** Runs a command in a Karaf shell session, as KarafTestSupport.executeCommand, and returns what it printed. */
    /** Waits until the DS component {@code name} is active with a service registered (property component.name). */
    protected ServiceReference<?> awaitComponent(String name, long timeoutMs) throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(bundleContext,
                FrameworkUtil.createFilter("(component.name=" + name + ")"), null);
        tracker.open(true);
        try {
            Object service = tracker.waitForService(timeoutMs);
            Assert.assertNotNull("component " + name + " not active within " + timeoutMs + " ms", service);
            return tracker.getServiceReference();
        } finally {
            tracker.close();
        }
    }

    protected String executeCommand(String command) throws Exception {
        return executeCommand(command, 30);
    }

    protected String executeCommand(String command, int timeoutSeconds) throws Exception {
        waitForCommand(command, 30_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(System.in, print, print);
        try {
            // as an administrator: commands under an ACL (feature:install, bundle:update ...) are hidden otherwise
            Subject admin = new Subject();
            for (String role : new String[] {"admin", "manager", "viewer", "systembundles"}) {
                admin.getPrincipals().add(new RolePrincipal(role));
            }
            Future<Object> result = executor.submit(() -> Subject.doAs(admin,
                    (PrivilegedExceptionAction<Object>) () -> session.execute(command)));
            Object value = result.get(timeoutSeconds, TimeUnit.SECONDS);
            if (value != null) {
                session.getConsole().println(value.toString());
            }
            print.flush();
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            session.close();
        }
    }
}
