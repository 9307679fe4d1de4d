package org.callpark.internal.sip;

import java.util.Optional;

import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;

import org.callpark.api.CallerId;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.Tenant;
import org.callpark.spi.MediaController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.javax.sip.header.extensions.ReplacesHeader;

/**
 * Attended transfer into a bridged call by an INVITE with {@code Replaces} (RFC 3891): the receptionist (102) talks to
 * a retrieved customer through this B2BUA, consults 104 and transfers; 104 then sends us
 * {@code INVITE ... Replaces: <our dialog with 102>}. The new dialog takes the named one's place in the bridge: it is
 * answered with our SDP, the customer's media leg is bridged to 104's (no re-INVITE to the customer: the B2BUA anchors
 * its media, so its dialog stays untouched), and the replaced party (102) gets our BYE. Either side of a bridged call
 * can be named; the replaced side's role goes to the new leg (the tenant user's side keeps the parked call it came
 * from, so 104 can REFER again; the outside caller's side replaced leaves a call between two users that cannot be
 * REFERred).
 * <p>
 * <b>Authorization</b> (RFC 3891 §6): the INVITE must authenticate by digest as a user of the tenant serving its
 * Request-URI (for our own address, which no tenant claims: the named call's tenant), exactly as a retrieve does
 * ({@link SipAuthenticator}: 401 challenge, 403 for wrong credentials or a user of another tenant), before the call is
 * touched, so that an unauthenticated INVITE with guessed or captured dialog ids takes nothing over (it gets a 401
 * whether the dialog exists or not); and the named call must be a call of that same tenant (403 otherwise): a tenant
 * user may take over what a user of its tenant could have dialled. Who may hold the dialog identifiers is not
 * checked: only the parties of the dialog and this server see them.
 * <p>
 * <b>Hold after the replace</b>: the replaced party's hold ends with its dialog (the transferor held the customer
 * while it consulted, RFC 5589 §7); the new party's offer decides from now on: {@code sendrecv} bridges the two again
 * (the customer's music stops), {@code sendonly}/{@code inactive} keeps the customer on music until the new party
 * resumes. A hold by the customer itself stays as it was.
 */
final class ReplacesFlow {

    private static final Logger LOG = LoggerFactory.getLogger(ReplacesFlow.class);

    private final SipMessages messages;
    private final SipAuthenticator auth;
    private final SipLegs legs;
    private final InviteAnswers answers;
    private final CoreAccess core;
    private final MediaController media;

    ReplacesFlow(SipMessages messages, SipAuthenticator auth, SipLegs legs, InviteAnswers answers, CoreAccess core,
            MediaController media) {
        this.messages = messages;
        this.auth = auth;
        this.legs = legs;
        this.answers = answers;
        this.core = core;
        this.media = media;
    }

    /** Whether an INVITE outside a dialog carries {@code Replaces} (it then goes to {@link #onInvite}). */
    static boolean replaces(Request request) {
        return request.getHeader(ReplacesHeader.NAME) != null;
    }

    /**
     * The leg whose dialog {@code callId}/{@code toTag}/{@code fromTag} names, as RFC 3891 §3 compares them: the
     * to-tag with our tag, the from-tag with the remote party's; or {@code null}.
     */
    static SipLeg named(SipLegs legs, String callId, String toTag, String fromTag) {
        SipLeg leg = callId == null ? null : legs.byCallId(callId);
        if (leg == null || toTag == null || fromTag == null) {
            return null;
        }
        String local;
        String remote;
        synchronized (leg) {
            Dialog d = leg.dialog;
            local = d != null && d.getLocalTag() != null ? d.getLocalTag()
                    : leg.session != null ? leg.session.localTag() : leg.localTag;
            remote = d != null ? d.getRemoteTag() : leg.session != null ? leg.session.remoteTag() : null;
        }
        return toTag.equals(local) && fromTag.equals(remote) ? leg : null;
    }

    /**
     * An INVITE with Replaces outside a dialog (100 Trying sent, SDP checked); {@code byDomain} is the tenant serving
     * its Request-URI's domain.
     */
    void onInvite(Request request, ServerTransaction st, Tenant byDomain, Sdp offer) throws Exception {
        if (!(request.getHeader(ReplacesHeader.NAME) instanceof ReplacesHeader replaces)) {
            messages.reject(st, 400, "unreadable Replaces header");
            return;
        }
        Tenant tenant = realm(request, byDomain, replaces);
        Optional<String> user = auth.authenticate(request, st, tenant);
        if (user.isEmpty()) {
            return; // challenged or refused: the call is not touched
        }
        SipLeg old = named(legs, replaces.getCallId(), replaces.getToTag(), replaces.getFromTag());
        if (old == null) {
            messages.reject(st, 481, "no such dialog to replace");
            return;
        }
        SipLeg peer;
        boolean userSide;
        synchronized (old) {
            if (old.state != SipLeg.State.ANSWERED) {
                messages.reject(st, 481, "the dialog to replace is not established");
                return;
            }
            if (replaces.getParameter("early-only") != null) {
                messages.reject(st, 486, "the dialog to replace is confirmed (early-only)"); // RFC 3891 §3
                return;
            }
            peer = old.peer;
            userSide = old.user != null;
        }
        if (peer == null) {
            messages.reject(st, 403, "only a connected call can be replaced");
            return;
        }
        String peerUser;
        synchronized (peer) {
            peerUser = peer.user;
        }
        ParkedCall call = bridgedCall(old);
        if (call == null || !call.tenant().equals(tenant.id())) {
            messages.reject(st, 403, "not a call of this tenant");
            return;
        }
        Sdp.Direction direction;
        try {
            direction = Sdp.direction(request.getRawContent());
        } catch (Sdp.Unusable e) {
            messages.reject(st, 488, e.getMessage());
            return;
        }
        if (!offer.offersAnyOf(media.codecs())) {
            messages.reject(st, 488, "none of the offered codecs is supported");
            return;
        }
        CallerId connected = userSide ? call.caller() : userIdentity(tenant, peerUser);
        replace(request, st, old, peer, user.get(), userSide ? call : null, connected, offer, direction);
    }

