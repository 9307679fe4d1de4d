package org.callpark.internal.sip;

import static org.callpark.internal.sip.SipMessages.bodyOf;
import static org.callpark.internal.sip.SipMessages.callIdOf;
import static org.callpark.internal.sip.SipMessages.contact;
import static org.callpark.internal.sip.SipMessages.inDialog;
import static org.callpark.internal.sip.SipMessages.newTag;
import static org.callpark.internal.sip.SipMessages.requestHost;
import static org.callpark.internal.sip.SipMessages.requestUser;
import static org.callpark.internal.sip.SipMessages.sourceIp;
import static org.callpark.internal.sip.SipMessages.sourceOf;
import static org.callpark.internal.sip.SipMessages.transportOf;
import static org.callpark.internal.sip.SipMessages.valueOf;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderAddress;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.CallParkService;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.Tenant;
import org.callpark.api.User;
import org.callpark.spi.MediaController;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;


/**
 * The SIP side of the park server: a B2BUA that answers every feature-code INVITE itself and anchors its media in a
 * {@link MediaLeg}. It holds no park logic: it turns requests into {@link ParkRequest}s and {@link RetrieveRequest}s,
 * calls the {@link CallParkService} and translates a {@link ParkException} once, through {@link SipErrors}.
 * <p>
 * Requests arrive on the stack's 8 listener threads in parallel. Each handler catches everything, answers 500 if it
 * still can, and sets the MDC ({@code call-id}, {@code tenant}, {@code slot}) for its duration.
 */
final class B2bua implements SipListener {

    private static final Logger LOG = LoggerFactory.getLogger(B2bua.class);

    private static final List<String> KNOWN_METHODS = List.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS",
            "REGISTER", "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "INFO", "UPDATE", "PRACK", "PUBLISH");

    private final CallParkService service;
    private final DirectoryService directory;
    private final MediaController media;
    private final Registrations registrations;
    private final Supplier<String> localNode;
    private final Executor async;
    private final SipAuthenticator auth;
    private final SipIdentities identities;
    private final Map<String, SipLeg> byCallId = new ConcurrentHashMap<>();
    private final Map<String, SipLeg> byLegId = new ConcurrentHashMap<>();

    private final SipMessages messages;
    private volatile SipRecallDialer recalls;
    private volatile BlfNotifier blf;
    private volatile Handover handover;
    private volatile Takeovers takeovers;
    private volatile SessionJournal journal;
    /** Where retrieve INVITEs are handled (off the listener threads); {@code null}: on the listener thread. */
    private volatile Executor retrievals;

    B2bua(SipMessages messages, SipAuthenticator auth, SipIdentities identities, CallParkService service, DirectoryService directory, MediaController media, Registrations registrations,
            Supplier<String> localNode, Executor async) {
        this.messages = messages;
        this.auth = auth;
        this.identities = identities;
        this.service = service;
        this.directory = directory;
        this.media = media;
        this.registrations = registrations;
        this.localNode = localNode;
        this.async = async;
    }

    /** Where responses and time-outs of the recall INVITEs (client transactions) go. */
    void recalls(SipRecallDialer dialer) {
        this.recalls = dialer;
    }

    /** Who moves parked callers to this node (responses to its re-INVITEs go there). */
    void handover(Handover handover, Takeovers takeovers) {
        this.handover = handover;
        this.takeovers = takeovers;
    }

    /** Runs retrieve INVITEs on {@code pool} instead of the stack's listener threads. */
    void retrievals(Executor pool) {
        this.retrievals = pool;
    }

    /** Where the calls this node carries are recorded for a restart (none: not recorded). */
    void journal(SessionJournal journal) {
        this.journal = journal;
    }

    /** Whether this stack carries the leg with this id. */
    boolean holds(String legId) {
        return byLegId.containsKey(legId);
    }

    /** A parked caller taken over by {@link Handover}: from now on its in-dialog requests are ours. */
    void adopted(SipLeg leg) {
        register(leg);
    }

    /**
     * A 2xx to one of our re-INVITEs came again (our ACK was lost): sends the ACK again. {@code true} if the response
     * belongs to a leg taken over here.
     */
    boolean reAck(String callId, long cseq, int status) {
        SipLeg leg = byCallId.get(callId);
        if (leg == null) {
            return false;
        }
        Request ack;
        synchronized (leg) {
            ack = leg.lastAck;
        }
        if (ack == null || status < 200 || status >= 300
                || ((javax.sip.header.CSeqHeader) ack.getHeader(javax.sip.header.CSeqHeader.NAME)).getSeqNumber() != cseq) {
            return false;
        }
        try {
            messages.endpoint().provider.sendRequest(ack);
        } catch (SipException e) {
            LOG.debug("ACK again to {} failed: {}", leg, e.toString());
        }
        return true;
    }

