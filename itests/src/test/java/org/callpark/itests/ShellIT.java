package org.callpark.itests;

import java.util.Optional;

import org.callpark.api.CallParkService;
import org.callpark.api.CallerId;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.TenantId;
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
import org.osgi.framework.ServiceReference;

/** The park shell commands answer in a Karaf session of our assembly. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ShellIT extends CallparkTestSupport {

    @Configuration
    public Option[] config() {
        return concat(commonOptions("shell"), distribution(prop("callpark.assembly"), "shell"));
    }

    @Test
    public void step1ShellSessionRunsCommands() throws Exception {
        assertBundlesActive(OUR_BUNDLES, 30_000);
        String out = executeCommand("bundle:list -s");
        Assert.assertTrue(out, out.contains("org.callpark.park"));
    }

    @Test
    public void step2DirectoryCommands() throws Exception {
        awaitService("org.callpark.api.DirectoryService", SERVICE_TIMEOUT_MS);
        String groups = executeCommand("park:groups");
        Assert.assertTrue(groups, groups.contains("Sales"));
        Assert.assertTrue(groups, groups.contains("Reception"));
        for (String member : new String[] {"101", "102", "103"}) {
            Assert.assertTrue("Sales member " + member + " missing:\n" + groups, groups.contains(member));
        }
        String sales = executeCommand("park:group Sales");
        Assert.assertTrue(sales, sales.contains("Sales") && sales.contains("101"));
        String tenants = executeCommand("park:tenants");
        Assert.assertTrue(tenants, tenants.contains("default"));
        String users = executeCommand("park:users");
        Assert.assertTrue(users, users.contains("101"));
    }

    @Test
    public void step3ListShowsParkedCall() throws Exception {
        ServiceReference<?> ref = awaitService("org.callpark.api.CallParkService", SERVICE_TIMEOUT_MS);
        CallParkService park = (CallParkService) bundleContext.getService(ref);
        try {
            park.park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension("101"), "102",
                    CallerId.of("+4930123", "Customer"), ""));
            String list = executeCommand("park:list");
            Assert.assertTrue(list, list.contains("+4930123") || list.contains("Customer"));
        } finally {
            Optional.ofNullable(ref).ifPresent(bundleContext::ungetService);
        }
    }
}
