package org.callpark.itests;

import java.util.List;

import org.callpark.api.CallParkService;
import org.callpark.api.CallerId;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * Hot redeploy: {@code bundle:update org.callpark.park} restarts the park bundle's components; the parked calls live
 * in the Hazelcast member owned by the hazelcast bundle, so they survive. Each adapter bundle (SIP, XMPP, UI) can be
 * updated, stopped and started alone without touching the core. Calls here are parked through the Java API only, so
 * this class checks the OSGi side (same bundle updated in place, services back, the core's service not replaced by an
 * adapter's restart). The same updates with callers parked over real SIP — sipp callers still parked, no BYE, hold
 * music with its longest silence, re-INVITEs, a SIP retrieve at the end, and the XMPP presence re-sent to a prosody
 * client — are {@link AdapterUpdateWithSipCallsIT} (same kind of container); the longer sequence of a running node
 * (ten callers, SIP config changes, the SIP component off and on) is the system test {@code HotUpdateST}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class BundleUpdateIT extends CallparkTestSupport {

    @Configuration
    public Option[] config() {
        return concat(commonOptions("update"), distribution(prop("callpark.assembly"), "update"));
    }

    @Test
    public void step1BundleUpdatesInPlace() throws Exception {
        assertBundlesActive(OUR_BUNDLES, 30_000);
        Bundle before = bundle("org.callpark.park");
        long id = before.getBundleId();
        long modified = before.getLastModified();
        executeCommand("bundle:update org.callpark.park");
        assertBundlesActive(OUR_BUNDLES, 30_000);
        Bundle after = bundle("org.callpark.park");
        Assert.assertEquals("same bundle, updated in place", id, after.getBundleId());
        Assert.assertTrue("bundle was not updated", after.getLastModified() > modified);
    }

    @Test
    public void step2ParkedCallSurvivesUpdate() throws Exception {
        ServiceReference<?> ref = awaitService("org.callpark.api.CallParkService", SERVICE_TIMEOUT_MS);
        long oldServiceId = (Long) ref.getProperty(Constants.SERVICE_ID);
        CallParkService park = (CallParkService) bundleContext.getService(ref);
        ParkedCall parked = park.park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension("101"), "102",
                CallerId.of("+4930123", "Customer"), ""));
        bundleContext.ungetService(ref);

        executeCommand("bundle:update org.callpark.park");

        ServiceReference<CallParkService> newRef = awaitNewService(CallParkService.class, oldServiceId,
                SERVICE_TIMEOUT_MS);
        CallParkService updated = bundleContext.getService(newRef);
        try {
            List<ParkedCall> calls = updated.list();
            ParkedCall survivor = calls.stream().filter(c -> c.id().equals(parked.id())).findFirst().orElse(null);
            Assert.assertNotNull("call " + parked.id() + " lost by the update; list: " + calls, survivor);
            Assert.assertEquals(parked.caller(), survivor.caller());
        } finally {
            bundleContext.ungetService(newRef);
        }
    }

    /**
     * Each adapter bundle on its own, while the others keep running: updated, then stopped and started again. Its
     * services come back (SIP: the call carrier and the drain; XMPP: its park event listener), every bundle of ours is
     * active again, and a call parked before is still parked, served by the same core.
     */
    @Test
    public void step3EachAdapterBundleUpdatedStoppedAndStartedAlone() throws Exception {
        ServiceReference<?> ref = awaitService("org.callpark.api.CallParkService", SERVICE_TIMEOUT_MS);
        long coreId = (Long) ref.getProperty(Constants.SERVICE_ID);
        CallParkService park = (CallParkService) bundleContext.getService(ref);
        try {
            ParkedCall parked = park.park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension("103"), "102",
                    CallerId.of("+4930999", "Adapter test"), ""));
            for (String adapter : List.of("org.callpark.sip", "org.callpark.xmpp", "org.callpark.ui")) {
                for (String command : List.of("bundle:update ", "bundle:stop ", "bundle:start ")) {
                    executeCommand(command + adapter);
                    if (!command.equals("bundle:stop ")) {
                        assertBundlesActive(OUR_BUNDLES, 30_000);
                    }
                }
                if (adapter.equals("org.callpark.sip")) {
                    awaitService("org.callpark.spi.CallCarrier", SERVICE_TIMEOUT_MS);
                    awaitService("org.callpark.spi.NodeDrain", SERVICE_TIMEOUT_MS);
                }
                Assert.assertEquals("the core was not restarted by " + adapter, coreId,
                        (long) (Long) awaitService("org.callpark.api.CallParkService", SERVICE_TIMEOUT_MS)
                                .getProperty(Constants.SERVICE_ID));
                Assert.assertTrue("call " + parked.id() + " still parked after " + adapter + " went and came back",
                        park.find(parked.id()).filter(ParkedCall::isLive).isPresent());
            }
            park.end(parked.id(), org.callpark.api.Resolution.FORCED);
        } finally {
            bundleContext.ungetService(ref);
        }
    }
}