    /**
     * The new leg of {@code user} takes {@code old}'s place next to {@code peer}: answered, bridged, {@code old} hung
     * up; {@code call} is the parked call the bridge came from when the tenant user's side is replaced, else null.
     */
    private void replace(Request request, ServerTransaction st, SipLeg old, SipLeg peer, String user,
            ParkedCall call, CallerId connected, Sdp offer, Sdp.Direction direction) throws Exception {
        SipLeg leg = legs.newLeg(request, st, SipLeg.Role.RETRIEVER);
        synchronized (leg) {
            try {
                leg.media = media.open(leg.id, offer.codecs(), offer.remote());
            } catch (ParkException e) {
                legs.refuse(leg, st, e);
                return;
            }
        }
        MediaController.MediaLeg peerMedia;
        String music;
        synchronized (peer) {
            peerMedia = peer.state == SipLeg.State.ENDED ? null : peer.media;
            music = peer.music;
        }
        if (peerMedia != null) {
            RetrieveFlows.preferCodec(media, leg, offer, peerMedia.codec());
        }
        synchronized (old) {
            if (old.state != SipLeg.State.ANSWERED || old.peer != peer) {
                SipLegs.close(leg.media);
                messages.reject(st, 481, "the dialog to replace ended meanwhile");
                return;
            }
            old.peer = null; // from now on the old party's BYE leaves the peer alone
            music = music != null ? music : old.music;
        }
        legs.register(leg);
        boolean live;
        synchronized (peer) {
            live = peer.state != SipLeg.State.ENDED;
            if (live) {
                peer.peer = leg;
                if (call == null) {
                    peer.bridgedCall = null; // two users now: no parked call's identity to transfer
                }
            }
        }
        boolean cancelled;
        synchronized (leg) {
            cancelled = leg.cancelled;
            if (cancelled) {
                legs.refuseCancelled(leg, st, request); // the new party gave up: the call it was to take ends
            } else if (!live) {
                SipLeg.Ending e = leg.end(false);
                SipLegs.close(e == null ? null : e.media());
                legs.forget(leg);
                messages.reject(st, 481, "the call ended meanwhile");
            }
        }
        if (cancelled || !live) {
            if (live) {
                legs.hangUp(peer);
            }
            legs.hangUp(old);
            return;
        }
        synchronized (leg) {
            leg.peer = peer;
            leg.holding = !direction.receives();
            leg.music = music;
            leg.user = user;
            leg.bridgedCall = call;
            answers.answer(leg, st, request, offer, connected, direction.answer());
        }
        answers.rejoin(leg, peer); // bridged again unless one of the two holds (then music for the other)
        legs.hangUp(old);
        LOG.info("Attended transfer by {}: dialog {} replaced {} ({}) in the call with {}", user, leg.callId,
                old.callId, call != null ? "the user's side" : "the outside caller's side", peer.callId);
    }

    /**
     * The tenant whose users may authenticate: the one that claims the Request-URI's domain; for an address no tenant
     * claims (our IP address: what a phone dials when the transferor's REFER names our Contact) the tenant of the named
     * call if there is one, else the default tenant ({@code byDomain}). The realm of the 401 thus tells a sender who
     * already holds a live dialog's identifiers that tenant; without them it learns nothing.
     */
    private Tenant realm(Request request, Tenant byDomain, ReplacesHeader replaces) {
        org.callpark.api.Directory dir = core.currentDirectory();
        String host = SipMessages.requestHost(request);
        boolean claimed = dir.tenants().stream()
                .anyMatch(t -> t.domains().stream().anyMatch(d -> d.equalsIgnoreCase(host)));
        SipLeg leg = claimed ? null : named(legs, replaces.getCallId(), replaces.getToTag(), replaces.getFromTag());
        ParkedCall call = leg == null ? null : bridgedCall(leg);
        return call == null ? byDomain : dir.tenant(call.tenant()).orElse(byDomain);
    }

    /** The parked call a bridged pair came from (kept on the tenant user's side), or {@code null}. */
    private static ParkedCall bridgedCall(SipLeg leg) {
        SipLeg peer;
        synchronized (leg) {
            if (leg.bridgedCall != null) {
                return leg.bridgedCall;
            }
            peer = leg.peer;
        }
        if (peer == null) {
            return null;
        }
        synchronized (peer) {
            return peer.bridgedCall;
        }
    }

    /** A user's identity for the connected-party headers (name from the directory), or {@code null}. */
    private CallerId userIdentity(Tenant tenant, String extension) {
        if (extension == null) {
            return null;
        }
        return core.currentDirectory().user(tenant.id(), extension)
                .map(u -> CallerId.of(extension, u.displayName())).orElse(CallerId.of(extension, ""));
    }
}
