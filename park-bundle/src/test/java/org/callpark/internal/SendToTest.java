package org.callpark.internal;

import static org.callpark.internal.DemoDirectory.DEFAULT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.callpark.api.CallerId;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.internal.store.InMemorySlotStore;
import org.callpark.spi.RecallDialer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code sendTo}: ring an extension, and connect the parked caller only if it answers while the call is still there. */
class SendToTest {

    private static final CallerId CUSTOMER = CallerId.of("+4930123456", "Customer");
    private static final Duration RING = Duration.ofSeconds(20);

    private final List<ParkEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final ManualTimers timers = new ManualTimers(Instant.parse("2026-11-25T10:00:00Z"));
    private final RecordingDialer dialer = new RecordingDialer();
    private InMemorySlotStore store;
    private CallParkServiceImpl service;

    @BeforeEach
    void start() {
        store = new InMemorySlotStore("node-a");
        service = new CallParkServiceImpl(new FakeDirectoryService(DemoDirectory.build()), store, timers,
                new CallParkServiceImplTest.DirectExecutor());
        service.setDialer(dialer);
        service.addListener(events::add);
    }

    @AfterEach
    void stop() {
        service.deactivate();
    }

    private ParkedCall parkOn(String ext) throws ParkException {
        return service.park(new ParkRequest(DEFAULT, ParkTarget.extension(ext), "101", CUSTOMER, "leg-" + ext));
    }

    private CompletableFuture<ParkedCall> send(String requester, RetrieveTarget target, String extension)
            throws ParkException {
        return service.sendTo(new RetrieveRequest(DEFAULT, requester, target), extension, RING).toCompletableFuture();
    }

    private static Reason failure(CompletableFuture<ParkedCall> result) {
        CompletionException e = assertThrows(CompletionException.class, result::join);
        return ((ParkException) e.getCause()).reason();
    }

    @Test
    void ringsTheExtensionAndTakesTheCallWhenItAnswers() throws Exception {
        ParkedCall call = parkOn("102");
        CompletableFuture<ParkedCall> result = send(null, RetrieveTarget.call(call.id()), "104");

        RecordingDialer.Ring ring = dialer.last();
        assertEquals(List.of("104"), ring.extensions);
        assertEquals(call.id(), ring.call.id());
        assertEquals(RING, ring.timeout);
        assertFalse(result.isDone());
        assertTrue(service.find(call.id()).isPresent(), "still parked while the extension rings");

        assertTrue(ring.outcome.answered("104"));
        assertEquals(Resolution.ANSWERED, result.join().resolution());
        assertEquals("104", result.join().resolvedBy(), "the extension that took it, not the administrator who sent it");
        assertTrue(service.find(call.id()).isEmpty());
        assertEquals(ParkEvent.Type.RETRIEVED, events.get(events.size() - 1).type());
    }

    @Test
    void aUserSendsTheLongestWaitingCallOfASlotToTheirOwnPhone() throws Exception {
        ParkedCall first = parkOn("102");
        timers.advance(Duration.ofSeconds(1));
        parkOn("102");

        CompletableFuture<ParkedCall> result = send("103", RetrieveTarget.extension("102"), "103");
        assertEquals(first.id(), dialer.last().call.id());
        assertTrue(dialer.last().outcome.answered("103"));
        assertEquals(first.id(), result.join().id());
    }

    @Test
    void anAnswerAfterTheCallWasRetrievedElsewhereIsRefused() throws Exception {
        ParkedCall call = parkOn("102");
        CompletableFuture<ParkedCall> result = send(null, RetrieveTarget.call(call.id()), "104");
        RecordingDialer.Ring ring = dialer.last();

        service.retrieve(new RetrieveRequest(DEFAULT, "103", RetrieveTarget.extension("102")));

        assertTrue(ring.cancelled, "the extension stops ringing when the call is taken elsewhere");
        assertEquals(Reason.SLOT_EMPTY, failure(result));
        assertFalse(ring.outcome.answered("104"), "a late answer gets no call");
        assertEquals(1, events.stream().filter(e -> e.type().isFinal()).count(), "exactly one resolution");
    }

    @Test
    void noAnswerInTimeLeavesTheCallParked() throws Exception {
        ParkedCall call = parkOn("102");
        CompletableFuture<ParkedCall> result = send(null, RetrieveTarget.call(call.id()), "104");
        RecordingDialer.Ring ring = dialer.last();

        timers.advance(RING);

        assertTrue(ring.cancelled);
        assertEquals(Reason.UNREACHABLE, failure(result));
        assertTrue(service.find(call.id()).isPresent(), "the caller waits on, nothing is dropped");
        assertFalse(ring.outcome.answered("104"));
        assertTrue(service.find(call.id()).isPresent());
    }

    @Test
    void aBusyExtensionFailsAtOnceAndTheCallStaysParked() throws Exception {
        ParkedCall call = parkOn("102");
        CompletableFuture<ParkedCall> result = send(null, RetrieveTarget.call(call.id()), "104");

        dialer.last().outcome.failed(RecallDialer.Failure.BUSY);

        assertEquals(Reason.UNREACHABLE, failure(result));
        assertTrue(service.find(call.id()).isPresent());
    }

