package org.callpark.itests;

import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.util.ArrayList;
import java.util.List;

import org.junit.Assert;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A stock Apache Karaf 4.4 (not our assembly): {@code feature:repo-add} of the built features xml and
 * {@code feature:install callpark}, as an administrator would do it. Our bundles are found without any
 * {@code mvn install}: the container's mvn: handler first looks into the freshly built assembly's {@code system/}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FeatureInstallIT extends CallparkTestSupport {

    @Configuration
    public Option[] config() {
        return concat(commonOptions("stock"),
                distribution(prop("karaf.stock"), "stock"),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                        "${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots,"
                                + "${karaf.data.uri}kar@id=kar.repository@multi@snapshots,"
                                + fileUrl(prop("callpark.assembly.system")) + "@id=callpark@snapshots"));
    }

    @Test
    public void step1FeatureInstallsIntoStockKaraf() throws Exception {
        String repo = fileUrl(System.getProperty("callpark.features"));
        executeCommand("feature:repo-add " + repo);
        // --no-auto-refresh: the media feature brings JNA, which jline (the shell's terminal) imports optionally; an
        // auto-refresh would restart the shell and this very test probe (wired to the shell API) mid-command. An
        // administrator at the console sees the same: their session is restarted. docs/build-and-run.md says so.
        executeCommand("feature:install --no-auto-refresh callpark", 120);
        String installed = executeCommand("feature:list -i");
        for (String feature : List.of("callpark-deps", "callpark-park", "callpark-sip", "callpark-xmpp", "callpark-media",
                "callpark-ui", "callpark-ops", "callpark-history", "callpark ")) {
            Assert.assertTrue(feature + " not installed:\n" + installed, installed.contains(feature));
        }
        List<String> bundles = new ArrayList<>(OUR_BUNDLES);
        bundles.add("com.hazelcast");
        bundles.add("org.callpark.ops"); // metrics and health; micrometer-core re-wrapped (com.sun.management optional)
        bundles.add("micrometer-core");
        bundles.add("org.callpark.history");
        bundles.add("com.h2database");
        bundles.add("org.postgresql.jdbc");
        assertBundlesActive(bundles, 30_000);
        Assert.assertTrue("etc/org.callpark.directory.cfg not delivered by the feature",
                new java.io.File(System.getProperty("karaf.etc"), "org.callpark.directory.cfg").isFile());
        Assert.assertTrue("etc/org.callpark.xmpp.cfg not delivered by the feature",
                new java.io.File(System.getProperty("karaf.etc"), "org.callpark.xmpp.cfg").isFile());
    }

    @Test
    public void step2ServicesRegistered() throws Exception {
        awaitService("org.callpark.api.CallParkService", SERVICE_TIMEOUT_MS);
        awaitService("org.callpark.api.DirectoryService", SERVICE_TIMEOUT_MS);
        // the park history (embedded H2 through H2's own DataSourceFactory, which needs org.osgi.service.jdbc)
        awaitService("org.callpark.api.history.ParkHistory", SERVICE_TIMEOUT_MS);
        awaitService("org.osgi.service.jdbc.DataSourceFactory", SERVICE_TIMEOUT_MS);
        // ui-bundle's DS components are satisfied (the SSE hub, which the REST servlet needs, is a ParkEventListener)
        awaitService("org.callpark.ui.internal.EventStreams", SERVICE_TIMEOUT_MS);
        // The ops bundle's registry, and the park, SIP and media bundles' health checks (their meters are bound)
        awaitService("io.micrometer.core.instrument.MeterRegistry", SERVICE_TIMEOUT_MS);
        awaitService("org.callpark.spi.health.HealthCheck", SERVICE_TIMEOUT_MS);
        // The XMPP entry point activates (embedded Tinder/Whack resolve) without any XMPP server running.
        awaitComponent("org.callpark.internal.xmpp.XmppEntryPoint", SERVICE_TIMEOUT_MS);
        // The directory publisher (no service of its own) is active: it feeds callpark.directory to the Openfire plugin.
        awaitScrActive("org.callpark.internal.cluster.DirectoryPublisher", SERVICE_TIMEOUT_MS);
    }

    /**
     * Waits until Declarative Services reports the component {@code name} ACTIVE (for components that register no
     * service). Through the ServiceComponentRuntime service by reflection: its API is not on this module's class path.
     */
    private void awaitScrActive(String name, long timeoutMs) throws Exception {
        final int active = 8; // ComponentConfigurationDTO.ACTIVE
        long deadline = System.currentTimeMillis() + timeoutMs;
        String seen = "not found";
        while (System.currentTimeMillis() < deadline) {
            org.osgi.framework.ServiceReference<?> ref = bundleContext
                    .getServiceReference("org.osgi.service.component.runtime.ServiceComponentRuntime");
            if (ref != null) {
                Object scr = bundleContext.getService(ref);
                try {
                    java.lang.reflect.Method descriptions = scr.getClass().getMethod("getComponentDescriptionDTOs",
                            org.osgi.framework.Bundle[].class);
                    for (Object d : (java.util.Collection<?>) descriptions.invoke(scr,
                            (Object) new org.osgi.framework.Bundle[0])) {
                        if (!name.equals(d.getClass().getField("name").get(d))) {
                            continue;
                        }
                        java.lang.reflect.Method configurations = java.util.Arrays.stream(scr.getClass().getMethods())
                                .filter(m -> m.getName().equals("getComponentConfigurationDTOs")).findFirst()
                                .orElseThrow();
                        java.util.List<Object> states = new java.util.ArrayList<>();
                        for (Object c : (java.util.Collection<?>) configurations.invoke(scr, d)) {
                            Object state = c.getClass().getField("state").get(c);
                            states.add(state);
                            if (Integer.valueOf(active).equals(state)) {
                                return;
                            }
                        }
                        seen = "states " + states;
                    }
                } finally {
                    bundleContext.ungetService(ref);
                }
            }
            Thread.sleep(250);
        }
        Assert.fail("component " + name + " not ACTIVE within " + timeoutMs + " ms (" + seen + ")");
    }
}