    /**
     * The stack goes away but the node stays (a new revision of this bundle, a restarted stack, a SIP feature
     * uninstalled): parked callers stay parked in the cluster and are re-INVITEd by whoever carries them next; bridged
     * and prompt legs, which only this stack can continue, are hung up (BYE) while the stack can still send it.
     */
    void detach(String why) {
        int kept = 0;
        for (SipLeg leg : List.copyOf(byLegId.values())) {
            boolean parked;
            MediaLeg m;
            synchronized (leg) {
                if (leg.state == SipLeg.State.ENDED) {
                    continue;
                }
                parked = leg.parkedCallId != null && leg.session != null;
                m = leg.media;
                if (parked) {
                    leg.state = SipLeg.State.ENDED;
                    leg.parkedCallId = null;
                }
            }
            if (parked) {
                // the media leg keeps playing: the next stack takes it up (MediaController.find) without a gap
                forget(leg);
                kept++;
            } else {
                hangUp(leg); // only this stack can continue its dialog
            }
        }
        if (kept > 0) {
            LOG.info("{}: {} parked caller(s) stay parked (music goes on); the next SIP stack takes them up", why,
                    kept);
        }
    }

    /**
     * Hangs up every parked caller this stack still carries (BYE; the calls end FAILED): nobody can carry them on. A
     * leg whose call another node carries now (drained a moment ago, its MOVED event not handled yet) is let go
     * quietly instead: the record, not this stack's bookkeeping, says who carries a call.
     */
    void hangUpParked(String why) {
        int n = 0;
        for (SipLeg leg : List.copyOf(byLegId.values())) {
            String callId;
            synchronized (leg) {
                callId = leg.state == SipLeg.State.ENDED ? null : leg.parkedCallId;
            }
            if (callId == null) {
                continue;
            }
            Optional<ParkedCall> now;
            try {
                now = service.find(callId);
            } catch (ParkException e) {
                now = Optional.empty();
            }
            if (now.isPresent() && (!localNode.get().equals(now.get().node()) || !leg.id.equals(now.get().leg()))) {
                letGo(now.get());
                continue;
            }
            hangUp(leg);
            n++;
        }
        if (n > 0) {
            LOG.info("{}: hung up {} parked caller(s)", why, n);
        }
    }

    CallParkService service() {
        return service;
    }

    /** Where SUBSCRIBEs and the responses and time-outs of our NOTIFYs go. */
    void blf(BlfNotifier notifier) {
        this.blf = notifier;
    }

    /** The codec of a live leg (the parked caller's, to offer it first on a recall), or {@code null}. */
    MediaController.Codec codecOf(String legId) {
        SipLeg leg = byLegId.get(legId);
        if (leg == null) {
            return null;
        }
        synchronized (leg) {
            return leg.state == SipLeg.State.ENDED || leg.media == null ? null : leg.media.codec();
        }
    }

    /**
     * Bridges an answered recall: the parked caller's leg ({@code call.leg()}) with the callee's leg, which must be
     * ACKed and have its media connected. From then on it is an ordinary bridged call like a retrieve: a BYE on either
     * side hangs up the other ({@link #gone}, {@link #hangUp}).
     *
     * @return {@code false} if the caller is gone meanwhile: the caller must hang the callee up
     */
    boolean bridgeRecall(ParkedCall call, SipLeg callee) {
        register(callee); // first, so that a caller BYE racing us finds the callee to hang up
        SipLeg parked = byLegId.get(call.leg());
        if (parked == null) {
            return false;
        }
        MediaLeg parkedMedia;
        synchronized (parked) {
            if (parked.state == SipLeg.State.ENDED || parked.media == null) {
                return false;
            }
            parked.parkedCallId = null;
            parked.peer = callee;
            parkedMedia = parked.media;
        }
        boolean calleeLive;
        synchronized (callee) {
            calleeLive = callee.state != SipLeg.State.ENDED;
            callee.peer = parked;
        }
        if (!calleeLive) {
            hangUp(parked);
            return true; // the callee is already being hung up; the caller follows
        }
        parkedMedia.bridge(callee.media);
        return true;
    }

    int liveLegs() {
        return byLegId.size();
    }

