package org.callpark.internal.sip;

import java.util.List;
import java.util.Optional;

import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.ParkException;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.Tenant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The SIP side of the park server: the stack's {@link SipListener}, a B2BUA that answers every feature-code INVITE
 * itself. It only routes: park INVITEs to {@link ParkFlows}, retrieve INVITEs to {@link RetrieveFlows} (which turn them
 * into {@link ParkRequest}s and {@link RetrieveRequest}s), ACK, BYE and CANCEL to the legs ({@link SipLegs}), REGISTER
 * to the {@link Registrar}, SUBSCRIBE to the {@link BlfNotifier}, an in-dialog REFER to {@link InCallTransfer}, an
 * INVITE with {@code Replaces} (attended transfer) to {@link ReplacesFlow} (or, naming a consult call of an
 * attended transfer to the park code, to {@link ConsultPark}), a park INVITE of the parker itself while the parked
 * slot is announced to {@link ConsultPark},
 * responses and time-outs to whoever sent the request
 * ({@link Handover}, {@link BlfNotifier}, {@link SipRecallDialer}).
 * <p>
 * Requests arrive on the stack's 8 listener threads in parallel. Each handler catches everything, answers 500 if it
 * still can, and sets the MDC ({@code call-id}, {@code tenant}, {@code slot}) for its duration.
 * <p>
 * <b>While the park core is away</b> ({@link CoreAccess}, a {@code bundle:update org.callpark.park}): requests that
 * need it — a new INVITE, SUBSCRIBE, REGISTER, OPTIONS outside a dialog — are answered {@code 503} with
 * {@code Retry-After} (here, from the {@link CoreAwayException}); the dialogs this stack carries go on: a BYE is
 * answered and the leg closed (the call's end waits in {@link CoreAccess} for the core), re-INVITE, UPDATE, INFO and
 * OPTIONS within a dialog are answered as always, ACK and CANCEL are taken.
 */
final class SipDispatcher implements SipListener {

    private static final Logger LOG = LoggerFactory.getLogger(SipDispatcher.class);
    private static final List<String> KNOWN_METHODS = List.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS",
            "REGISTER", "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "INFO", "UPDATE", "PRACK", "PUBLISH");

    /** A handler failure a peer can repeat on every packet: one WARN per 10 s at most, the rest counted. */
    private final LogLimiter failures = new LogLimiter(java.time.Duration.ofSeconds(10));
    private final SipMessages messages;
    private final SipAuthenticator auth;
    private final SipLegs legs;
    private final InviteAnswers answers;
    private final ParkFlows parks;
    private final RetrieveFlows retrieves;
    private final CoreAccess core;
    private final Registrations registrations;
    private final Handover handover;
    private final BlfNotifier blf;
    private final SipRecallDialer recalls;
    private final InCallTransfer transfers;
    private final ReplacesFlow replaces;
    private final ConsultPark consults;

    SipDispatcher(SipMessages messages, SipAuthenticator auth, SipLegs legs, InviteAnswers answers, ParkFlows parks,
            RetrieveFlows retrieves, CoreAccess core, Registrations registrations, Handover handover,
            BlfNotifier blf, SipRecallDialer recalls, InCallTransfer transfers, ReplacesFlow replaces,
            ConsultPark consults) {
        this.messages = messages;
        this.auth = auth;
        this.legs = legs;
        this.answers = answers;
        this.parks = parks;
        this.retrieves = retrieves;
        this.core = core;
        this.registrations = registrations;
        this.handover = handover;
        this.blf = blf;
        this.recalls = recalls;
        this.transfers = transfers;
        this.replaces = replaces;
        this.consults = consults;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        MDC.put("call-id", callId == null ? "" : callId.getCallId());
        messages.stats().request(request.getMethod());
        try {
            switch (request.getMethod()) {
                case Request.INVITE -> onInvite(event);
                case Request.ACK -> onAck(event);
                case Request.BYE -> onBye(event);
                case Request.CANCEL -> onCancel(event);
                case Request.REGISTER -> {
                    core.require();
                    onRegister(event);
                }
                case Request.OPTIONS -> {
                    if (!SipMessages.inDialog(request)) {
                        core.require(); // a load balancer's probe: this node cannot take calls now
                    }
                    messages.respond(event, 200, null, r -> {
                        messages.addAllow(r);
                        r.setHeader(messages.headers().createAcceptHeader("application", "sdp"));
                    });
                }
                case Request.SUBSCRIBE -> {
                    core.require();
                    blf.onSubscribe(event);
                }
                case Request.UPDATE -> {
                    if (SipMessages.inDialog(request) && legs.byCallId(callId.getCallId()) != null) {
                        answers.update(event); // a session refresh (RFC 4028) or an unchanged offer
                    } else {
                        messages.respond(event, 405, "UPDATE is only accepted within a call", messages::addAllow);
                    }
                }
                case Request.INFO -> {
                    if (SipMessages.inDialog(request) && legs.byCallId(callId.getCallId()) != null) {
                        messages.respond(event, 200, null, null); // SIP INFO DTMF: accepted, not used
                    } else {
                        messages.respond(event, 405, "INFO is only accepted within a call", messages::addAllow);
                    }
                }
                case Request.REFER -> {
                    SipLeg leg = SipMessages.inDialog(request) ? legs.byCallId(callId.getCallId()) : null;
                    if (leg != null) {
                        transfers.onRefer(event, leg); // an in-call transfer of a bridged call
                    } else {
                        messages.respond(event, 405, "REFER is only accepted within a call", messages::addAllow);
                    }
                }
                default -> messages.respond(event, KNOWN_METHODS.contains(request.getMethod()) ? 405 : 501, null,
                        messages::addAllow);
            }
        } catch (CoreAwayException e) {
            unavailable(event);
        } catch (SipException e) {
            // the peer went away (TCP closed) or the stack refused a transaction: the peer's business
            LOG.debug("Handling {} failed: {}", request.getMethod(), e.toString());
        } catch (Exception | LinkageError e) {
            long suppressed = failures.admit();
            if (suppressed >= 0) {
                LOG.warn("Handling {} failed: {} ({} more failures since the last such line)", request.getMethod(),
                        e.toString(), suppressed);
            }
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
        if (handover.onResponse(event) || answers.onResponse(event) || blf.onResponse(event)
                || recalls.onResponse(event) || transfers.onResponse(event)) {
            return;
        }
        // Responses to our BYEs: nothing to do (the dialog is over either way).
        LOG.debug("Response {} to {}", event.getResponse().getStatusCode(),
                event.getClientTransaction() == null ? "?" : event.getClientTransaction().getRequest().getMethod());
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (!event.isServerTransaction() && (blf.onTimeout(event.getClientTransaction())
                || recalls.onTimeout(event.getClientTransaction())
                || transfers.onTimeout(event.getClientTransaction()))) {
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
        SipLeg leg = dialog == null ? null : legs.byCallId(dialog.getCallId().getCallId());
        if (leg == null || leg.dialog != dialog) {
            return;
        }
        boolean ended;
        synchronized (leg) {
            ended = leg.state == SipLeg.State.ENDED;
        }
        if (ended) {
            legs.forget(leg); // hung up while waiting for an ACK that never came
            return;
        }
        MDC.put("call-id", leg.callId);
        try {
            // The dialog died without a BYE we saw (no ACK for our 200, transport gone): treat as a hang-up.
            LOG.debug("Dialog of {} terminated", leg);
            legs.gone(leg, Resolution.FAILED);
        } finally {
            MDC.remove("call-id");
        }
    }

    private void onInvite(RequestEvent event) throws Exception {
        long received = System.nanoTime(); // the park/retrieve latency's start
        Request request = event.getRequest();
        if (SipMessages.inDialog(request)) {
            answers.reInvite(event);
            return;
        }
        core.require();
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
        Optional<Tenant> tenant = tenantOf(request, st);
        if (tenant.isEmpty()) {
            return;
        }
        if (ReplacesFlow.replaces(request)) {
            // attended transfer into a bridged call (RFC 3891): sent to our Contact, not to a feature code; or the
            // transfer that ends a consult call to the park code (the customer takes the consult call's place)
            try {
                if (consults.names(request)) {
                    consults.onReplaces(request, st, Sdp.parseOffer(request.getRawContent()), received);
                    return;
                }
                replaces.onInvite(request, st, tenant.get(), Sdp.parseOffer(request.getRawContent()));
            } catch (Sdp.Unusable e) {
                messages.reject(st, 488, e.getMessage());
            }
            return;
        }
        Optional<FeatureCode> code = FeatureCode.parse(SipMessages.requestUser(request), tenant.get().dialPlan());
        if (code.isEmpty()) {
            messages.reject(st, 404, "not a park or retrieve code: " + SipMessages.requestUser(request));
            return;
        }
        Sdp offer;
        try {
            offer = Sdp.parseOffer(request.getRawContent());
        } catch (Sdp.Unusable e) {
            messages.reject(st, 488, e.getMessage());
            return;
        }
        if (code.get().park() != null && consults.consults(request)) {
            consults.onInvite(request, st, tenant.get(), code.get().park(), offer, received); // announce first
        } else if (code.get().park() != null) {
            parks.park(request, st, tenant.get(), code.get().park(), offer, received);
        } else if (messages.headerAddress(request, "Referred-By").isPresent()
                && code.get().retrieve().kind() != RetrieveTarget.Kind.OWN) {
            oneTouchPark(request, st, tenant.get(), code.get(), offer, received);
        } else {
            retrieves.onInvite(request, st, tenant.get(), code.get(), offer, received);
        }
    }

    /** A transfer to a slot's BLF key: a park of the caller there by the transferor ({@link OneTouchPark}). */
    private void oneTouchPark(Request request, ServerTransaction st, Tenant tenant, FeatureCode code, Sdp offer,
            long received) throws Exception {
        String transferor = SipMessages.userOf(messages.headerAddress(request, "Referred-By").get());
        Optional<ParkTarget> target;
        try {
            target = OneTouchPark.target(core.currentDirectory(), tenant.id(), transferor, code.retrieve());
        } catch (ParkException e) {
            SipErrors.Refusal refusal = SipErrors.of(e);
            messages.reject(st, refusal.status(), refusal.message());
            return;
        }
        parks.park(request, st, tenant, target.orElseThrow(), offer, received);
    }

    /**
     * The park core is away: {@code 503} with {@code Retry-After}, on the request's transaction if none was created for
     * it yet, else statelessly (the core went away while the request was handled).
     */
    private void unavailable(RequestEvent event) {
        Request request = event.getRequest();
        if (Request.ACK.equals(request.getMethod())) {
            return;
        }
        LOG.debug("{} answered 503: the park core is away", request.getMethod());
        try {
            ServerTransaction st = messages.serverTransaction(event);
            if (st != null) {
                st.sendResponse(messages.unavailable(request));
            } else {
                messages.endpoint().provider.sendResponse(messages.unavailable(request));
            }
        } catch (Exception e) {
            LOG.debug("Could not answer 503: {}", e.toString());
        }
    }

    /** The tenant serving the Request-URI's domain (into the MDC), or empty after a 404. */
    private Optional<Tenant> tenantOf(Request request, ServerTransaction st) throws Exception {
        Optional<Tenant> tenant = core.currentDirectory().tenantForDomain(SipMessages.requestHost(request));
        if (tenant.isEmpty()) {
            messages.reject(st, 404, "no tenant serves " + SipMessages.requestHost(request));
            return tenant;
        }
        MDC.put("tenant", tenant.get().id().value());
        return tenant;
    }

    private void onAck(RequestEvent event) {
        SipLeg leg = legs.byCallId(SipMessages.callIdOf(event.getRequest()));
        if (leg != null) {
            legs.acknowledged(leg); // takes the leg's monitor: our 200 was sent and its timer started
            Dialog dialog;
            synchronized (leg) {
                dialog = leg.dialog;
            }
            if (CrossedAcks.count(dialog, event.getRequest())) {
                messages.stats().crossedAck();
            }
            consults.acknowledged(leg);
        }
    }

    private void onBye(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        SipLeg leg = legs.byCallId(SipMessages.callIdOf(request));
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return;
        }
        if (leg == null) {
            st.sendResponse(messages.response(request, 481, null));
            return;
        }
        st.sendResponse(messages.response(request, 200, null));
        legs.gone(leg, Resolution.ABANDONED);
    }

    private void onCancel(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = messages.serverTransaction(event);
        SipLeg leg = legs.byCallId(SipMessages.callIdOf(request));
        if (st != null) {
            st.sendResponse(messages.response(request, leg == null ? 481 : 200, null));
        }
        if (leg != null) {
            // The INVITE handler checks this before it answers; once answered, a BYE follows the late CANCEL.
            leg.cancelled = true;
        }
    }

    private void onRegister(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = messages.serverTransaction(event);
        if (st == null) {
            return;
        }
        Optional<Tenant> tenant = tenantOf(request, st);
        if (tenant.isEmpty()) {
            return;
        }
        Optional<String> user = auth.authenticate(request, st, tenant.get());
        if (user.isEmpty()) {
            return;
        }
        Response registered = new Registrar(messages.endpoint(), registrations).register(request,
                tenant.get().id(), user.get(), SipMessages.sourceOf(request), SipMessages.transportOf(request));
        messages.stats().response(registered.getStatusCode());
        st.sendResponse(registered);
    }
}
