package org.callpark.internal.sip;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;

import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.spi.MediaController;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a parked caller to this node: the dialog is continued from the call's cluster record ({@link SipSession}),
 * not from any JAIN-SIP stack. The steps, each a compare-and-set on the record through
 * {@link CallParkService#carry}:
 * <ol>
 * <li><b>claim</b>: the session names this node as the one re-INVITing and takes the next CSeq, so two nodes never
 * re-INVITE the same caller at once (a claim older than {@link #CLAIM_STALE_MS} or by a node that left is void);</li>
 * <li>a new media leg is opened here and the caller is <b>re-INVITEd</b> (a target refresh: our Contact, our SDP with
 * the codec agreed before, the same {@code o=} session one version up);</li>
 * <li>on the caller's 2xx: ACK, the media leg is connected to the caller's answer, and the record is <b>committed</b>
 * to this node and leg (the old holder, if alive, sees the {@code MOVED} event and closes its leg quietly); music
 * starts here.</li>
 * </ol>
 * If the caller refuses or does not answer within {@link #REINVITE_TIMEOUT_MS}: when the old holder is alive (a drain,
 * a retrieve from here) the claim is dropped and the call stays where it was; when nobody else can carry it (the
 * holder died, or it was this node's own previous stack) the call ends {@code FAILED} and the caller gets a BYE from
 * here. Never silence without a BYE.
 * <p>
 * The rules of a claim are in {@link HandoverClaims}, the re-INVITE and its ACK are built by {@link DialogRequests},
 * and the re-INVITEs waiting for an answer are kept in {@link InFlightRequests}; this class runs the steps.
 */
final class Handover {

    private static final Logger LOG = LoggerFactory.getLogger(Handover.class);

    /** How long the caller has to answer a re-INVITE. */
    static final long REINVITE_TIMEOUT_MS = 4_000;
    /** A claim older than this is void (the claiming node died mid-way). */
    static final long CLAIM_STALE_MS = HandoverClaims.STALE_MS;

    /** Why a call is adopted: decides what happens when the caller refuses. */
    enum Why {
        /** Its holder left the cluster: nobody else can carry it. */
        TAKEOVER,
        /** Its holder is alive (drain, a retrieve or send from here): on failure it stays there. */
        MOVE,
        /** This node holds it, but this stack does not (a new revision, a restarted stack): nobody else can carry it. */
        ADOPT,
        /**
         * The cluster lost it (every node died; this one restarted) and this node's {@link SessionJournal} has it: on
         * success it is put back into the cluster ({@link CallParkService#restore}), else the caller gets a BYE.
         */
        RESTORE
    }

    private final SipMessages messages;
    private final DialogRequests dialogs;
    private final SipLegs legs;
    private final CoreAccess core;
    private final MediaController media;
    private final Supplier<String> localNode;
    private final HandoverClaims claims;
    private final SessionTimers timers;
    /** Re-INVITEs in flight, by the dialog's Call-ID (one at a time per dialog). */
    private final InFlightRequests<Pending> pending;
    private volatile SessionJournal journal;
    /** Calls this node is taking over now, until the new leg is registered (or the attempt failed). */
    private final Set<String> adopting = ConcurrentHashMap.newKeySet();

    Handover(SipMessages messages, DialogRequests dialogs, SipLegs legs, CoreAccess core,
            MediaController media, Supplier<String> localNode, Predicate<String> isMember,
            ScheduledExecutorService timer, SessionTimers timers) {
        this.messages = messages;
        this.dialogs = dialogs;
        this.legs = legs;
        this.core = core;
        this.media = media;
        this.localNode = localNode;
        this.claims = new HandoverClaims(core, localNode, isMember);
        this.timers = timers;
        this.pending = new InFlightRequests<>(timer);
    }

    /** Where calls carried here are recorded for a restart (none: not recorded). */
    void journal(SessionJournal journal) {
        this.journal = journal;
    }

    /** Whether this node may claim {@code call} now: it has a SIP session and no live claim by another node. */
    boolean claimable(ParkedCall call) {
        return claims.claimable(call);
    }

    /** Whether this node is taking {@code callId} over right now. */
    boolean adopting(String callId) {
        return adopting.contains(callId);
    }

    /**
     * Moves {@code call} to this node.
     *
     * @return completes with the call as carried here, or empty if it was not moved (see the class comment for what
     *         happens to it then); never exceptionally
     */
    CompletableFuture<Optional<ParkedCall>> adopt(ParkedCall call, Why why) {
        return adopt(call, why, null);
    }

    /**
     * Moves {@code call} to this node for a retriever here: if {@code forRetriever} is still waiting when the caller
     * has accepted, the commit ends the call for it too ({@link CallParkService#carryAndEnd}: one compare-and-set
     * instead of two), and the call is completed ended instead of parked here (no music: it is bridged next).
     */
    CompletableFuture<Optional<ParkedCall>> adopt(ParkedCall call, Why why, ForRetriever forRetriever) {
        CompletableFuture<Optional<ParkedCall>> result = new CompletableFuture<>();
        if (!adopting.add(call.id())) {
            result.complete(Optional.empty()); // already being taken over here
            return result;
        }
        result.whenComplete((r, e) -> adopting.remove(call.id()));
        try {
            start(call, why, forRetriever, result);
        } catch (Exception | LinkageError e) {
            LOG.warn("Taking over call {} failed: {}", call.id(), e.toString());
            result.complete(Optional.empty());
        }
        return result;
    }

    private void start(ParkedCall call, Why why, ForRetriever forRetriever,
            CompletableFuture<Optional<ParkedCall>> result) throws Exception {
        Optional<SipSession> found = SipSession.of(call.session());
        if (found.isEmpty() || why != Why.RESTORE && !claimable(call)) {
            result.complete(Optional.empty());
            return;
        }
        SipSession s = found.get();
        String here = localNode.get();
        SipSession claimedSession = s.claimed(here, System.currentTimeMillis(), s.localCseq() + 1);
        // RESTORE: the cluster has no record to claim in; the journal's copy is ours alone.
        Optional<ParkedCall> claimed = why == Why.RESTORE
                ? Optional.of(call.carried(call.node(), call.leg(), claimedSession.toJson()))
                : core.service().carry(call.id(), call.version(), call.node(), call.leg(), claimedSession.toJson());
        if (claimed.isEmpty()) {
            LOG.debug("Call {} changed before this node could claim it", call.id());
            result.complete(Optional.empty());
            return;
        }
        // This node's own call whose media leg still plays (a new revision of this bundle, a restarted stack): keep
        // the leg, so the caller hears no gap; and if the caller still knows our Contact, not even a re-INVITE.
        Optional<MediaLeg> running = here.equals(call.node()) ? media.find(call.leg()) : Optional.empty();
        if (running.isPresent() && messages.contactUri(s.transport()).equals(s.contact())) {
            quietly(claimed.get(), claimedSession, running.get(), result);
            return;
        }
        String legId = running.isPresent() ? call.leg() : "sip-" + UUID.randomUUID();
        MediaLeg leg;
        Sdp callerSdp;
        try {
            callerSdp = Sdp.parseOffer(s.remoteSdp().getBytes(StandardCharsets.UTF_8));
            leg = running.isPresent() ? running.get() : media.open(legId, List.of(s.codec()), null);
        } catch (ParkException | Sdp.Unusable e) {
            LOG.warn("No media for taking over call {}: {}", call.id(), e.getMessage());
            failed(new Pending(claimed.get(), claimedSession, legId, null, null, 0, why, result, null),
                    "no media: " + e.getMessage());
            return;
        }
        long sdpVersion = s.sdpVersion() + 1;
        SipSettings settings = messages.settings();
        String offer = callerSdp.answer(settings.advertisedAddress(), leg.localAddress().getPort(), s.codec(),
                s.sdpId(), sdpVersion);
        Request invite = dialogs.reInvite(claimedSession, offer);
        ClientTransaction ct = messages.endpoint().provider.getNewClientTransaction(invite);
        Pending p = new Pending(claimed.get(), claimedSession, legId, leg, offer, sdpVersion, why, result, ct);
        p.forRetriever = forRetriever;
        // One re-INVITE per dialog: a new one would supersede it, but the claim serialises them.
        pending.put(s.callId(), p, REINVITE_TIMEOUT_MS,
                () -> failed(p, "no answer to the re-INVITE within " + REINVITE_TIMEOUT_MS + " ms"));
        LOG.debug("Re-INVITing the caller of {} ({}, CSeq {}) to take it over: {}", call.id(), why,
                claimedSession.localCseq(), s.remoteTarget());
        ct.sendRequest();
    }

    /** Takes up a call whose dialog and media go on unchanged: only this stack's bookkeeping, no SIP message. */
    private void quietly(ParkedCall claimed, SipSession claimedSession, MediaLeg running,
            CompletableFuture<Optional<ParkedCall>> result) throws ParkException, Sdp.Unusable {
        SipSession s = claimedSession.unclaimed().withLocalCseq(claimedSession.localCseq() - 1);
        Optional<ParkedCall> done = core.service().carry(claimed.id(), claimed.version(), claimed.node(), claimed.leg(),
                s.toJson());
        if (done.isEmpty()) {
            release(new Pending(claimed, claimedSession, claimed.leg(), null, null, 0, Why.ADOPT, result, null));
            result.complete(Optional.empty());
            return;
        }
        String answerSdp = Sdp.parseOffer(s.remoteSdp().getBytes(StandardCharsets.UTF_8)).answer(
                messages.settings().advertisedAddress(), running.localAddress().getPort(), s.codec(), s.sdpId(),
                s.sdpVersion());
        SipLeg leg = SipLeg.carried(running.id(), s, running, done.get(), answerSdp);
        legs.register(leg);
        synchronized (leg) {
            timers.refreshed(leg); // RFC 4028: a full interval from here (or half of it to our next refresh)
        }
        LOG.info("Took up parked call {} with its running media leg: no gap, no re-INVITE", done.get().id());
        result.complete(done);
    }

    /**
     * A response on the stack's listener thread: {@code true} if it answers one of our re-INVITEs (or is a
     * retransmitted 2xx of one, which gets its ACK again).
     */
    boolean onResponse(ResponseEvent event) {
        Response r = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
        CallIdHeader callId = (CallIdHeader) r.getHeader(CallIdHeader.NAME);
        if (cseq == null || callId == null || !Request.INVITE.equals(cseq.getMethod())) {
            return false;
        }
        Pending p = pending.get(callId.getCallId());
        if (p == null || p.session.localCseq() != cseq.getSeqNumber()) {
            return legs.reAck(callId.getCallId(), cseq.getSeqNumber(), r.getStatusCode());
        }
        if (r.getStatusCode() < 200) {
            return true;
        }
        if (!pending.remove(callId.getCallId(), p)) {
            return true;
        }
        if (r.getStatusCode() >= 300) {
            failed(p, "the caller answered the re-INVITE with " + r.getStatusCode());
            return true;
        }
        try {
            succeeded(p, r);
        } catch (Exception | LinkageError e) {
            LOG.warn("Completing the takeover of call {} failed: {}", p.call.id(), e.toString());
            failed(p, e.toString());
        }
        return true;
    }

    private void succeeded(Pending p, Response ok) throws Exception {
        ContactHeader contact = (ContactHeader) ok.getHeader(ContactHeader.NAME);
        String target = contact != null ? contact.getAddress().getURI().toString() : p.session.remoteTarget();
        String ourContact = messages.contactUri(p.session.transport());
        SipSession acked = p.session.moved(target, ourContact, p.session.remoteSdp(), p.session.codec(),
                p.sdpVersion).withLocalCseq(p.session.localCseq());
        Request ack = dialogs.ack(acked);

        Sdp answer;
        Codec codec;
        try {
            answer = Sdp.parseOffer(ok.getRawContent());
            codec = answer.codecs().get(0);
            // As for a park INVITE: the answer's address only if the 200 came from it (or a trusted proxy);
            // else the leg waits for the caller's RTP and latches to it (ParkFlows.mediaTarget).
            InetSocketAddress to = ParkFlows.vouched(answer.remote(), SipMessages.sourceIp(ok), messages.settings());
            if (to != null) {
                p.leg.connect(to, codec);
            }
        } catch (Sdp.Unusable | RuntimeException e) {
            failed(p, "unusable SDP answer: " + e.getMessage());
            return;
        }
        SipSession moved = p.session.moved(target, ourContact,
                new String(ok.getRawContent(), StandardCharsets.UTF_8), codec, p.sdpVersion);
        String here = localNode.get();
        Optional<ParkedCall> done = Optional.empty();
        ParkedCall current = p.call;
        if (p.why == Why.RESTORE) {
            try {
                done = Optional.of(core.service().restore(p.call.carried(here, p.legId, moved.toJson())));
            } catch (ParkException e) {
                LOG.info("Call {} from the journal was not put back: {}", p.call.id(), e.getMessage());
            }
            current = null;
        }
        // For a retriever here that still waits: taken in the same compare-and-set (it no longer gives up on it).
        ForRetriever taker = p.forRetriever != null && p.forRetriever.commit() ? p.forRetriever : null;
        for (int i = 0; i < 20 && current != null; i++) {
            done = taker != null
                    ? core.service().carryAndEnd(current.id(), current.version(), here, p.legId, moved.toJson(),
                            taker.how)
                    : core.service().carry(current.id(), current.version(), here, p.legId, moved.toJson());
            if (done.isPresent()) {
                break;
            }
            // Changed meanwhile (a recall step of the old holder): still ours if still claimed by us.
            current = core.service().find(current.id()).filter(c -> SipSession.of(c.session())
                    .map(s -> here.equals(s.claimedBy())).orElse(false)).orElse(null);
        }
        if (done.isEmpty()) {
            // It ended while we moved it. A live old holder hangs up its end as usual (the dialog is the same); with
            // nobody else left, the caller (who already talks to us) gets our BYE (a 481 if it had hung up itself).
            p.leg.close();
            LOG.debug("Call {} ended while it was moved here", p.call.id());
            if (p.why != Why.MOVE) {
                dialogs.bye(moved, moved.localCseq() + 1);
            }
            p.result.complete(Optional.empty());
            return;
        }
        SipLeg leg = SipLeg.carried(p.legId, moved, p.leg, done.get(), p.offer);
        leg.lastAck = ack;
        legs.register(leg);
        synchronized (leg) {
            // RFC 4028: our re-INVITE refreshed the session; from now on the caller refreshes, or we do from here
            timers.refreshed(leg);
        }
        if (done.get().isLive()) {
            p.leg.hold(ParkFlows.musicFor(done.get()));
        }
        LOG.info("Took over parked call {} ({}) from {}: the caller accepted the re-INVITE{}", done.get().id(), p.why,
                p.call.node().equals(here) ? "this node's previous SIP stack" : "node " + p.call.node(),
                done.get().isLive() ? "" : "; taken by the retriever here");
        p.result.complete(done);
    }

    private void failed(Pending p, String why) {
        if (p.leg != null) {
            p.leg.close();
        }
        if (p.why == Why.MOVE) {
            LOG.info("Could not move call {} here ({}); it stays on node {}", p.call.id(), why, p.call.node());
            release(p);
        } else {
            LOG.warn("Could not take over call {} ({}): it ends, the caller gets a BYE", p.call.id(), why);
            if (p.why != Why.RESTORE) {
                try {
                    core.service().end(p.call.id(), Resolution.FAILED);
                } catch (ParkException e) {
                    LOG.debug("Ending call {} after a failed takeover: {}", p.call.id(), e.getMessage());
                }
            }
            SessionJournal j = journal;
            if (j != null) {
                j.remove(p.call.id());
            }
            dialogs.bye(p.session, p.session.localCseq() + 1);
        }
        p.result.complete(Optional.empty());
    }

    /** Drops our claim (keeping the CSeq we used), if it is still ours; a restored call has none in the cluster. */
    private void release(Pending p) {
        if (p.why != Why.RESTORE) {
            claims.release(p.call.id());
        }
    }

    /** Stops every re-INVITE in flight (the stack goes away); their calls are left as they are in the cluster. */
    void stop() {
        pending.removeAll(p -> {
            if (p.leg != null) {
                p.leg.close();
            }
            release(p);
            p.result.complete(Optional.empty());
        });
    }

    /** One re-INVITE in flight. */
    private static final class Pending {
        final ParkedCall call;
        final SipSession session;
        final String legId;
        final MediaLeg leg;
        final String offer;
        final long sdpVersion;
        final Why why;
        final CompletableFuture<Optional<ParkedCall>> result;
        final ClientTransaction ct;
        volatile ForRetriever forRetriever;

        Pending(ParkedCall call, SipSession session, String legId, MediaLeg leg, String offer, long sdpVersion,
                Why why, CompletableFuture<Optional<ParkedCall>> result, ClientTransaction ct) {
            this.call = call;
            this.session = session;
            this.legId = legId;
            this.leg = leg;
            this.offer = offer;
            this.sdpVersion = sdpVersion;
            this.why = why;
            this.result = result;
            this.ct = ct;
        }
    }
}
