package org.callpark.internal.sip;

import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;

import org.callpark.api.ParkedCall;
import org.callpark.spi.MediaController.MediaLeg;

/**
 * One dialog this B2BUA answered, with its media leg. All fields are guarded by the leg's own monitor: with the
 * reentrant listener a BYE, CANCEL or ACK of the dialog can be handled on another thread while the INVITE handler still
 * runs, and they wait for it here. Code never holds two legs' monitors at once (no lock ordering to get wrong): it
 * changes one leg, leaves the monitor, then changes the peer.
 */
final class SipLeg {

    enum Role {
        /** A parked caller (INVITE to *68 / *58). */
        PARKED,
        /** Somebody retrieving (INVITE to *88 / park+). */
        RETRIEVER,
        /** Somebody who hears a prompt and is hung up on. */
        PROMPT,
        /** Somebody who answered a recall INVITE this server sent (UAC side: {@link #invite} is {@code null}). */
        RECALLED
    }

    enum State {
        /** INVITE received, no final response yet. */
        INVITED,
        /** 200 OK sent. */
        ANSWERED,
        /** Hung up (BYE either way, CANCEL, failure): the media is closed. */
        ENDED
    }

    final String id;
    final String callId;
    /** The INVITE we answered; {@code null} for a {@link Role#RECALLED} leg (we sent the INVITE). */
    final ServerTransaction invite;
    /**
     * The JAIN-SIP dialog of a leg this stack answered, or {@code null} for a leg that continues a dialog from its
     * cluster record ({@link #session}): taken over from another node or another revision of this bundle.
     */
    Dialog dialog;
    final String transport;

    Role role;
    State state = State.INVITED;
    MediaLeg media;
    /** The parked call while this leg waits in a slot; {@code null} once it was retrieved or ended. */
    String parkedCallId;
    /** The other dialog once bridged. */
    SipLeg peer;
    boolean acked;
    /** A BYE we want to send waits for the ACK of our 200. */
    boolean byeAfterAck;
    /** The SDP of our 200 OK, sent again for a re-INVITE. */
    String answerSdp;
    /** A CANCEL arrived while the INVITE was being handled (read without the monitor). */
    volatile boolean cancelled;
    /** Our tag in the dialog (the To tag of our 200), chosen before the call is parked. */
    String localTag;
    /**
     * A parked caller's dialog as kept in the cluster record; for a leg without a {@link #dialog} the requests we send
     * are built from it (its {@code localCseq} raised here with each one).
     */
    SipSession session;
    /** The version of the call record from which this leg carries the call (a stale record never lets it go). */
    long carriedSince;
    /** The source a park in progress counts against ({@link ParksInProgress}) until its ACK, else {@code null}. */
    String inProgressFrom;
    /**
     * The hold music a parked caller gets once it acknowledges our 200, or {@code null}: no RTP goes anywhere before
     * the ACK (an INVITE alone, with any address in its SDP, must not make us stream to that address).
     */
    String musicOnAck;
    /** The RFC 4028 session interval in seconds, 0: no session timer. */
    int sessionInterval;
    /**
     * Empty: the caller refreshes the session ({@code refresher=uac}); else we do, by this method ({@code UPDATE} or
     * {@code INVITE}), before half the interval ({@link SessionTimers}).
     */
    String ourRefresh = "";
    /** Our refresh re-INVITE waits for its final response: a re-INVITE of the caller meanwhile gets 491 (glare). */
    boolean refreshing;
    /** Hangs the leg up when the caller's refresh is overdue, or sends ours ({@link SessionTimers}). */
    java.util.concurrent.ScheduledFuture<?> sessionTimer;
    /** The ACK we sent for the caller's 2xx to our re-INVITE (sent again if that 2xx is retransmitted). */
    Request lastAck;
    /** Where this party's SDP said it receives RTP, last time (a re-INVITE naming another address moves the media). */
    java.net.InetSocketAddress sdpRemote;
    /**
     * This party of a bridged call put it on hold: its last offer said it will not receive ({@code sendonly},
     * {@code inactive}, {@code c=0.0.0.0}). It gets no RTP, its peer hears {@link #music} ({@link InDialogHold}).
     */
    boolean holding;
    /** The hold music of a bridged call (the retrieved call's park group's), for the party whose peer holds. */
    String music;
    /**
     * On the tenant user's side of a bridged call (the retriever, the one who answered a recall): that user's
     * extension and the parked call the bridge came from (tenant, caller identity), for an in-call REFER
     * ({@link InCallTransfer}); {@code null} on the outside caller's side.
     */
    String user;
    ParkedCall bridgedCall;

    SipLeg(String id, String callId, ServerTransaction invite, Dialog dialog, String transport, Role role) {
        this.id = id;
        this.callId = callId;
        this.invite = invite;
        this.dialog = dialog;
        this.transport = transport;
        this.role = role;
    }

    /**
     * The leg of a parked caller whose dialog is continued from its cluster record {@code s} (no JAIN-SIP dialog, see
     * {@link Handover}): answered and acknowledged, playing {@code media}, carrying {@code call} from its version on,
     * with {@code answerSdp} as the SDP we sent last.
     */
    static SipLeg carried(String id, SipSession s, MediaLeg media, ParkedCall call, String answerSdp) {
        SipLeg leg = new SipLeg(id, s.callId(), null, null, s.transport(), Role.PARKED);
        leg.state = State.ANSWERED;
        leg.acked = true;
        leg.media = media;
        leg.parkedCallId = call.id();
        leg.carriedSince = call.version();
        leg.session = s;
        leg.localTag = s.localTag();
        leg.answerSdp = answerSdp;
        leg.sessionInterval = s.sessionInterval();
        leg.ourRefresh = s.ourRefresh();
        return leg;
    }

    /** What ending a leg leaves to be done outside its monitor; {@code byeNow}: send our BYE at once. */
    record Ending(SipLeg peer, String parkedCallId, MediaLeg media, boolean byeNow) {
    }

    /**
     * The one way a leg ends: it is {@link State#ENDED} from now on and gives up its parked call. With {@code weHangUp}
     * our BYE is due: at once if our 200 was acknowledged, else after the ACK ({@link #byeAfterAck}, RFC 3261 15.1.1).
     *
     * @return what the caller must still do (end the parked call, close the media, BYE, hang up the peer), or
     *         {@code null} if the leg had ended already (whoever ended it does all that)
     */
    synchronized Ending end(boolean weHangUp) {
        if (state == State.ENDED) {
            return null;
        }
        state = State.ENDED;
        SessionTimers.stop(this);
        String parked = parkedCallId;
        parkedCallId = null;
        boolean byeNow = false;
        if (weHangUp) {
            byeNow = acked;
            byeAfterAck = !acked;
        }
        return new Ending(peer, parked, media, byeNow);
    }

    /** The ACK of our 200 came: {@code true} if a BYE waited for it (it is due now). */
    synchronized boolean acknowledged() {
        acked = true;
        boolean bye = byeAfterAck;
        byeAfterAck = false;
        return bye;
    }

    /** Stops waiting in the slot for {@code callId} (it was resolved elsewhere); no change for another call. */
    synchronized void unpark(String callId) {
        if (callId.equals(parkedCallId)) {
            parkedCallId = null;
        }
    }

    @Override
    public String toString() {
        return "SipLeg[" + id + " " + role + " " + state + " call-id " + callId + "]";
    }
}
