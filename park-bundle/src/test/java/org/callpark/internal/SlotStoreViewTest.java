package org.callpark.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reader of the store alone sees the same calls, in the same order, and the same events as the park service that
 * made them (the real core on the in-memory store).
 */
class SlotStoreViewTest {

    private final SipTestCore core = new SipTestCore("node-a");
    private final SlotStoreView view = new SlotStoreView(core.store());

    @AfterEach
    void close() {
        core.close();
    }

    @Test
    void seesTheServicesCallsInPickupOrderAndItsEvents() throws Exception {
        BlockingQueue<ParkEvent> events = new LinkedBlockingQueue<>();
        try (AutoCloseable listening = view.listen(events::add)) {
            ParkedCall first = park("+4930111", "First Caller");
            ParkedCall second = park("+4930222", "Second Caller");

            SlotId slot = SlotId.extension(TenantId.DEFAULT, "102");
            assertEquals(List.of(first.id(), second.id()), view.live(slot).stream().map(ParkedCall::id).toList());
            assertEquals(core.service().list(slot), view.live(slot));

            ParkedCall taken = core.service().retrieve(
                    new RetrieveRequest(TenantId.DEFAULT, "101", RetrieveTarget.extension("102")));
            assertEquals(first.id(), taken.id());
            assertEquals(List.of(second.id()), view.live(slot).stream().map(ParkedCall::id).toList());

            assertEquals(List.of(ParkEvent.Type.PARKED, ParkEvent.Type.PARKED, ParkEvent.Type.RETRIEVED),
                    List.of(next(events).type(), next(events).type(), next(events).type()));
        }
        park("+4930333", "Third Caller");
        assertEquals(null, events.poll(200, TimeUnit.MILLISECONDS), "no events after the handle was closed");
    }

    private ParkedCall park(String number, String name) throws Exception {
        return core.service().park(new ParkRequest(TenantId.DEFAULT, ParkTarget.extension("102"), "104",
                CallerId.of(number, name), "leg-" + number));
    }

    private static ParkEvent next(BlockingQueue<ParkEvent> events) throws InterruptedException {
        ParkEvent e = events.poll(Duration.ofSeconds(2).toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no park event within 2 s");
        }
        return e;
    }
}
