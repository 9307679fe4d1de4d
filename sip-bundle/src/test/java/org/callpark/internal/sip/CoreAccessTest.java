package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.TenantId;
import org.callpark.internal.SipTestCore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The holder of the park core: away and back, ends queued while away, stale unbinds. The real core, no SIP. */
class CoreAccessTest {

    private final SipTestCore core = new SipTestCore("node-1");
    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() {
        core.close();
    }

    @Test
    void awayThrowsCoreAwayUntilBoundAgain() {
        CoreAccess access = CoreAccess.unbound();
        assertThrows(CoreAwayException.class, access::service);
        assertThrows(CoreAwayException.class, access::directory);
        assertThrows(CoreAwayException.class, access::require);
        access.bind(core.service());
        access.bind(core.directory());
        assertThrows(CoreAwayException.class, access::require, "no cluster node was ever bound");
        assertSame(core.service(), access.service());
    }

    @Test
    void anEndWhileAwayIsAppliedOnceWhenTheServiceIsBoundAgain() throws Exception {
        core.addListener(events::add);
        ParkedCall call = core.service().park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension("101"), "101",
                CallerId.of("+4930123", "Customer"), "leg-1", ""));
        CoreAccess access = CoreAccess.of(core.service(), core.directory());
        access.unbind(core.service());

        access.endCall(call.id(), Resolution.ABANDONED);
        access.endCall(call.id(), Resolution.FAILED); // the first resolution queued wins
        assertTrue(core.service().find(call.id()).isPresent());
        assertEquals(Map.of(call.id(), Resolution.ABANDONED), access.pendingEnds());

        access.bind(core.service());
        access.bind(core.service()); // bound twice (a greedy re-binding): still one end
        assertTrue(core.service().find(call.id()).isEmpty());
        SipTests.await(() -> !finalEvents().isEmpty(), "the final event");
        Thread.sleep(100); // a second one would come as soon
        assertEquals(List.of(ParkEvent.Type.ABANDONED), finalEvents());
        assertTrue(access.pendingEnds().isEmpty());
    }

    private List<ParkEvent.Type> finalEvents() {
        synchronized (events) {
            return events.stream().filter(e -> e.type().isFinal()).map(ParkEvent::type).toList();
        }
    }

    @Test
    void unbindingAnotherInstanceKeepsTheBoundOne() {
        CoreAccess access = CoreAccess.of(core.service(), core.directory());
        try (SipTestCore old = new SipTestCore("node-1")) {
            access.unbind(old.service());
            access.unbind(old.directory());
        }
        assertSame(core.service(), access.service());
        assertSame(core.directory(), access.directory());
    }

    /** The SIP classes keep the holder, not a service: every call asks it, so an unbind is seen at the next call. */
    @Test
    void everyCallAsksTheHolder() throws Exception {
        CoreAccess access = CoreAccess.of(core.service(), core.directory());
        assertTrue(access.service().list().isEmpty());
        access.unbind(core.service());
        access.unbind(core.directory());
        assertThrows(CoreAwayException.class, () -> access.service().list());
        assertThrows(CoreAwayException.class, () -> access.directory().current());
        access.bind(core.service());
        access.bind(core.directory());
        assertTrue(access.service().list().isEmpty());
        assertTrue(access.directory().current().tenant(TenantId.DEFAULT).isPresent());
    }
}
