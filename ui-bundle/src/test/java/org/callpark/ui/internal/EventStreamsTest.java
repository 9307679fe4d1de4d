package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventStreamsTest {

    private final EventStreams streams = new EventStreams(new Fixtures.Directories(), Duration.ofMillis(200));

    @AfterEach
    void stop() {
        streams.deactivate();
    }

    /** Collects what a stream writes; can be made to block (a slow client) or fail (a gone client). */
    private static final class Sink implements EventStreams.Sink {
        final LinkedBlockingQueue<String> chunks = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile CountDownLatch block;
        volatile boolean fail;

        @Override
        public void write(String text) throws IOException {
            CountDownLatch b = block;
            if (b != null) {
                try {
                    b.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (fail) {
                throw new IOException("client gone");
            }
            chunks.add(text);
        }

        @Override
        public void close() {
            closed.countDown();
        }

        /** The next event (skipping the retry line and heartbeats) as [id, event, data]. */
        String[] next() throws InterruptedException {
            while (true) {
                String s = chunks.poll(5, TimeUnit.SECONDS);
                assertNotNull(s, "no event within 5 s");
                Matcher m = Pattern.compile("id: (\\d+)\nevent: (\\S+)\ndata: (.*)\n\n").matcher(s);
                if (m.matches()) {
                    return new String[] { m.group(1), m.group(2), m.group(3) };
                }
            }
        }
    }

    private static ParkEvent event(ParkEvent.Type type, ParkedCall c) {
        return new ParkEvent(type, c, Instant.now());
    }

    @Test
    void snapshotThenEventsWithIncreasingIdsOnlyForVisibleTenants() throws Exception {
        ParkedCall old = Fixtures.parked("c0", SlotId.extension(Fixtures.DEFAULT, "101"), 1);
        ParkedCall acme = Fixtures.parked("a1", SlotId.extension(Fixtures.ACME, "201"), 1);
        Sink sink = new Sink();
        streams.open(Fixtures.VIEWER, Fixtures.DEFAULT, () -> List.of(old, acme), sink);
        String[] snapshot = sink.next();
        assertEquals("1", snapshot[0]);
        assertEquals("snapshot", snapshot[1]);
        assertTrue(snapshot[2].contains("\"id\":\"c0\"") && !snapshot[2].contains("a1"), snapshot[2]);

        streams.onParkEvent(event(ParkEvent.Type.PARKED, old)); // already in the snapshot (same version)
        streams.onParkEvent(event(ParkEvent.Type.PARKED, acme)); // other tenant
        ParkedCall c1 = Fixtures.parked("c1", SlotId.group(Fixtures.DEFAULT, "Sales"), 1);
        streams.onParkEvent(event(ParkEvent.Type.PARKED, c1));
        streams.onParkEvent(event(ParkEvent.Type.FORCED, c1.ended(Resolution.FORCED)));
        streams.sendFailed(new Dtos.SendFailedDto("c1", "default", "104", "UNREACHABLE", "no answer"));
        streams.sendFailed(new Dtos.SendFailedDto("a1", "acme", "203", "UNREACHABLE", "no answer"));

        String[] parked = sink.next();
        assertEquals("2", parked[0]);
        assertEquals("park", parked[1]);
        assertTrue(parked[2].startsWith("{\"type\":\"PARKED\",\"call\":{\"id\":\"c1\""), parked[2]);
        String[] forced = sink.next();
        assertEquals("3", forced[0]);
        assertTrue(forced[2].startsWith("{\"type\":\"FORCED\""), forced[2]);
        String[] failed = sink.next();
        assertEquals("4", failed[0]);
        assertEquals("send-failed", failed[1]);
        assertTrue(failed[2].contains("\"extension\":\"104\""), failed[2]);
    }

    @Test
    void tenantScopedCallerNeverSeesOtherTenants() throws Exception {
        Sink sink = new Sink();
        streams.open(Fixtures.ACME_ADMIN, null, () -> List.of(
                Fixtures.parked("c0", SlotId.extension(Fixtures.DEFAULT, "101"), 1),
                Fixtures.parked("a0", SlotId.extension(Fixtures.ACME, "201"), 1)), sink);
        String[] snapshot = sink.next();
        assertTrue(snapshot[2].contains("a0") && !snapshot[2].contains("c0"), snapshot[2]);
        streams.onParkEvent(event(ParkEvent.Type.PARKED, Fixtures.parked("c1", SlotId.extension(Fixtures.DEFAULT,
                "102"), 1)));
        streams.onParkEvent(event(ParkEvent.Type.PARKED, Fixtures.parked("a1", SlotId.extension(Fixtures.ACME,
                "202"), 1)));
        assertTrue(sink.next()[2].contains("\"id\":\"a1\""));
    }

    @Test
    void heartbeatWhenIdleAndAGoneClientIsRemoved() throws Exception {
        Sink sink = new Sink();
        streams.open(Fixtures.ADMIN, null, List::of, sink);
        sink.next();
        String hb = sink.chunks.poll(2, TimeUnit.SECONDS);
        assertEquals(": heartbeat\n\n", hb);
        sink.fail = true;
        assertTrue(sink.closed.await(2, TimeUnit.SECONDS), "closed after the failed write");
        assertEquals(0, streams.size());
    }

    @Test
    void aSlowClientIsDroppedWithoutBlockingTheDispatcher() throws Exception {
        Sink sink = new Sink();
        streams.open(Fixtures.ADMIN, null, List::of, sink);
        sink.next();
        sink.block = new CountDownLatch(1);
        Thread.sleep(300); // the writer is now stuck in a heartbeat write
        // the dispatcher offers twice the queue while the client is stuck: it must never wait for the client
        Thread dispatcher = new Thread(() -> {
            for (int i = 0; i < EventStreams.QUEUE * 2; i++) {
                streams.onParkEvent(event(ParkEvent.Type.PARKED,
                        Fixtures.parked("c" + i, SlotId.extension(TenantId.DEFAULT, "101"), 1)));
            }
        });
        dispatcher.start();
        dispatcher.join(10_000);
        assertFalse(dispatcher.isAlive(), "the dispatcher is blocked by a stuck client");
        sink.block.countDown();
        assertTrue(sink.closed.await(5, TimeUnit.SECONDS), "the slow client was closed");
        List<String> rest = new ArrayList<>(sink.chunks);
        assertTrue(rest.stream().noneMatch(s -> s.contains("event: park")), "no events after the overflow: " + rest);
    }

    @Test
    void storeDownGivesAnErrorEventAndCloses() throws Exception {
        Sink sink = new Sink();
        streams.open(Fixtures.ADMIN, null, () -> {
            throw new ParkException(ParkException.Reason.STORE_UNAVAILABLE, "store down");
        }, sink);
        String[] e = sink.next();
        assertEquals("error", e[1]);
        assertTrue(e[2].contains("STORE_UNAVAILABLE"));
        assertTrue(sink.closed.await(2, TimeUnit.SECONDS));
    }

    @Test
    void tooManyStreamsAre503() throws Exception {
        List<Sink> sinks = new ArrayList<>();
        for (int i = 0; i < EventStreams.MAX_STREAMS; i++) {
            Sink s = new Sink();
            sinks.add(s);
            streams.open(Fixtures.ADMIN, null, List::of, s);
        }
        ApiException e = assertThrows(ApiException.class, () -> streams.open(Fixtures.ADMIN, null, List::of, new Sink()));
        assertEquals(503, e.status());
        streams.closeAll();
        for (Sink s : sinks) {
            assertTrue(s.closed.await(2, TimeUnit.SECONDS));
        }
        assertFalse(sinks.isEmpty());
    }

    @Test
    void aStreamClosedByTheContainerFreesItsSlotAtOnce() throws Exception {
        List<EventStreams.Handle> handles = new ArrayList<>();
        for (int i = 0; i < EventStreams.MAX_STREAMS; i++) {
            handles.add(streams.open(Fixtures.ADMIN, null, List::of, new Sink()));
        }
        assertEquals(503, assertThrows(ApiException.class,
                () -> streams.open(Fixtures.ADMIN, null, List::of, new Sink())).status());
        handles.forEach(EventStreams.Handle::close); // what the servlet's AsyncListener does on complete/error
        assertEquals(0, streams.size());
        Sink next = new Sink();
        streams.open(Fixtures.ADMIN, null, List::of, next);
        assertEquals("snapshot", next.next()[1]);
    }

    @Test
    void whenFullTheStreamsOfGoneClientsAreFoundByAPingNotTheNextHeartbeat() throws Exception {
        EventStreams slow = new EventStreams(new Fixtures.Directories(), Duration.ofHours(1)); // no heartbeat
        try {
            List<Sink> sinks = new ArrayList<>();
            for (int i = 0; i < EventStreams.MAX_STREAMS; i++) {
                Sink s = new Sink();
                sinks.add(s);
                slow.open(Fixtures.ADMIN, null, List::of, s);
                s.next();
            }
            for (int i = 0; i < 10; i++) {
                sinks.get(i).fail = true; // ten clients went away; nothing was written to them since
            }
            Sink next = new Sink();
            slow.open(Fixtures.ADMIN, null, List::of, next);
            assertEquals("snapshot", next.next()[1]);
            for (int i = 0; i < 10; i++) {
                assertTrue(sinks.get(i).closed.await(2, TimeUnit.SECONDS), "gone client " + i + " closed");
            }
            assertEquals(EventStreams.MAX_STREAMS - 10 + 1, slow.size());
            assertEquals(1, sinks.get(10).closed.getCount(), "a live client keeps its stream");
            assertTrue(sinks.get(10).chunks.contains(": ping\n\n"), "live clients were pinged");
        } finally {
            slow.deactivate();
        }
    }

    @Test
    void theContainerEndingTheResponseEndsTheStreamEvenBeforeItWasOpened() throws Exception {
        StreamEnd early = new StreamEnd();
        early.onError(null); // the client left before the stream was registered
        early.stream(streams.open(Fixtures.ADMIN, null, List::of, new Sink()));
        assertEquals(0, streams.size());
        StreamEnd late = new StreamEnd();
        late.stream(streams.open(Fixtures.ADMIN, null, List::of, new Sink()));
        assertEquals(1, streams.size());
        late.onComplete(null);
        assertEquals(0, streams.size());
    }
}