    // ------------------------------------------------------------------------------------------ dispatch

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        MDC.put("call-id", callId == null ? "" : callId.getCallId());
        try {
            switch (request.getMethod()) {
                case Request.INVITE -> onInvite(event);
                case Request.ACK -> onAck(event);
                case Request.BYE -> onBye(event);
                case Request.CANCEL -> onCancel(event);
                case Request.REGISTER -> onRegister(event);
                case Request.OPTIONS -> messages.respond(event, 200, null, r -> {
                    messages.addAllow(r);
                    r.setHeader(messages.endpoint().headers.createAcceptHeader("application", "sdp"));
                });
                case Request.SUBSCRIBE -> onSubscribe(event);
                case Request.INFO -> {
                    if (inDialog(request) && byCallId.containsKey(callId.getCallId())) {
                        messages.respond(event, 200, null, null); // SIP INFO DTMF: accepted, not used
                    } else {
                        messages.respond(event, 405, "INFO is only accepted within a call", messages::addAllow);
                    }
                }
                default -> {
                    if (KNOWN_METHODS.contains(request.getMethod())) {
                        messages.respond(event, 405, null, messages::addAllow);
                    } else {
                        messages.respond(event, 501, null, messages::addAllow);
                    }
                }
            }
        } catch (SipException e) {
            // the peer went away (TCP closed) or the stack refused a transaction: the peer's business
            LOG.debug("Handling {} failed: {}", request.getMethod(), e.toString());
        } catch (Exception | LinkageError e) {
            LOG.warn("Handling {} failed: {}", request.getMethod(), e.toString());
            LOG.debug("Handling {} failed", request.getMethod(), e);
            if (!Request.ACK.equals(request.getMethod())) {
                try {
                    // stateless: the handler may have created the server transaction already
                    messages.endpoint().provider.sendResponse(messages.response(request, 500, "internal error"));
                } catch (Exception ignored) {
                    LOG.debug("Could not answer 500 either: {}", ignored.toString());
                }
            }
        } finally {
            MDC.remove("call-id");
            MDC.remove("tenant");
            MDC.remove("slot");
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        Handover h = handover;
        if (h != null && h.onResponse(event)) {
            return;
        }
        BlfNotifier notifier = blf;
        if (notifier != null && notifier.onResponse(event)) {
            return;
        }
        SipRecallDialer dialer = recalls;
        if (dialer != null && dialer.onResponse(event)) {
            return;
        }
        // Responses to our BYEs: nothing to do (the dialog is over either way).
        LOG.debug("Response {} to {}", event.getResponse().getStatusCode(),
                event.getClientTransaction() == null ? "?" : event.getClientTransaction().getRequest().getMethod());
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        BlfNotifier notifier = blf;
        if (!event.isServerTransaction() && notifier != null && notifier.onTimeout(event.getClientTransaction())) {
            return;
        }
        SipRecallDialer dialer = recalls;
        if (!event.isServerTransaction() && dialer != null && dialer.onTimeout(event.getClientTransaction())) {
            return;
        }
        LOG.debug("SIP transaction timed out: {}", event.isServerTransaction()
                ? event.getServerTransaction().getRequest().getMethod()
                : event.getClientTransaction().getRequest().getMethod());
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.debug("SIP I/O failure towards {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // nothing: legs end on BYE/CANCEL or when their dialog ends
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        Dialog dialog = event.getDialog();
        SipLeg leg = dialog == null ? null : byCallId.get(dialog.getCallId().getCallId());
        if (leg == null || leg.dialog != dialog) {
            return;
        }
        boolean ended;
        synchronized (leg) {
            ended = leg.state == SipLeg.State.ENDED;
        }
        if (ended) {
            forget(leg); // hung up while waiting for an ACK that never came
            return;
        }
        MDC.put("call-id", leg.callId);
        try {
            // The dialog died without a BYE we saw (no ACK for our 200, transport gone): treat as a hang-up.
            LOG.debug("Dialog of {} terminated", leg);
            gone(leg, Resolution.FAILED);
        } finally {
            MDC.remove("call-id");
        }
    }

    // ------------------------------------------------------------------------------------------ INVITE

    private void onInvite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        if (inDialog(request)) {
            onReInvite(event);
            return;
        }
        if (request.getHeader(ContactHeader.NAME) == null) {
            // the stack refuses a server transaction for it: answer statelessly
            messages.endpoint().provider.sendResponse(messages.response(request, 400, "an INVITE needs a Contact"));
            return;
        }
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return; // a retransmission the stack already knows
        }
        st.sendResponse(messages.response(request, 100, null));
        Optional<FeatureCode> code = FeatureCode.parse(requestUser(request));
        Optional<Tenant> tenant = directory.current().tenantForDomain(requestHost(request));
        if (tenant.isEmpty()) {
            messages.reject(st, 404, "no tenant serves " + requestHost(request));
            return;
        }
        MDC.put("tenant", tenant.get().id().value());
        if (code.isEmpty()) {
            messages.reject(st, 404, "not a park or retrieve code: " + requestUser(request));
            return;
        }
        Sdp offer;
        try {
            offer = Sdp.parseOffer(request.getRawContent());
        } catch (Sdp.Unusable e) {
            messages.reject(st, 488, e.getMessage());
            return;
        }
        if (code.get().park() != null) {
            park(request, st, newLeg(request, st, SipLeg.Role.PARKED), tenant.get(), code.get().park(), offer);
            return;
        }
        Optional<String> requester = auth.authenticate(request, st, tenant.get());
        if (requester.isEmpty()) {
            return; // challenged or refused
        }
        if (!offer.offersAnyOf(media.codecs())) {
            messages.reject(st, 488, "none of the offered codecs is supported");
            return;
        }
        SipLeg leg = newLeg(request, st, SipLeg.Role.RETRIEVER);
        Executor pool = retrievals;
        if (pool == null) {
            retrieve(request, st, leg, tenant.get(), requester.get(), code.get(), offer);
            return;
        }
        // Off the stack's listener threads: a retrieve of a call carried by another node waits for that caller's answer
        // to our re-INVITE, and that answer needs a listener thread (8 retrieves waiting would starve the stack).
        String callId = callIdOf(request);
        String tenantId = tenant.get().id().value();
        try {
            pool.execute(() -> {
                MDC.put("call-id", callId);
                MDC.put("tenant", tenantId);
                try {
                    retrieve(request, st, leg, tenant.get(), requester.get(), code.get(), offer);
                } catch (Exception | LinkageError e) {
                    LOG.warn("Handling the retrieve INVITE failed: {}", e.toString());
                    failQuietly(leg, st);
                } finally {
                    MDC.remove("call-id");
                    MDC.remove("tenant");
                    MDC.remove("slot");
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            failQuietly(leg, st);
        }
    }

    /** Ends a retriever's leg that could not be handled: 500 if nothing was answered yet. */
    private void failQuietly(SipLeg leg, ServerTransaction st) {
        boolean answered;
        MediaLeg m;
        synchronized (leg) {
            answered = leg.state != SipLeg.State.INVITED;
            m = leg.state == SipLeg.State.INVITED ? leg.media : null;
            if (!answered) {
                leg.state = SipLeg.State.ENDED;
            }
        }
        if (answered) {
            hangUp(leg);
            return;
        }
        close(m);
        forget(leg);
        try {
            messages.reject(st, 500, "internal error");
        } catch (Exception e) {
            LOG.debug("Could not answer 500: {}", e.toString());
        }
    }

    private SipLeg newLeg(Request request, ServerTransaction st, SipLeg.Role role) throws SipException {
        Dialog dialog = messages.endpoint().provider.getNewDialog(st);
        return new SipLeg("sip-" + UUID.randomUUID(), callIdOf(request), st, dialog, transportOf(request), role);
    }

    private void park(Request request, ServerTransaction st, SipLeg leg, Tenant tenant, ParkTarget target, Sdp offer)
            throws Exception {
        String parker = identities.parkerOf(request, tenant);
        CallerId caller = identities.callerOf(request);
        register(leg);
        synchronized (leg) {
            try {
                leg.media = media.open(leg.id, offer.codecs(), offer.remote());
            } catch (ParkException e) {
                fail(leg, st, e);
                return;
            }
            ParkedCall call;
            try {
                leg.localTag = newTag();
                leg.session = sessionOf(request, leg, offer);
                call = service.park(new ParkRequest(tenant.id(), target, parker, caller, leg.id,
                        leg.session.toJson()));
            } catch (ParkException e) {
                fail(leg, st, e);
                return;
            }
            MDC.put("slot", call.slot().key());
            leg.parkedCallId = call.id();
            leg.carriedSince = call.version();
            if (leg.cancelled) {
                leg.state = SipLeg.State.ENDED;
                leg.parkedCallId = null;
                endQuietly(call.id(), Resolution.ABANDONED);
                close(leg.media);
                forget(leg);
                st.sendResponse(messages.response(request, 487, null));
                return;
            }
            answer(leg, st, request, offer, null);
            leg.media.hold(musicFor(call));
            LOG.debug("Parked {} ({}) on {} by {}", call.id(), caller.describe(), call.slot(), parker);
        }
    }

    private void retrieve(Request request, ServerTransaction st, SipLeg leg, Tenant tenant, String requester,
            FeatureCode code, Sdp offer) throws Exception {
        register(leg);
        synchronized (leg) {
            // The retriever's media first: if it cannot be set up the call is never taken and stays parked as it was.
            try {
                leg.media = media.open(leg.id, offer.codecs(), offer.remote());
            } catch (ParkException e) {
                fail(leg, st, e);
                return;
            }
            ParkedCall call;
            try {
                call = service.retrieve(new RetrieveRequest(tenant.id(), requester, code.retrieve(),
                        localNode.get())); // the caller's media must be on this node (no cross-node bridging yet)
            } catch (ParkException e) {
                if (e.reason() == ParkException.Reason.SLOT_EMPTY) {
                    nothingParked(leg, st, request, offer, e.getMessage());
                } else {
                    fail(leg, st, e);
                }
                return;
            }
            MDC.put("slot", call.slot().key());
            SipLeg parked = byLegId.get(call.leg());
            if (parked == null || !localNode.get().equals(call.node())) {
                // Owned by another node (or its leg is gone): cross-node retrieve is not there yet.
                LOG.warn("Retrieved call {} is held by node {}, not here: cannot bridge it", call.id(), call.node());
                nothingParked(leg, st, request, offer, "the call is held by another node");
                return;
            }
            MediaLeg parkedMedia;
            synchronized (parked) {
                parkedMedia = parked.state == SipLeg.State.ENDED ? null : parked.media;
            }
            if (parkedMedia != null) {
                preferCodec(leg, offer, parkedMedia.codec());
            }
            boolean bridged;
            synchronized (parked) {
                bridged = parked.state != SipLeg.State.ENDED;
                if (bridged) {
                    parked.parkedCallId = null;
                    parked.peer = leg;
                }
            }
            if (!bridged || leg.cancelled) {
                if (bridged) {
                    unlinkAndHangUp(parked); // the retriever cancelled: hang the caller up, its call is taken
                }
                if (leg.cancelled) {
                    leg.state = SipLeg.State.ENDED;
                    close(leg.media);
                    forget(leg);
                    st.sendResponse(messages.response(request, 487, null));
                    return;
                }
                // The caller hung up while we took the call.
                leg.role = SipLeg.Role.PROMPT;
                answer(leg, st, request, offer, null);
                leg.media.prompt("nothing-parked", () -> hangUp(leg));
                return;
            }
            leg.peer = parked;
            answer(leg, st, request, offer, call.caller());
            parkedMedia.bridge(leg.media);
            LOG.debug("Retrieved {} ({}) from {} by {}", call.id(), call.caller().describe(), call.slot(),
                    requester);
        }
    }

    private void nothingParked(SipLeg leg, ServerTransaction st, Request request, Sdp offer, String why)
            throws Exception {
        leg.role = SipLeg.Role.PROMPT;
        try {
            if (leg.media == null) {
                leg.media = media.open(leg.id, offer.codecs(), offer.remote());
            }
        } catch (ParkException e) {
            leg.state = SipLeg.State.ENDED;
            forget(leg);
            messages.reject(st, 404, why);
            return;
        }
        if (leg.cancelled) {
            leg.state = SipLeg.State.ENDED;
            close(leg.media);
            forget(leg);
            st.sendResponse(messages.response(request, 487, null));
            return;
        }
        answer(leg, st, request, offer, null);
        LOG.debug("Nothing to retrieve: {}", why);
        leg.media.prompt("nothing-parked", () -> hangUp(leg));
    }

    /**
     * Re-opens the retriever's leg with the parked caller's codec first when the retriever offered it too, so that the
     * bridge relays without transcoding. If that fails the first leg stays (the bridge transcodes).
     */
    private void preferCodec(SipLeg leg, Sdp offer, Codec parkedCodec) {
        if (Sdp.same(leg.media.codec(), parkedCodec)) {
            return;
        }
        List<Codec> preferred = offer.preferring(parkedCodec);
        if (!Sdp.same(preferred.get(0), parkedCodec)) {
            return; // the retriever does not offer it
        }
        try {
            MediaLeg reopened = media.open(leg.id, preferred, offer.remote());
            close(leg.media);
            leg.media = reopened;
        } catch (ParkException e) {
            LOG.debug("Keeping codec {} for {} (transcoding): {}", leg.media.codec(), leg.id, e.getMessage());
        }
    }

    /** The dialog of a caller being parked, as the cluster record keeps it (before we answer: our tag is chosen). */
    private SipSession sessionOf(Request request, SipLeg leg, Sdp offer) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        List<String> routes = new ArrayList<>();
        for (java.util.ListIterator<?> it = request.getHeaders(RecordRouteHeader.NAME); it.hasNext();) {
            routes.add(((RecordRouteHeader) it.next()).getAddress().toString());
        }
        long sdpId = Sdp.nextVersion();
        return new SipSession(leg.callId, leg.localTag, from.getTag() == null ? "" : from.getTag(),
                to.getAddress().toString(), from.getAddress().toString(),
                contact(request).getAddress().getURI().toString(), routes, leg.transport, messages.contactUri(leg.transport), 0,
                bodyOf(request),
                offer.offered(leg.media.codec()), sdpId, sdpId, "", 0, "");
    }

    /** Sends the 200 OK with our SDP; with {@code connected} also the connected party's identity. */
    private void answer(SipLeg leg, ServerTransaction st, Request request, Sdp offer, CallerId connected)
            throws Exception {
        SipSession session = leg.session;
        String sdp = session != null
                ? offer.answer(messages.settings().advertisedAddress(), leg.media.localAddress().getPort(), leg.media.codec(),
                        session.sdpId(), session.sdpVersion())
                : offer.answer(messages.settings().advertisedAddress(), leg.media.localAddress().getPort(), leg.media.codec());
        Response ok = messages.response(request, 200, null);
        if (leg.localTag != null) {
            ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(leg.localTag);
        }
        Address contact = messages.endpoint().addresses.createAddress(messages.contactUri(leg.transport));
        if (connected != null) {
            identities.announceConnected(ok, contact, connected, requestHost(request));
        }
        ok.setHeader(messages.endpoint().headers.createContactHeader(contact));
        messages.addAllow(ok);
        ok.setContent(sdp, messages.endpoint().headers.createContentTypeHeader("application", "sdp"));
        leg.answerSdp = sdp;
        leg.state = SipLeg.State.ANSWERED;
        st.sendResponse(ok);
    }

    private void fail(SipLeg leg, ServerTransaction st, ParkException e) throws Exception {
        leg.state = SipLeg.State.ENDED;
        close(leg.media);
        leg.media = null;
        forget(leg);
        SipErrors.Refusal refusal = SipErrors.of(e);
        LOG.debug("Refused with {}: {} ({})", refusal.status(), refusal.message(), e.reason());
        messages.reject(st, refusal.status(), refusal.message());
    }

    private void onReInvite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        SipLeg leg = byCallId.get(callIdOf(request));
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return;
        }
        if (leg == null) {
            st.sendResponse(messages.response(request, 481, null));
            return;
        }
        synchronized (leg) {
            if (leg.state != SipLeg.State.ANSWERED || leg.answerSdp == null) {
                st.sendResponse(messages.response(request, leg.state == SipLeg.State.ENDED ? 481 : 491, null));
                return;
            }
            // Session refresh or hold from the phone: keep our media as it is and answer with the same SDP.
            Response ok = messages.response(request, 200, null);
            ok.setHeader(messages.endpoint().headers.createContactHeader(messages.endpoint().addresses.createAddress(
                    messages.contactUri(leg.transport))));
            ok.setContent(leg.answerSdp, messages.endpoint().headers.createContentTypeHeader("application", "sdp"));
            st.sendResponse(ok);
        }
    }

    // ------------------------------------------------------------------------------------------ ACK, BYE, CANCEL

    private void onAck(RequestEvent event) {
        SipLeg leg = byCallId.get(callIdOf(event.getRequest()));
        if (leg == null) {
            return;
        }
        boolean bye;
        synchronized (leg) {
            leg.acked = true;
            bye = leg.byeAfterAck;
            leg.byeAfterAck = false;
        }
        if (bye) {
            forget(leg); // hangUp kept the Call-ID known only so that this ACK finds the leg
            sendBye(leg);
        }
    }

    private void onBye(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        SipLeg leg = byCallId.get(callIdOf(request));
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return;
        }
        if (leg == null) {
            st.sendResponse(messages.response(request, 481, null));
            return;
        }
        st.sendResponse(messages.response(request, 200, null));
        gone(leg, Resolution.ABANDONED);
    }

    /** The remote party of {@code leg} is gone: end its parked call, close media, hang up the bridged peer. */
    private void gone(SipLeg leg, Resolution ifParked) {
        SipLeg peer;
        String parked;
        MediaLeg m;
        synchronized (leg) {
            if (leg.state == SipLeg.State.ENDED) {
                return;
            }
            leg.state = SipLeg.State.ENDED;
            peer = leg.peer;
            parked = leg.parkedCallId;
            leg.parkedCallId = null;
            m = leg.media;
        }
        forget(leg);
        if (parked != null) {
            endQuietly(parked, ifParked); // fails harmlessly if a retrieve won the race
        }
        close(m);
        if (peer != null) {
            hangUp(peer);
        }
    }

    private void onCancel(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = messages.serverTransaction(event);
        SipLeg leg = byCallId.get(callIdOf(request));
        if (st != null) {
            st.sendResponse(messages.response(request, leg == null ? 481 : 200, null));
        }
        if (leg != null) {
            // The INVITE handler checks this before it answers; once answered, a BYE follows the late CANCEL.
            leg.cancelled = true;
        }
    }

    /** Hangs up a leg we answered: BYE (after the ACK of our 200 if it has not come yet), media closed. */
    void hangUp(SipLeg leg) {
        SipLeg peer;
        MediaLeg m;
        String parked;
        boolean sendNow;
        synchronized (leg) {
            if (leg.state == SipLeg.State.ENDED) {
                return;
            }
            leg.state = SipLeg.State.ENDED;
            m = leg.media;
            peer = leg.peer;
            parked = leg.parkedCallId;
            leg.parkedCallId = null;
            sendNow = leg.acked;
            leg.byeAfterAck = !leg.acked;
        }
        if (sendNow) {
            forget(leg);
        } else {
            // Our 200 is not acknowledged yet: the BYE may only follow the ACK (RFC 3261 15.1.1), so the ACK must
            // still find this leg by Call-ID. If it never comes, the dialog ends (timer H) and forgets the leg.
            byLegId.remove(leg.id, leg);
        }
        close(m);
        if (parked != null) {
            endQuietly(parked, Resolution.FAILED);
        }
        if (sendNow) {
            sendBye(leg);
        }
        if (peer != null) {
            hangUp(peer);
        }
    }

    private void unlinkAndHangUp(SipLeg parked) {
        hangUp(parked);
    }

    private void sendBye(SipLeg leg) {
        if (leg.dialog == null) {
            Handover h = handover;
            SipSession next;
            synchronized (leg) {
                next = leg.session == null ? null : leg.session.withLocalCseq(leg.session.localCseq() + 1);
                leg.session = next;
            }
            if (h != null && next != null) {
                async.execute(() -> h.bye(next, next.localCseq()));
            }
            return;
        }
        async.execute(() -> {
            try {
                Request bye = leg.dialog.createRequest(Request.BYE);
                ClientTransaction ct = messages.endpoint().provider.getNewClientTransaction(bye);
                leg.dialog.sendRequest(ct);
            } catch (SipException | RuntimeException e) {
                LOG.debug("BYE to {} failed: {}", leg, e.toString());
            }
        });
    }

    // ------------------------------------------------------------------------------------------ park events

    /** Admin hang-up and time-out of calls whose caller this node holds. */
    void onParkEvent(ParkEvent event) {
        ParkedCall call = event.call();
        if (call == null) {
            return;
        }
        SessionJournal j = journal;
        if (j != null && !call.session().isEmpty()) {
            // Written and removed here only: park events come in order per call, so a removal is never overtaken by
            // a late write, and no file I/O runs on the SIP threads.
            if (event.type().isFinal() || !localNode.get().equals(call.node())) {
                j.remove(call.id());
            } else {
                j.write(call); // parked, restored, moved here, a recall step: what a restart continues from
            }
        }
        if (event.type() == ParkEvent.Type.MOVED) {
            onMoved(call);
            return;
        }
        if (!localNode.get().equals(call.node())) {
            if (event.type().isFinal()) {
                letGo(call); // it ended on the node that carried it last; a leg of ours for it is stale
            }
            return;
        }
        SipLeg leg = byLegId.get(call.leg());
        if (leg == null) {
            return;
        }
        MDC.put("call-id", leg.callId);
        MDC.put("tenant", call.tenant().value());
        MDC.put("slot", call.slot().key());
        try {
            switch (event.type()) {
                case FORCED, FAILED -> {
                    forgetParked(leg, call.id());
                    hangUp(leg);
                }
                case TIMED_OUT -> {
                    MediaLeg m;
                    synchronized (leg) {
                        if (leg.parkedCallId == null || !leg.parkedCallId.equals(call.id())) {
                            return;
                        }
                        leg.parkedCallId = null;
                        m = leg.media;
                    }
                    if (m != null) {
                        m.prompt("nobody-available", () -> hangUp(leg));
                    } else {
                        hangUp(leg);
                    }
                }
                default -> {
                    // PARKED, RECALLING: the core rings through the RecallDialer (SipRecallDialer); ABANDONED,
                    // RETRIEVED and RECALLED were done by us
                }
            }
        } finally {
            MDC.remove("call-id");
            MDC.remove("tenant");
            MDC.remove("slot");
        }
    }

    /**
     * Another node (or leg) carries the call now: the caller accepted its re-INVITE, so our leg is let go quietly —
     * media closed, no BYE (the dialog goes on elsewhere).
     */
    private void onMoved(ParkedCall event) {
        Takeovers t = takeovers;
        if (t != null) {
            t.onMoved(event);
        }
        if (localNode.get().equals(event.node()) && byLegId.containsKey(event.leg()) || !holdsLegFor(event.id())) {
            return; // carried here by the leg it names, or nothing of ours to let go: no need to read the record
        }
        // Events arrive after the fact and may be overtaken (a claim's event after our own commit): decide on the
        // record as it is now.
        ParkedCall call;
        try {
            call = service.find(event.id()).orElse(null);
        } catch (ParkException e) {
            LOG.debug("Reading call {} after a move: {}", event.id(), e.getMessage());
            return;
        }
        if (call == null || localNode.get().equals(call.node()) && byLegId.containsKey(call.leg())) {
            return; // ended (its final event decides) or carried here
        }
        letGo(call);
    }

    private boolean holdsLegFor(String callId) {
        for (SipLeg leg : byLegId.values()) {
            if (callId.equals(leg.parkedCallId)) {
                return true;
            }
        }
        return false;
    }

    /** Lets go, quietly, of every leg of ours parked for {@code call} that is not the one carrying it now. */
    private void letGo(ParkedCall call) {
        for (SipLeg leg : byLegId.values()) {
            MediaLeg m;
            Dialog dialog;
            synchronized (leg) {
                if (!call.id().equals(leg.parkedCallId)
                        || leg.id.equals(call.leg()) && localNode.get().equals(call.node())
                        || leg.carriedSince > call.version()) {
                    continue; // the one carrying it, or taken over after the record we decide on was read
                }
                leg.state = SipLeg.State.ENDED;
                leg.parkedCallId = null;
                m = leg.media;
                dialog = leg.dialog;
            }
            forget(leg);
            close(m);
            if (dialog != null) {
                try {
                    dialog.delete();
                } catch (RuntimeException e) {
                    LOG.debug("Deleting the dialog of {}: {}", leg, e.toString());
                }
            }
            LOG.debug("Call {} is carried by node {} now: let go of {}", call.id(), call.node(), leg);
        }
    }

    private static void forgetParked(SipLeg leg, String callId) {
        synchronized (leg) {
            if (callId.equals(leg.parkedCallId)) {
                leg.parkedCallId = null;
            }
        }
    }

    // ------------------------------------------------------------------------------------------ REGISTER, SUBSCRIBE

    private void onRegister(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return;
        }
        Optional<Tenant> tenant = directory.current().tenantForDomain(requestHost(request));
        if (tenant.isEmpty()) {
            messages.reject(st, 404, "no tenant serves " + requestHost(request));
            return;
        }
        MDC.put("tenant", tenant.get().id().value());
        Optional<String> user = auth.authenticate(request, st, tenant.get());
        if (user.isEmpty()) {
            return;
        }
        st.sendResponse(new Registrar(messages.endpoint(), registrations).register(request, tenant.get().id(), user.get(),
                sourceOf(request), transportOf(request)));
    }

    private void onSubscribe(RequestEvent event) throws Exception {
        BlfNotifier notifier = blf;
        if (notifier == null) {
            messages.respond(event, 489, "no event packages are supported", null);
            return;
        }
        notifier.onSubscribe(event);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void register(SipLeg leg) {
        byCallId.put(leg.callId, leg);
        byLegId.put(leg.id, leg);
    }

    private void forget(SipLeg leg) {
        byCallId.remove(leg.callId, leg);
        byLegId.remove(leg.id, leg);
    }

    private void endQuietly(String callId, Resolution how) {
        if (callId == null) {
            return;
        }
        try {
            service.end(callId, how);
        } catch (ParkException e) {
            LOG.debug("Ending call {} as {} refused: {}", callId, how, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Ending call {} as {} failed: {}", callId, how, e.toString());
        }
    }

    private static void close(MediaLeg m) {
        if (m != null) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing media leg {} failed: {}", m.id(), e.toString());
            }
        }
    }

    /** The hold music a call hears: its park group's, else its tenant's, else the default (the media falls back). */
    static String musicFor(ParkedCall call) {
        String tenant = call.tenant().value();
        return call.parkGroup().isEmpty() ? tenant : tenant + "/" + call.parkGroup().toLowerCase(java.util.Locale.ROOT);
    }
}
