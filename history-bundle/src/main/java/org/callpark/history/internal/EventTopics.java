package org.callpark.history.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * A {@link ParkEvent} as an OSGi EventAdmin event: topic {@code org/callpark/park/<TYPE>} (e.g.
 * {@code org/callpark/park/RETRIEVED}) and flat string/number properties, so that Karaf Decanter or any
 * {@code EventHandler} can ship them without classes of ours. Only the node that carries the call posts it, so the
 * cluster posts each event once.
 */
final class EventTopics {

    static final String PREFIX = "org/callpark/park/";

    private EventTopics() {
    }

    /**
     * Posts {@code event} (asynchronously, {@link EventAdmin#postEvent}) if this node carries the call and an
     * EventAdmin is there.
     *
     * @return whether it was posted
     */
    static boolean post(Supplier<EventAdmin> admin, ParkEvent event, String localNode) {
        EventAdmin a = admin.get();
        if (a == null || localNode == null || !localNode.equals(event.call().node())) {
            return false;
        }
        a.postEvent(new Event(topic(event), properties(event)));
        return true;
    }

    static String topic(ParkEvent event) {
        return PREFIX + event.type().name();
    }

    /** The event's properties; none is null (empty text where the call has no value). */
    static Map<String, Object> properties(ParkEvent event) {
        ParkedCall c = event.call();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", event.type().name());
        p.put("call.id", c.id());
        p.put("tenant", c.tenant().value());
        p.put("slot", c.slot().key());
        p.put("slot.kind", c.slot().kind().token());
        p.put("slot.name", c.slot().name());
        p.put("caller.number", c.caller().number());
        p.put("caller.name", c.caller().displayName());
        p.put("parked.by", c.parkedBy());
        p.put("park.group", c.parkGroup());
        p.put("parked.at", c.parkedAt().toEpochMilli());
        p.put("state", c.state().name());
        p.put("resolution", c.resolution() == null ? "" : c.resolution().name());
        p.put("resolved.by", c.resolvedBy());
        p.put("recall.attempt", c.recallAttempt());
        p.put("recall.target", c.recallTarget() == null ? "" : c.recallTarget().name());
        p.put("node", c.node());
        // EventConstants.TIMESTAMP
        p.put("timestamp", event.at().toEpochMilli());
        return p;
    }
}
