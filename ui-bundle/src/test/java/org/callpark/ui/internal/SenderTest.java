package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** "Send to extension": the request the park service gets, and a later failure as a send-failed event. */
class SenderTest {

    private final EventStreams streams = new EventStreams(new Fixtures.Directories(), Duration.ofSeconds(5));
    private final CompletableFuture<ParkedCall> outcome = new CompletableFuture<>();
    private volatile RetrieveRequest asked;

    private final Fixtures.Park park = new Fixtures.Park() {
        @Override
        public CompletionStage<ParkedCall> sendTo(RetrieveRequest request, String extension, Duration ringFor)
                throws ParkException {
            asked = request;
            if (extension.equals("999")) {
                throw new ParkException(ParkException.Reason.NOT_FOUND, "no extension 999");
            }
            return outcome;
        }
    };

    @AfterEach
    void stop() {
        streams.deactivate();
    }

    @Test
    void laterFailureIsASendFailedEventAndImmediateFailureIsThrown() throws Exception {
        LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
        streams.open(Fixtures.VIEWER, null, List::of, new EventStreams.Sink() {
            @Override
            public void write(String text) throws IOException {
                out.add(text);
            }

            @Override
            public void close() {
            }
        });
        CallSender sender = ApiServlet.sender(park, streams);
        ParkedCall call = Fixtures.parked("c1", SlotId.extension(Fixtures.DEFAULT, "101"), 1);
        sender.send(call, "104", Duration.ofSeconds(30));
        assertEquals(new RetrieveRequest(Fixtures.DEFAULT, null, RetrieveTarget.call("c1")), asked,
                "as administrator of the call's tenant, that very call");
        outcome.completeExceptionally(new ParkException(ParkException.Reason.UNREACHABLE, "104 did not answer"));
        String failed = null;
        for (int i = 0; i < 5 && failed == null; i++) {
            String s = out.poll(5, TimeUnit.SECONDS);
            assertNotNull(s);
            if (s.contains("event: send-failed")) {
                failed = s;
            }
        }
        assertNotNull(failed);
        assertTrue(failed.contains("\"callId\":\"c1\",\"tenant\":\"default\",\"extension\":\"104\","
                + "\"reason\":\"UNREACHABLE\",\"message\":\"104 did not answer\""), failed);
        ParkException e = assertThrows(ParkException.class, () -> sender.send(call, "999", Duration.ofSeconds(30)));
        assertEquals(404, ApiErrors.status(e.reason()));
    }
}