    @Test
    void theCallerHangingUpStopsTheRinging() throws Exception {
        ParkedCall call = parkOn("102");
        CompletableFuture<ParkedCall> result = send(null, RetrieveTarget.call(call.id()), "104");

        service.end(call.id(), Resolution.ABANDONED);

        assertTrue(dialer.last().cancelled);
        assertEquals(Reason.SLOT_EMPTY, failure(result));
    }

    @Test
    void twoExtensionsRingingForOneCallGiveItToTheFirstToAnswer() throws Exception {
        ParkedCall call = parkOn("102");
        CompletableFuture<ParkedCall> toBob = send(null, RetrieveTarget.call(call.id()), "104");
        RecordingDialer.Ring bob = dialer.last();
        CompletableFuture<ParkedCall> toEve = send(null, RetrieveTarget.call(call.id()), "105");
        RecordingDialer.Ring eve = dialer.last();

        assertTrue(eve.outcome.answered("105"));
        assertFalse(bob.outcome.answered("104"));
        assertEquals(Resolution.ANSWERED, toEve.join().resolution());
        assertEquals(Reason.SLOT_EMPTY, failure(toBob));
        assertTrue(bob.cancelled);
    }

    /**
     * sendToUri (the SIP layer's transfer to an allowed number outside the directory): the URI is rung like an
     * extension and takes the call when it answers; what is no plain {@code sip:user@host[:port]}, or calls a domain of
     * a tenant of this server (its extensions and park codes), is refused before anything rings.
     */
    @Test
    void aUriOutsideTheDirectoryIsRungLikeAnExtension() throws Exception {
        ParkedCall call = parkOn("102");
        RetrieveRequest byBob = new RetrieveRequest(DEFAULT, "102", RetrieveTarget.call(call.id()));
        for (String bad : List.of("+4940555", "sip:+4940555@pbx.example.com;maddr=10.0.0.1",
                "sip:+4940555@pbx.example.com?Route=x", "sip:104@acme.test", "tel:+4940555", "")) {
            assertEquals(Reason.INVALID_ARGUMENT, assertThrows(ParkException.class,
                    () -> service.sendToUri(byBob, bad, RING)).reason(), bad);
        }
        assertTrue(dialer.rings.isEmpty(), "nothing rang");
        CompletableFuture<ParkedCall> result = service.sendToUri(byBob, "sip:+4940555@pbx.example.com:5070", RING)
                .toCompletableFuture();
        RecordingDialer.Ring ring = dialer.last();
        assertEquals(List.of("sip:+4940555@pbx.example.com:5070"), ring.extensions);
        assertTrue(service.find(call.id()).isPresent(), "still parked while the number rings");
        assertTrue(ring.outcome.answered("sip:+4940555@pbx.example.com:5070"));
        assertEquals(Resolution.ANSWERED, result.join().resolution());
        assertEquals("sip:+4940555@pbx.example.com:5070", result.join().resolvedBy());
    }

    @Test
    void theRulesOfRetrieveApplyBeforeAnythingRings() throws Exception {
        ParkedCall inGroup = service.park(new ParkRequest(DEFAULT, ParkTarget.ownGroup(), "101", CUSTOMER, "g"));
        // 104 is not a member of Sales: it may not take the group's calls, not even to its own phone
        assertEquals(Reason.NOT_PERMITTED, assertThrows(ParkException.class,
                () -> send("104", RetrieveTarget.call(inGroup.id()), "104")).reason());
        assertEquals(Reason.NOT_FOUND, assertThrows(ParkException.class,
                () -> send(null, RetrieveTarget.call(inGroup.id()), "999")).reason());
        assertEquals(Reason.SLOT_EMPTY, assertThrows(ParkException.class,
                () -> send(null, RetrieveTarget.extension("105"), "104")).reason());
        assertEquals(Reason.INVALID_ARGUMENT, assertThrows(ParkException.class,
                () -> service.sendTo(new RetrieveRequest(DEFAULT, null, RetrieveTarget.call(inGroup.id())), "104",
                        Duration.ZERO)).reason());
        assertTrue(dialer.rings.isEmpty(), "nothing rang");
    }

    @Test
    void withoutADialerOrForAnotherNodesCallNothingCanBeRung() throws Exception {
        ParkedCall call = parkOn("102");
        service.unsetDialer(dialer);
        assertEquals(Reason.UNREACHABLE, assertThrows(ParkException.class,
                () -> send(null, RetrieveTarget.call(call.id()), "104")).reason());

        service.setDialer(dialer);
        ParkedCall remote = store.update(call.id(), c -> new ParkedCall(c.id(), c.slot(), c.caller(), c.parkedBy(),
                c.parkGroup(), c.parkedAt(), c.sequence(), c.state(), null, 0, c.recall(), "node-b", c.leg(),
                c.nextActionAt(), c.version() + 1)).orElseThrow();
        assertEquals("node-b", remote.node());
        assertEquals(Reason.UNREACHABLE, assertThrows(ParkException.class,
                () -> send(null, RetrieveTarget.call(call.id()), "104")).reason());
        assertTrue(dialer.rings.isEmpty());
    }
}
