package org.callpark.itests;

import java.io.File;
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

/** Our assembly boots with the callpark feature: every bundle ACTIVE, the services there, etc/ delivered. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class AssemblyBootIT extends CallparkTestSupport {

    @Configuration
    public Option[] config() {
        return concat(commonOptions("assembly"), distribution(prop("callpark.assembly"), "assembly"));
    }

    @Test
    public void step1BootsWithCallparkFeature() throws Exception {
        List<String> bundles = new ArrayList<>(OUR_BUNDLES);
        bundles.addAll(List.of("com.hazelcast", "org.apache.felix.scr", "org.apache.karaf.shell.core"));
        assertBundlesActive(bundles, 30_000);
        String installed = executeCommand("feature:list -i");
        Assert.assertTrue(installed, installed.contains("callpark "));
        Assert.assertTrue(installed, installed.contains("http-whiteboard"));
        File etc = new File(System.getProperty("karaf.etc"));
        Assert.assertTrue("etc/org.callpark.directory.cfg missing", new File(etc, "org.callpark.directory.cfg").isFile());
        Assert.assertTrue("etc/org.callpark.cluster.cfg missing", new File(etc, "org.callpark.cluster.cfg").isFile());
    }

    @Test
    public void step2ServicesRegistered() throws Exception {
        awaitService("org.callpark.api.CallParkService", SERVICE_TIMEOUT_MS);
        awaitService("org.callpark.api.DirectoryService", SERVICE_TIMEOUT_MS);
        // The XMPP entry point activates (embedded Tinder/Whack resolve) without any XMPP server running.
        awaitComponent("org.callpark.internal.xmpp.XmppEntryPoint", SERVICE_TIMEOUT_MS);
    }
}
