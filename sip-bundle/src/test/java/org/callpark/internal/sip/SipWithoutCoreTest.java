package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The SIP server while the park core is away ({@code bundle:update org.callpark.park}): the test unbinds the
 * {@code CallParkService} and {@code DirectoryService} from the running server as SCR does and binds them again. New
 * requests get {@code 503} with {@code Retry-After}; the parked caller's dialog goes on (OPTIONS, BYE) and its hang-up
 * ends the call once the core is back; then parks and retrieves work again on the same stack. The real park core, a
 * recording media fake and sipp as the phones, as in {@link SipServerTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipWithoutCoreTest {

    private static final TenantId DEFAULT = TenantId.DEFAULT;
    private static final String LOCAL = "127.0.0.1";

    private SipTestCore core;
    private RecordingMedia media;
    private SipServer server;
    private int port;
    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws IOException {
        Sipp.requireSipp();
        core = new SipTestCore("node-1");
        media = new RecordingMedia();
        port = freePort(27060 + ThreadLocalRandom.current().nextInt(400) * 2);
        TestSipConfig sip = new TestSipConfig();
        sip.port = port;
        server = new SipServer(core.service(), core.directory(), media, new Registrations(() -> null),
                () -> "node-1", sip, k -> null, k -> null);
        core.addListener(server);
        core.addListener(events::add);
    }

    @AfterAll
    void stop() {
        SipTests.stopAll(server, core, media, null);
    }

    @AfterEach
    void coreBackAndNoCallLeftBehind() throws ParkException {
        coreComesBack();
        SipTests.endAll(core.service());
        events.clear();
    }

    @Test
    void whileTheCoreIsAwayNewRequestsGet503_theParkedCallerHangsUp_endedAbandonedWhenTheCoreIsBack()
            throws Exception {
        Sipp caller = sipp("park_options_bye").service("*68").key("referrer", "101").pause(3000).start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(DEFAULT, "101"), media.log);
        coreGoesAway();

        // (a) new requests: 503 with Retry-After (the scenarios check both), nothing parked
        sipp("park_unavailable").service("*68").key("referrer", "102").name("park-while-away").run();
        sipp("options_unavailable").service("park").name("options-while-away").run();
        sipp("register_unavailable").service("106").key("from_user", "106")
                .name("register-while-away").run();
        sipp("subscribe_unavailable").service("*88101").key("from_user", "101")
                .name("subscribe-while-away").run();
        assertEquals(List.of(call.id()), core.service().list().stream().map(ParkedCall::id).toList(),
                "the refused park parked nothing");

        // (b) the parked caller: OPTIONS in its dialog 200, then its BYE 200 (the scenario checks both)
        caller.run();
        SipTests.await(() -> media.log.contains("close " + call.leg()), "the caller's media leg is closed");
        assertEquals(0, server.liveLegs(), "no dialog left on the stack");
        assertTrue(core.service().find(call.id()).isPresent(), "the call's end waits for the core");
        assertEquals(Map.of(call.id(), Resolution.ABANDONED), server.core().pendingEnds());
        assertTrue(finalEventsOf(call).isEmpty(), "no final event while the core is away");

        coreComesBack();
        assertTrue(core.service().find(call.id()).isEmpty(), "ended as soon as the core is back");
        SipTests.await(() -> !finalEventsOf(call).isEmpty(), "the call's final event");
        Thread.sleep(200); // a second final event would come as soon
        assertEquals(List.of(ParkEvent.Type.ABANDONED), finalEventsOf(call), "exactly one final event: ABANDONED");
        assertTrue(server.core().pendingEnds().isEmpty());
    }

    @Test
    void afterTheCoreIsBackParkAndRetrieveWorkOnTheSameStack() throws Exception {
        coreGoesAway();
        sipp("park_unavailable").service("*68").key("referrer", "101").name("park-while-away-2").run();
        coreComesBack();

        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "101").start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(DEFAULT, "101"), media.log);
        SipTests.await(() -> media.log.contains("hold " + call.leg()), "the caller hears the hold music");
        sipp("retrieve").service("*88").auth("101", "pass101").pause(300).run();
        caller.run(); // our BYE after the retriever hung up
        assertEquals(1, media.lines("bridge " + call.leg()).size(), media.log.toString());
        assertTrue(events.stream().anyMatch(e -> e.type() == ParkEvent.Type.RETRIEVED
                && e.call().id().equals(call.id())), events.toString());
        sipp("options").key("from_user", "101").name("options-after-core-back").run();
    }

    @Test
    void unbindingAServiceThatIsNotTheBoundOneKeepsTheCore() throws Exception {
        // a greedy reference binds a new service before it unbinds the old one
        try (SipTestCore old = new SipTestCore("node-1")) {
            server.unbindService(old.service());
            server.unbindDirectory(old.directory());
        }
        Sipp caller = sipp("park_wait_bye").service("*68").key("referrer", "103").start();
        ParkedCall call = SipTests.awaitParked(core.service(), SlotId.extension(DEFAULT, "103"), media.log);
        core.service().end(call.id(), Resolution.FORCED);
        caller.run();
        assertFalse(core.service().find(call.id()).isPresent());
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** As SCR does when park-bundle's services are unregistered. */
    private void coreGoesAway() {
        server.unbindService(core.service());
        server.unbindDirectory(core.directory());
    }

    /** As SCR does when they are registered again. */
    private void coreComesBack() {
        server.bindService(core.service());
        server.bindDirectory(core.directory());
    }

    private List<ParkEvent.Type> finalEventsOf(ParkedCall call) {
        synchronized (events) {
            return events.stream().filter(e -> e.type().isFinal() && e.call().id().equals(call.id()))
                    .map(ParkEvent::type).toList();
        }
    }

    private Sipp sipp(String scenario) {
        return Sipp.scenario(scenario, port).key("domain", LOCAL).key("from_user", "+4930123")
                .key("from_name", "Customer");
    }

    private static int freePort(int from) throws IOException {
        for (int p = from; p < from + 400; p += 2) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket u = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException e) {
                // next
            }
        }
        throw new IOException("no free port from " + from);
    }
}
