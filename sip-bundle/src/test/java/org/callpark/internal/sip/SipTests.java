package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.BooleanSupplier;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.internal.SipTestCore;

import com.hazelcast.core.HazelcastInstance;

/**
 * What the SIP test classes share: waits (polling with a 10 s bound, never a fixed sleep), media-log reading and
 * clean-up.
 */
final class SipTests {

    private SipTests() {
    }

    /** Waits up to 10 s for {@code condition}. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }

    /** The first call parked on {@code slot}, waiting up to 10 s for one; {@code context} explains a time-out. */
    static ParkedCall awaitParked(CallParkService service, SlotId slot, Object context) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            List<ParkedCall> calls = service.list(slot);
            if (!calls.isEmpty()) {
                return calls.get(0);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("nothing parked on " + slot + "; " + context);
    }

    /** The media log lines written since {@code mark}. */
    static List<String> since(RecordingMedia media, int mark) {
        synchronized (media.log) {
            return List.copyOf(media.log.subList(Math.min(mark, media.log.size()), media.log.size()));
        }
    }

    /** The ids of the media legs opened for outgoing INVITEs (offers) since {@code mark}. */
    static List<String> offerLegs(RecordingMedia media, int mark) {
        return since(media, mark).stream().filter(l -> l.startsWith("open ") && l.endsWith(" offer"))
                .map(l -> l.split(" ")[1]).toList();
    }

    /** The one leg the parked {@code call}'s leg was bridged to since {@code mark}, waiting for the bridge. */
    static String bridgedTo(RecordingMedia media, int mark, ParkedCall call) throws InterruptedException {
        String prefix = "bridge " + call.leg() + " ";
        await(() -> since(media, mark).stream().anyMatch(l -> l.startsWith(prefix)), "a bridge");
        List<String> bridges = since(media, mark).stream().filter(l -> l.startsWith(prefix)).toList();
        assertEquals(1, bridges.size(), bridges.toString());
        return bridges.get(0).split(" ")[2];
    }


    /** Hangs up every call still parked (a test's leftovers), ignoring calls that end meanwhile. */
    static void endAll(CallParkService service) throws ParkException {
        for (ParkedCall call : service.list()) {
            try {
                service.end(call.id(), Resolution.FORCED);
            } catch (ParkException e) {
                // ended meanwhile (the caller's BYE was still being handled)
            }
        }
    }

    /** Stops what a SIP test class started, in reverse order; any of them may be null (start failed early). */
    static void stopAll(SipServer server, SipTestCore core, RecordingMedia media, HazelcastInstance hazelcast) {
        if (server != null) {
            server.deactivate();
        }
        if (core != null) {
            core.close();
        }
        if (media != null) {
            media.shutdown();
        }
        if (hazelcast != null) {
            hazelcast.shutdown();
        }
    }
}
