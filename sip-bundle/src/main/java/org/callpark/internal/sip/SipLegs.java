package org.callpark.internal.sip;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.spi.MediaController;
import org.callpark.spi.MediaController.MediaLeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dialogs this stack carries ({@link SipLeg}), by Call-ID and by leg id, and the ways they end. A leg changes its
 * own state ({@link SipLeg#end}); what follows outside its monitor is done here in one place, in one order: forget the
 * leg, end its parked call, close its media, BYE, hang up the bridged peer. Whether the remote party went away
 * ({@link #gone}), we hang up ({@link #hangUp}), a CANCEL came first ({@link #refuseCancelled}) or the park service
 * refused ({@link #refuse}), a leg ends exactly once.
 */
final class SipLegs {

    private static final Logger LOG = LoggerFactory.getLogger(SipLegs.class);

    private final SipMessages messages;
    private final CoreAccess core;
    private final DialogRequests dialogs;
    private final Executor async;
    private final ParksInProgress inProgress;
    private final Map<String, SipLeg> byCallId = new ConcurrentHashMap<>();
    private final Map<String, SipLeg> byLegId = new ConcurrentHashMap<>();

    SipLegs(SipMessages messages, CoreAccess core, DialogRequests dialogs, Executor async) {
        this.messages = messages;
        this.core = core;
        this.dialogs = dialogs;
        this.async = async;
        this.inProgress = new ParksInProgress(messages::settings);
    }

    /** The requests built from a dialog's cluster record. */
    DialogRequests dialogs() {
        return dialogs;
    }

    /** Park INVITEs answered and not yet acknowledged, per source. */
    ParksInProgress inProgress() {
        return inProgress;
    }

    // ------------------------------------------------------------------------------------------ registry

    /** A new leg for the INVITE of {@code st}, with its JAIN-SIP dialog (not registered yet). */
    SipLeg newLeg(Request request, ServerTransaction st, SipLeg.Role role) throws SipException {
        Dialog dialog = messages.endpoint().provider.getNewDialog(st);
        return new SipLeg("sip-" + UUID.randomUUID(), SipMessages.callIdOf(request), st, dialog,
                SipMessages.transportOf(request), role);
    }

    /** From now on the leg's in-dialog requests find it (also a caller taken over by {@link Handover}). */
    void register(SipLeg leg) {
        byCallId.put(leg.callId, leg);
        byLegId.put(leg.id, leg);
    }

    void forget(SipLeg leg) {
        inProgress.leave(leg);
        byCallId.remove(leg.callId, leg);
        byLegId.remove(leg.id, leg);
    }

    SipLeg byCallId(String callId) {
        return byCallId.get(callId);
    }

    SipLeg byLegId(String legId) {
        return byLegId.get(legId);
    }

    /** Whether this stack carries the leg with this id. */
    boolean holds(String legId) {
        return byLegId.containsKey(legId);
    }

    /** Every leg now (a copy). */
    List<SipLeg> all() {
        return List.copyOf(byLegId.values());
    }

    int liveLegs() {
        return byLegId.size();
    }

    /** Whether a leg of ours waits in a slot for {@code callId}. */
    boolean holdsLegFor(String callId) {
        for (SipLeg leg : byLegId.values()) {
            if (callId.equals(leg.parkedCallId)) {
                return true;
            }
        }
        return false;
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

    // ------------------------------------------------------------------------------------------ ending

    /** The remote party of {@code leg} is gone (BYE, dead dialog): end its parked call, close media, hang up peer. */
    void gone(SipLeg leg, Resolution ifParked) {
        SipLeg.Ending e = leg.end(false);
        if (e == null) {
            return;
        }
        forget(leg);
        if (e.parkedCallId() != null) {
            endQuietly(e.parkedCallId(), ifParked); // fails harmlessly if a retrieve won the race
        }
        close(e.media());
        if (e.peer() != null) {
            hangUp(e.peer());
        }
    }

    /** Hangs up a leg we answered: BYE (after the ACK of our 200 if it has not come yet), media closed. */
    void hangUp(SipLeg leg) {
        hangUp(leg, Resolution.FAILED);
    }

    /** As {@link #hangUp(SipLeg)}; a call still parked on the leg ends with {@code ifParked}. */
    void hangUp(SipLeg leg, Resolution ifParked) {
        SipLeg.Ending e = leg.end(true);
        if (e == null) {
            return;
        }
        if (e.byeNow()) {
            forget(leg);
        } else {
            // Our 200 is not acknowledged yet: the BYE may only follow the ACK (RFC 3261 15.1.1), so the ACK must
            // still find this leg by Call-ID. If it never comes, the dialog ends (timer H) and forgets the leg.
            byLegId.remove(leg.id, leg);
        }
        close(e.media());
        if (e.parkedCallId() != null) {
            endQuietly(e.parkedCallId(), ifParked);
        }
        if (e.byeNow()) {
            sendBye(leg);
        }
        if (e.peer() != null) {
            hangUp(e.peer());
        }
    }

    /**
     * The ACK of our 200 came: the park is no longer in progress; a parked caller still waiting in its slot gets its
     * hold music now (never before: see {@link SipLeg#musicOnAck}); a BYE that waited for the ACK goes now.
     */
    void acknowledged(SipLeg leg) {
        inProgress.leave(leg);
        synchronized (leg) {
            String music = leg.musicOnAck;
            leg.musicOnAck = null;
            if (music != null && !leg.acked && leg.state == SipLeg.State.ANSWERED && leg.parkedCallId != null
                    && leg.peer == null && leg.media != null) {
                leg.media.hold(music);
            }
        }
        if (leg.acknowledged()) {
            forget(leg); // hangUp kept the Call-ID known only so that this ACK finds the leg
            sendBye(leg);
        }
    }

    /**
     * Under the leg's monitor, before we answered: a CANCEL came while the INVITE was handled. The leg ends (a call
     * parked for it meanwhile ends ABANDONED) and the INVITE is answered 487.
     */
    void refuseCancelled(SipLeg leg, ServerTransaction st, Request request) throws Exception {
        SipLeg.Ending e = leg.end(false);
        if (e != null) {
            endQuietly(e.parkedCallId(), Resolution.ABANDONED);
            close(e.media());
        }
        forget(leg);
        st.sendResponse(messages.response(request, 487, null));
    }

    /** Under the leg's monitor, before we answered: the park service refused; answered with its SIP status. */
    void refuse(SipLeg leg, ServerTransaction st, ParkException e) throws Exception {
        SipLeg.Ending ending = leg.end(false);
        close(ending == null ? null : ending.media());
        leg.media = null;
        forget(leg);
        SipErrors.Refusal refusal = SipErrors.of(e);
        LOG.debug("Refused with {}: {} ({})", refusal.status(), refusal.message(), e.reason());
        if (e.reason() == ParkException.Reason.MEDIA_CAPACITY) {
            messages.rejectForAWhile(st, refusal.status(), refusal.message(), SipErrors.MEDIA_CAPACITY_RETRY_SECONDS);
        } else {
            messages.reject(st, refusal.status(), refusal.message());
        }
    }

    /**
     * Under the leg's monitor, before we answered: the park core went away while the INVITE was handled; answered
     * {@code 503} with {@code Retry-After} (nothing was parked or taken).
     */
    void refuseAway(SipLeg leg, ServerTransaction st) throws Exception {
        SipLeg.Ending ending = leg.end(false);
        close(ending == null ? null : ending.media());
        leg.media = null;
        forget(leg);
        LOG.debug("Refused with 503: the park core is away");
        st.sendResponse(messages.unavailable(st.getRequest()));
    }

    /** Ends a leg that could not be handled: 500 if nothing was answered yet, else a hang-up. */
    void failQuietly(SipLeg leg, ServerTransaction st) {
        SipLeg.Ending e;
        synchronized (leg) {
            e = leg.state == SipLeg.State.INVITED ? leg.end(false) : null;
        }
        if (e == null) {
            hangUp(leg);
            return;
        }
        close(e.media());
        forget(leg);
        try {
            messages.reject(st, 500, "internal error");
        } catch (Exception x) {
            LOG.debug("Could not answer 500: {}", x.toString());
        }
    }

    private void sendBye(SipLeg leg) {
        SipSession next = null;
        boolean fromRecord;
        synchronized (leg) {
            // Once we sent requests built from the record (our session refreshes), its CSeq is ahead of the
            // JAIN-SIP dialog's: the BYE follows the record too.
            fromRecord = leg.dialog == null || leg.session != null && leg.session.localCseq() > 0;
            if (fromRecord) {
                next = leg.session == null ? null : leg.session.withLocalCseq(leg.session.localCseq() + 1);
                leg.session = next;
            }
        }
        if (fromRecord) {
            SipSession bye = next;
            Dialog dialog = leg.dialog;
            if (bye != null) {
                async.execute(() -> dialogs.bye(bye, bye.localCseq()));
            }
            if (dialog != null) {
                dialog.delete();
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

    /**
     * Ends a parked call, quietly: a refusal means it was resolved otherwise meanwhile. While the park core is away the
     * end is queued and applied when it is back ({@link CoreAccess#endCall}).
     */
    void endQuietly(String callId, Resolution how) {
        if (callId == null) {
            return;
        }
        core.endCall(callId, how);
    }

    /** Closes a media leg, if any; a failure is only logged (the leg is gone either way). */
    static void close(MediaLeg m) {
        if (m != null) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing media leg {} failed: {}", m.id(), e.toString());
            }
        }
    }

    // ------------------------------------------------------------------------------------------ bridging

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
                || ((CSeqHeader) ack.getHeader(CSeqHeader.NAME)).getSeqNumber() != cseq) {
            return false;
        }
        try {
            messages.endpoint().provider.sendRequest(ack);
        } catch (SipException e) {
            LOG.debug("ACK again to {} failed: {}", leg, e.toString());
        }
        return true;
    }
}
