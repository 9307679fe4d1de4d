package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.BooleanSupplier;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;

/** The waits and media-log reading the SIP tests share: polling with a 10 s bound, never a fixed sleep. */
final class SipTestWaits {

    private SipTestWaits() {
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

}
