package org.callpark.internal.sip;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.CallerId;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Tenant;
import org.callpark.spi.MediaController;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.callpark.spi.RecallDialer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Rings recall targets over SIP for the park core (which decides every step and its timing, see
 * {@code RecallLadder}). One {@link #ring} sends one INVITE per registered contact of every extension at once (each
 * its own Call-ID, dialog and media leg offering the parked caller's codec first), marks the caller's identity
 * ({@code "Parked: Customer" <sip:+4930123@domain>} in From and P-Asserted-Identity) and adds the configured
 * Alert-Info. The first 2xx is ACKed and offered to the core ({@link Outcome#answered}); if it gets the call, every
 * other fork is cancelled and the callee is bridged through {@link SipLegs#bridgeRecall}, after which it is an ordinary
 * bridged call. A 2xx that lost (another fork won, the step was cancelled, the core refused it) is ACKed and hung up
 * at once. When every fork failed, the core hears {@link Outcome#failed} once, with the most telling failure:
 * DECLINED before BUSY before ERROR before UNREACHABLE (a person's decision says more than a missing registration).
 * <p>
 * CANCEL follows RFC 3261 §9.1: only after a provisional response; a fork cancelled earlier is cancelled when its
 * first 1xx arrives. A 2xx that crosses our CANCEL is ACKed and offered to the core like any answer (it refuses it
 * unless the same attempt is still ringing, and then it is BYEd). Media of a failed fork is closed at once, of a
 * cancelled fork with its final response (487, or timer B when it never answered at all). Nothing here blocks the core's timer thread: look-ups, media and sending run on the SIP server's own
 * single worker thread.
 */
final class SipRecallDialer implements RecallDialer {

    private static final Logger LOG = LoggerFactory.getLogger(SipRecallDialer.class);

    private final SipMessages messages;
    private final SipIdentities identities;
    private final SipLegs legs;
    private final DirectoryService directory;
    private final MediaController media;
    private final Registrations registrations;
    private final Executor async;
    /** Every fork with an INVITE in flight or a final answer still to come, by its Call-ID. */
    private final Map<String, Fork> forks = new ConcurrentHashMap<>();

    SipRecallDialer(SipMessages messages, SipIdentities identities, SipLegs legs, DirectoryService directory, MediaController media, Registrations registrations,
            Executor async) {
        this.messages = messages;
        this.identities = identities;
        this.legs = legs;
        this.directory = directory;
        this.media = media;
        this.registrations = registrations;
        this.async = async;
    }

    // ------------------------------------------------------------------------------------------ the SPI

    @Override
    public Ringing ring(ParkedCall call, List<String> extensions, Duration timeout, Outcome outcome) {
        Recall recall = new Recall(call, List.copyOf(extensions), outcome);
        try {
            async.execute(() -> start(recall));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the SIP server is stopping", e);
        }
        return recall;
    }

    /** The SIP server stops: forget every fork in flight and close its media (their transactions die too). */
    void dropAll() {
        for (Fork f : List.copyOf(forks.values())) {
            synchronized (f.recall) {
                f.recall.cancelled = true;
                if (f.state != Fork.State.ANSWERED) {
                    f.state = Fork.State.FAILED;
                }
            }
            f.closeMedia();
            f.forget();
        }
    }

    /** Forks of one parked call still waiting for a final response (tests, diagnostics). */
    int pendingForks(String parkedCallId) {
        return (int) forks.values().stream().filter(f -> f.recall.call.id().equals(parkedCallId)).count();
    }

    // ------------------------------------------------------------------------------------------ one recall step

    private static final Failure[] TELLING = { Failure.DECLINED, Failure.BUSY, Failure.ERROR, Failure.UNREACHABLE };

    /** One ringing step: its forks; every field guarded by this object's monitor. */
    final class Recall implements Ringing {
        final ParkedCall call;
        final List<String> extensions;
        final Outcome outcome;
        final List<Fork> all = new ArrayList<>();
        boolean started;
        boolean cancelled;
        boolean reported;
        Fork winner;

        Recall(ParkedCall call, List<String> extensions, Outcome outcome) {
            this.call = call;
            this.extensions = extensions;
            this.outcome = outcome;
        }

        @Override
        public void cancel() {
            List<Runnable> actions = new ArrayList<>();
            synchronized (this) {
                cancelled = true;
                for (Fork f : all) {
                    if (f != winner) {
                        f.cancel(actions);
                    }
                }
            }
            actions.forEach(Runnable::run);
        }

        /** Under the monitor: the failure to report if every fork has failed and nothing else ended the step. */
        Failure allFailed() {
            if (reported || cancelled || winner != null || !started) {
                return null;
            }
            for (Fork f : all) {
                if (f.state != Fork.State.FAILED) {
                    return null;
                }
            }
            reported = true;
            for (Failure t : TELLING) {
                for (Fork f : all) {
                    if (f.failure == t) {
                        return t;
                    }
                }
            }
            return Failure.UNREACHABLE; // nobody at all to ring
        }

        @Override
        public String toString() {
            return "recall of " + call.id() + " attempt " + call.recallAttempt() + " " + call.recallTarget() + " "
                    + extensions;
        }
    }

    /** One INVITE to one contact of one extension. Guarded by its recall's monitor. */
    final class Fork {
        enum State { NEW, CALLING, PROCEEDING, ANSWERED, FAILED, CANCELLED }

        final Recall recall;
        final String extension;
        final Registrations.Binding binding; // null with an outbound proxy
        State state = State.NEW;
        Failure failure;
        SipLeg leg;
        ClientTransaction invite;
        Request ack;
        boolean cancelSent;

        Fork(Recall recall, String extension, Registrations.Binding binding) {
            this.recall = recall;
            this.extension = extension;
            this.binding = binding;
        }

        /**
         * Under the monitor: stop this fork; the SIP work is added to {@code actions}. Its media stays open until the
         * final response: a 2xx crossing the CANCEL is still offered to the core, which may give it the call (the
         * parker answering just as the step moves to the ring group, within the same attempt).
         */
        void cancel(List<Runnable> actions) {
            switch (state) {
                case NEW -> state = State.CANCELLED;
                case CALLING -> state = State.CANCELLED; // CANCEL when the first 1xx arrives (RFC 3261 §9.1)
                case PROCEEDING -> {
                    state = State.CANCELLED;
                    cancelSent = true;
                    actions.add(this::sendCancel);
                }
                default -> {
                    // answered, failed or cancelled already
                }
            }
        }

        void fail(Failure why, List<Runnable> actions) {
            state = State.FAILED;
            failure = why;
            actions.add(this::closeMedia);
            actions.add(this::forget);
        }

        void closeMedia() {
            MediaLeg m = null;
            if (leg != null) {
                synchronized (leg) {
                    m = leg.media;
                    leg.media = null;
                }
            }
            SipLegs.close(m);
        }

        void forget() {
            if (leg != null) {
                forks.remove(leg.callId, this);
            }
        }

        void sendCancel() {
            try {
                Request cancel = invite.createCancel();
                ClientTransaction ct = messages.endpoint().provider.getNewClientTransaction(cancel);
                ct.sendRequest();
                LOG.debug("CANCEL sent to {} ({})", extension, leg.callId);
            } catch (SipException | RuntimeException e) {
                LOG.debug("CANCEL to {} failed: {}", extension, e.toString());
            }
        }

        @Override
        public String toString() {
            return "fork to " + extension + (binding == null ? "" : " at " + binding.contact()) + " " + state;
        }
    }

    /** On the SIP worker thread: find the contacts, open media, send the INVITEs. */
    private void start(Recall recall) {
        ParkedCall call = recall.call;
        MDC.put("tenant", call.tenant().value());
        MDC.put("slot", call.slot().key());
        List<Runnable> actions = new ArrayList<>();
        try {
            SipSettings settings = messages.settings();
            boolean proxy = !settings.outboundProxy().isEmpty();
            List<Fork> created = new ArrayList<>();
            for (String ext : recall.extensions) {
                if (proxy) {
                    created.add(new Fork(recall, ext, null));
                    continue;
                }
                List<Registrations.Binding> bindings;
                try {
                    bindings = registrations.lookup(call.tenant(), ext);
                } catch (RuntimeException e) {
                    LOG.warn("Looking up the registrations of {} failed: {}", ext, e.toString());
                    bindings = List.of();
                }
                if (bindings.isEmpty()) {
                    Fork unreachable = new Fork(recall, ext, null);
                    unreachable.state = Fork.State.FAILED;
                    unreachable.failure = Failure.UNREACHABLE;
                    created.add(unreachable);
                    LOG.debug("Recall of {}: {} is not registered", call.id(), ext);
                }
                for (Registrations.Binding b : bindings) {
                    created.add(new Fork(recall, ext, b));
                }
            }
            synchronized (recall) {
                recall.all.addAll(created);
                recall.started = true;
                if (recall.cancelled) {
                    created.forEach(f -> f.cancel(actions)); // cancelled before anything was sent
                }
            }
            Optional<Tenant> tenant = directory.current().tenant(call.tenant());
            String domain = tenant.flatMap(Tenant::sipDomain).orElse(settings.advertisedAddress());
            List<Codec> offer = offerCodecs(legs.codecOf(call.leg()));
            for (Fork fork : created) {
                synchronized (recall) {
                    if (fork.state != Fork.State.NEW) {
                        continue; // unreachable, or cancelled before it was sent
                    }
                }
                send(fork, settings, domain, offer, actions);
                actions.forEach(Runnable::run);
                actions.clear();
            }
            Failure failed;
            synchronized (recall) {
                failed = recall.allFailed();
            }
            if (failed != null) {
                LOG.debug("Recall of {}: every fork failed at once ({})", call.id(), failed);
                recall.outcome.failed(failed);
            }
        } catch (RuntimeException e) {
            LOG.warn("Starting the {} failed: {}", recall, e.toString());
            LOG.debug("Starting the recall failed", e);
            boolean report;
            synchronized (recall) {
                recall.all.forEach(f -> {
                    if (f.state == Fork.State.NEW) {
                        f.fail(Failure.ERROR, actions);
                    }
                });
                recall.started = true;
                report = recall.allFailed() != null;
            }
            actions.forEach(Runnable::run);
            if (report) {
                recall.outcome.failed(Failure.ERROR);
            }
        } finally {
            MDC.remove("tenant");
            MDC.remove("slot");
        }
    }

    /** Our codecs with the parked caller's one first (no transcoding when the callee takes it). */
    private List<Codec> offerCodecs(Codec callers) {
        List<Codec> ours = new ArrayList<>(media.codecs());
        if (callers != null) {
            for (Codec c : ours) {
                if (Sdp.same(c, callers)) {
                    ours.remove(c);
                    ours.add(0, c);
                    break;
                }
            }
        }
        return List.copyOf(ours);
    }

    private void send(Fork fork, SipSettings settings, String domain, List<Codec> offer, List<Runnable> actions) {
        Recall recall = fork.recall;
        ParkedCall call = recall.call;
        SipEndpoint ep = messages.endpoint();
        String legId = "sip-" + UUID.randomUUID();
        MediaLeg m = null;
        try {
            m = media.open(legId, offer, null);
            String transport = transportFor(fork, settings);
            URI target = fork.binding == null
                    ? ep.addresses.createSipURI(fork.extension, domain)
                    : ep.addresses.createURI(fork.binding.contact());
            CallIdHeader callId = ep.provider.getNewCallId();
            Address from = identities.recallFrom(call, domain);
            Address to = ep.addresses.createAddress(ep.addresses.createSipURI(fork.extension, domain));
            List<ViaHeader> vias = new ArrayList<>();
            vias.add(ep.headers.createViaHeader(settings.advertisedAddress(), settings.port(), transport, null));
            String sdp = Sdp.offer(settings.advertisedAddress(), m.localAddress().getPort(), offer);
            Request invite = ep.messages.createRequest(target, Request.INVITE, callId,
                    ep.headers.createCSeqHeader(1L, Request.INVITE),
                    ep.headers.createFromHeader(from, Long.toHexString(UUID.randomUUID().getLeastSignificantBits())),
                    ep.headers.createToHeader(to, null), vias, ep.headers.createMaxForwardsHeader(70),
                    ep.headers.createContentTypeHeader("application", "sdp"), sdp);
            invite.setHeader(ep.headers.createContactHeader(ep.addresses.createAddress(messages.contactUri(transport))));
            invite.setHeader(ep.headers.createHeader("P-Asserted-Identity", from.toString()));
            if (!settings.recallAlertInfo().isEmpty()) {
                invite.setHeader(ep.headers.createHeader("Alert-Info", settings.recallAlertInfo()));
            }
            invite.setHeader(ep.headers.createUserAgentHeader(List.of(settings.userAgent())));
            for (String method : SipMessages.ALLOW.split(", ")) {
                invite.addHeader(ep.headers.createAllowHeader(method));
            }
            if (fork.binding != null) {
                URI uri = target;
                if (uri instanceof SipURI sip) {
                    NextHop.of(settings, sip.getHost(), sip.getPort(), transport).route()
                            .ifPresent(r -> addRoute(ep, invite, r));
                }
            } else {
                NextHop.of(settings, domain, 5060, transport).route().ifPresent(r -> addRoute(ep, invite, r));
            }
            ClientTransaction ct = ep.provider.getNewClientTransaction(invite);
            Dialog dialog = ep.provider.getNewDialog(ct);
            SipLeg leg = new SipLeg(legId, callId.getCallId(), null, dialog, transport, SipLeg.Role.RECALLED);
            leg.media = m;
            leg.answerSdp = sdp;
            ct.setApplicationData(fork);
            synchronized (recall) {
                if (fork.state != Fork.State.NEW) {
                    m.close();
                    return; // cancelled meanwhile
                }
                fork.leg = leg;
                fork.invite = ct;
                fork.state = Fork.State.CALLING;
            }
            forks.put(leg.callId, fork);
            ct.sendRequest();
            LOG.debug("Recall INVITE of {} to {} ({})", call.id(), target, leg.callId);
        } catch (ParkException e) {
            LOG.debug("Recall of {} to {}: no media: {}", call.id(), fork.extension, e.getMessage());
            synchronized (recall) {
                fork.fail(Failure.ERROR, actions);
            }
        } catch (SipException e) {
            // no route, TCP connect refused, ...
            LOG.debug("Recall INVITE of {} to {} could not be sent: {}", call.id(), fork.extension, e.toString());
            SipLegs.close(m);
            synchronized (recall) {
                fork.fail(Failure.UNREACHABLE, actions);
            }
        } catch (ParseException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("Recall INVITE of {} to {} could not be built: {}", call.id(), fork.extension, e.toString());
            SipLegs.close(m);
            synchronized (recall) {
                fork.fail(Failure.ERROR, actions);
            }
        }
    }

    private static void addRoute(SipEndpoint ep, Request request, String route) {
        try {
            request.addFirst(ep.headers.createHeader("Route", route));
        } catch (ParseException | SipException e) {
            throw new IllegalArgumentException("bad outbound proxy route " + route, e);
        }
    }

    private static String transportFor(Fork fork, SipSettings settings) {
        String wanted = fork.binding == null ? "udp" : fork.binding.transport();
        if (fork.binding != null) {
            String contact = fork.binding.contact().toLowerCase();
            int i = contact.indexOf(";transport=");
            if (i >= 0) {
                wanted = contact.substring(i + 11).split("[;>?]")[0];
            }
        }
        wanted = wanted == null || wanted.isEmpty() ? "udp" : wanted.toLowerCase();
        if (!settings.outboundProxy().isEmpty()) {
            wanted = settings.transports().contains("udp") ? "udp" : settings.transports().get(0);
        }
        return settings.transports().contains(wanted) ? wanted : settings.transports().get(0);
    }

    // ------------------------------------------------------------------------------------------ responses

    /** A response on the stack's listener thread: {@code true} if it belongs to a recall INVITE. */
    boolean onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        CallIdHeader callIdHeader = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
        if (cseq == null || callIdHeader == null || !Request.INVITE.equals(cseq.getMethod())) {
            return false; // CANCEL and BYE responses: nothing to do
        }
        Fork fork = forks.get(callIdHeader.getCallId());
        if (fork == null) {
            return false;
        }
        MDC.put("tenant", fork.recall.call.tenant().value());
        MDC.put("slot", fork.recall.call.slot().key());
        try {
            int status = response.getStatusCode();
            if (status < 200) {
                provisional(fork);
            } else if (status < 300) {
                answered(fork, event);
            } else {
                finalFailure(fork, status);
            }
        } finally {
            MDC.remove("tenant");
            MDC.remove("slot");
        }
        return true;
    }

    /** The INVITE's transaction timed out (no final response within 32 s, timer B): unreachable. */
    boolean onTimeout(ClientTransaction ct) {
        if (ct == null || !(ct.getApplicationData() instanceof Fork fork) || fork.leg == null) {
            return false;
        }
        if (Request.INVITE.equals(ct.getRequest().getMethod())) {
            finalFailure(fork, 408);
        }
        return true;
    }

    private void provisional(Fork fork) {
        boolean cancel;
        synchronized (fork.recall) {
            if (fork.state == Fork.State.CALLING) {
                fork.state = Fork.State.PROCEEDING;
            }
            cancel = fork.state == Fork.State.CANCELLED && !fork.cancelSent;
            fork.cancelSent |= cancel;
        }
        if (cancel) {
            fork.sendCancel(); // cancelled before any 1xx: now it may go (RFC 3261 §9.1)
        }
    }

    private void answered(Fork fork, ResponseEvent event) {
        Recall recall = fork.recall;
        Response response = event.getResponse();
        long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
        boolean retransmission;
        boolean lost;
        Sdp answer = null;
        String unusable = null;
        List<Runnable> actions = new ArrayList<>();
        Failure failed = null;
        synchronized (recall) {
            retransmission = fork.ack != null;
            // A cancelled fork's 2xx still goes to the core (it refuses it if the call was resolved otherwise or
            // the attempt is over); only a fork that failed or lost to another fork's answer is hung up here.
            lost = !retransmission && (fork.state == Fork.State.FAILED || recall.winner != null);
            if (!retransmission && !lost) {
                try {
                    answer = Sdp.parseOffer(response.getRawContent());
                } catch (Sdp.Unusable e) {
                    unusable = e.getMessage();
                }
                if (answer != null) {
                    recall.winner = fork;
                    fork.state = Fork.State.ANSWERED;
                } else {
                    fork.fail(Failure.ERROR, actions);
                    failed = recall.allFailed();
                }
            }
        }
        Dialog dialog = event.getDialog() != null ? event.getDialog() : fork.leg.dialog;
        if (retransmission) {
            sendAck(fork, dialog, cseq); // our ACK was lost: the callee retransmits its 2xx
            return;
        }
        sendAck(fork, dialog, cseq);
        if (lost || answer == null) {
            if (unusable != null) {
                LOG.debug("Recall answer from {} has unusable SDP: {}", fork.extension, unusable);
            } else {
                LOG.debug("Recall answer from {} came too late: hanging up", fork.extension);
            }
            hangUpLoser(fork, actions);
            if (failed != null) {
                recall.outcome.failed(failed);
            }
            return;
        }
        Codec chosen = answer.codecs().get(0);
        try {
            fork.leg.media.connect(answer.remote(), chosen);
        } catch (RuntimeException e) {
            LOG.warn("Recall answer from {}: media cannot connect to {}: {}", fork.extension, answer.remote(),
                    e.toString());
            synchronized (recall) {
                recall.winner = null;
                fork.fail(Failure.ERROR, actions);
                failed = recall.allFailed();
            }
            hangUpLoser(fork, actions);
            if (failed != null) {
                recall.outcome.failed(failed);
            }
            return;
        }
        boolean ours = recall.outcome.answered(fork.extension);
        if (!ours) {
            LOG.debug("Recall answer from {} refused by the park service (resolved otherwise): hanging up",
                    fork.extension);
            hangUpLoser(fork, actions);
            return;
        }
        forks.remove(fork.leg.callId, fork);
        recall.cancel(); // every other fork; the winner is left alone
        synchronized (fork.leg) {
            fork.leg.state = SipLeg.State.ANSWERED;
            fork.leg.acked = true;
        }
        if (legs.bridgeRecall(recall.call, fork.leg)) {
            LOG.debug("Recall of {} answered by {}: bridged", recall.call.id(), fork.extension);
        } else {
            LOG.debug("Recall of {} answered by {}, but the caller is gone: hanging up", recall.call.id(),
                    fork.extension);
            legs.hangUp(fork.leg);
        }
    }

    /** ACKed already; BYE and close media (through the legs' hang-up, which also sends the BYE). */
    private void hangUpLoser(Fork fork, List<Runnable> actions) {
        actions.forEach(Runnable::run);
        forks.remove(fork.leg.callId, fork);
        synchronized (fork.leg) {
            fork.leg.state = SipLeg.State.ANSWERED;
            fork.leg.acked = true;
        }
        legs.hangUp(fork.leg);
    }

    private void sendAck(Fork fork, Dialog dialog, long cseq) {
        try {
            Request ack;
            synchronized (fork.recall) {
                ack = fork.ack;
            }
            if (ack == null) {
                ack = dialog.createAck(cseq);
                synchronized (fork.recall) {
                    fork.ack = ack;
                }
            }
            dialog.sendAck(ack);
        } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.debug("ACK to {} failed: {}", fork.extension, e.toString());
        }
    }

    private void finalFailure(Fork fork, int status) {
        Recall recall = fork.recall;
        List<Runnable> actions = new ArrayList<>();
        Failure failed = null;
        synchronized (recall) {
            switch (fork.state) {
                case NEW, CALLING, PROCEEDING -> {
                    fork.fail(failureOf(status), actions);
                    failed = recall.allFailed();
                }
                case CANCELLED -> {
                    fork.state = Fork.State.FAILED; // the 487 to our CANCEL, a failure that crossed it, timer B
                    fork.failure = failureOf(status);
                    actions.add(fork::closeMedia);
                    actions.add(fork::forget);
                }
                default -> {
                    // answered (a late failure of another branch) or failed already
                }
            }
        }
        actions.forEach(Runnable::run);
        LOG.debug("Recall fork to {} ended with {}", fork.extension, status);
        if (failed != null) {
            LOG.debug("Recall of {}: every fork failed ({})", recall.call.id(), failed);
            recall.outcome.failed(failed);
        }
    }

    /** 486/600 busy, 603 declined, 404/408/480/503 unreachable, anything else an error. */
    static Failure failureOf(int status) {
        return switch (status) {
            case 486, 600 -> Failure.BUSY;
            case 603 -> Failure.DECLINED;
            case 404, 408, 480, 503 -> Failure.UNREACHABLE;
            default -> Failure.ERROR;
        };
    }
}
