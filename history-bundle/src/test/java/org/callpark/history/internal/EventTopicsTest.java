package org.callpark.history.internal;

import static org.callpark.history.internal.Fixtures.LOCAL;
import static org.callpark.history.internal.Fixtures.OTHER;
import static org.callpark.history.internal.Fixtures.T0;
import static org.callpark.history.internal.Fixtures.event;
import static org.callpark.history.internal.Fixtures.parked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.callpark.api.ParkEvent.Type;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

class EventTopicsTest {

    /** Records what is posted; sendEvent (synchronous) must never be used from the event thread. */
    private final List<Event> posted = new ArrayList<>();
    private final EventAdmin admin = new EventAdmin() {
        @Override
        public void postEvent(Event event) {
            posted.add(event);
        }

        @Override
        public void sendEvent(Event event) {
            throw new AssertionError("sendEvent would block the park events' thread");
        }
    };

    @Test
    void theCarryingNodePostsEachEventToItsTypesTopicWithFlatProperties() {
        ParkedCall c = parked("c1", SlotId.group(TenantId.of("acme"), "Sales"), LOCAL).ended(Resolution.ANSWERED,
                "103");
        assertTrue(EventTopics.post(() -> admin, event(Type.RETRIEVED, c, T0.plusSeconds(12)), LOCAL));
        Event e = posted.get(0);
        assertEquals("org/callpark/park/RETRIEVED", e.getTopic());
        assertEquals("c1", e.getProperty("call.id"));
        assertEquals("acme", e.getProperty("tenant"));
        assertEquals("acme/group/sales", e.getProperty("slot"));
        assertEquals("+4930123", e.getProperty("caller.number"));
        assertEquals("Customer", e.getProperty("caller.name"));
        assertEquals("101", e.getProperty("parked.by"));
        assertEquals("ANSWERED", e.getProperty("resolution"));
        assertEquals("103", e.getProperty("resolved.by"));
        assertEquals(LOCAL, e.getProperty("node"));
        assertEquals(T0.plusSeconds(12).toEpochMilli(), e.getProperty("timestamp"));
        for (String name : e.getPropertyNames()) {
            Object v = e.getProperty(name);
            assertTrue(v instanceof String || v instanceof Number, name + " is " + v);
        }
    }

    @Test
    void otherNodesAndANodeWithoutEventAdminPostNothing() {
        ParkedCall live = parked("c2", SlotId.extension(TenantId.DEFAULT, "101"), OTHER);
        assertFalse(EventTopics.post(() -> admin, event(Type.PARKED, live, T0), LOCAL), "another node carries it");
        assertFalse(EventTopics.post(() -> null, event(Type.PARKED, live, T0), OTHER), "no EventAdmin");
        assertTrue(posted.isEmpty());
        assertTrue(EventTopics.post(() -> admin, event(Type.PARKED, live, T0), OTHER));
        assertEquals("", posted.get(0).getProperty("resolution"), "no null property while live");
    }
}
