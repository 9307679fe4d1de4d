package org.callpark.media.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.callpark.media.internal.rtp.RtpLoop;
import org.junit.jupiter.api.Test;

/**
 * The media meters on a real RTP loop: every 20 ms tick records its lateness while the meters are bound, none after
 * they were closed; the loop reports itself ticking (the health check) and not after it stopped.
 */
class MediaMetersTest {

    @Test
    void everyTickRecordsItsLatenessWhileBound() throws Exception {
        RtpLoop loop = new RtpLoop("test-rtp", Runnable::run, null);
        try {
            SimpleMeterRegistry r = new SimpleMeterRegistry();
            MediaMeters meters = new MediaMeters(loop, () -> 4);
            meters.bindTo(r);
            Timer lateness = r.get("callpark.media.loop.lateness").timer();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (lateness.count() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(lateness.count() >= 5, "ticks recorded: " + lateness.count());
            assertEquals(4, r.get("callpark.rtp.legs").gauge().value());
            assertTrue(loop.ticking(TimeUnit.SECONDS.toNanos(1)));

            meters.close();
            Thread.sleep(60); // a tick in flight may still land
            long after = lateness.count();
            Thread.sleep(200);
            assertEquals(after, lateness.count(), "nothing recorded once the meters are closed");
        } finally {
            loop.close();
        }
        assertTrue(!loop.ticking(TimeUnit.SECONDS.toNanos(1)), "a stopped loop is not healthy");
    }
}
