package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallLabels;
import org.callpark.api.Tenant;
import org.callpark.spi.MediaController;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The B2BUA's half of an attended transfer by REFER (RFC 5589 §7, what Yealink and Fanvil phones do when the
 * receptionist consulted 104 on a call of its own): the receptionist's REFER names
 * {@code Refer-To: <sip:104@domain?Replaces=<consult dialog>>}, so we send 104 an INVITE carrying that
 * {@code Replaces} header: 104's phone replaces its consult call with 102 by this new call from us, and once it
 * answers, the customer is bridged to it. One INVITE per registered contact of 104 (only the device that holds the
 * consult dialog accepts; the others answer 481 at once, RFC 3891 §3); the first 2xx wins and the rest are cancelled
 * or hung up. The INVITE shows the customer ({@code From}/{@code P-Asserted-Identity}: its name and number, without
 * the recall's "Parked:" mark or Alert-Info: it replaces a call, it does not ring as a recall).
 * <p>
 * {@link InCallTransfer} checks the REFER and the target, answers 202 and reports the outcome to the receptionist;
 * this class only dials and, on an answer, puts the new leg in the bridge ({@code done} is told 200), or tells the
 * failure (the last final status, 480 without a registration) and leaves the bridge to {@link InCallTransfer}.
 */
final class ReplacesDial {

    private static final Logger LOG = LoggerFactory.getLogger(ReplacesDial.class);

    private final SipMessages messages;
    private final SipLegs legs;
    private final CoreAccess core;
    private final MediaController media;
    private final Registrations registrations;
    private final InviteAnswers answers;
    private final RecallInvite invites;
    /** The forks still waiting for a final response, by Call-ID. */
    private final Map<String, Fork> byCallId = new ConcurrentHashMap<>();

    ReplacesDial(SipMessages messages, SipIdentities identities, SipLegs legs, CoreAccess core, MediaController media,
            Registrations registrations, InviteAnswers answers) {
        this.messages = messages;
        this.legs = legs;
        this.core = core;
        this.media = media;
        this.registrations = registrations;
        this.answers = answers;
        this.invites = new RecallInvite(messages, identities);
    }

    /** One transfer: its forks; fields guarded by this object's monitor. */
    private static final class Attempt {
        final SipLeg other;
        final ParkedCall call;
        final String extension;
        final IntConsumer done;
        final List<Fork> forks = new ArrayList<>();
        Fork winner;
        int open;
        int lastStatus = 480;
        boolean reported;

        Attempt(SipLeg other, ParkedCall call, String extension, IntConsumer done) {
            this.other = other;
            this.call = call;
            this.extension = extension;
            this.done = done;
        }
    }

    /** One INVITE to one contact. */
    private static final class Fork {
        final Attempt attempt;
        final SipLeg leg;
        final ClientTransaction ct;
        boolean provisional;
        boolean cancelOnProvisional;
        Request ack;

        Fork(Attempt attempt, SipLeg leg, ClientTransaction ct) {
            this.attempt = attempt;
            this.leg = leg;
            this.ct = ct;
        }
    }

    /**
     * Invites {@code extension} (a user of the call's tenant) to replace the dialog {@code replaces} (the header value
     * as the REFER's Refer-To carried it) by a call with {@code other}, the outside party of the bridged {@code call};
     * {@code done} hears the outcome once. Runs on the SIP worker thread.
     */
    void dial(SipLeg other, ParkedCall call, String extension, String replaces, IntConsumer done) {
        Attempt attempt = new Attempt(other, call, extension, done);
        SipSettings settings = messages.settings();
        List<Registrations.Binding> bindings;
        try {
            bindings = settings.outboundProxy().isEmpty() ? registrations.lookup(call.tenant(), extension)
                    : java.util.Collections.singletonList(null);
        } catch (RuntimeException e) {
            LOG.warn("Looking up the registrations of {} failed: {}", extension, e.toString());
            bindings = List.of();
        }
        Optional<Tenant> tenant = core.currentDirectory().tenant(call.tenant());
        String domain = tenant.flatMap(Tenant::sipDomain).orElse(settings.advertisedAddress());
        Codec callers;
        synchronized (other) {
            callers = other.media == null ? null : other.media.codec();
        }
        List<Codec> offer = RecallInvite.offer(media.codecs(), callers);
        for (Registrations.Binding binding : bindings) {
            send(attempt, binding, domain, replaces, offer);
        }
        boolean none;
        synchronized (attempt) {
            none = attempt.open == 0;
        }
        if (none) {
            LOG.debug("Attended transfer to {}: no INVITE could be sent", extension);
            report(attempt, 480);
        }
    }

    private void send(Attempt attempt, Registrations.Binding binding, String domain, String replaces,
            List<Codec> offer) {
        SipEndpoint ep = messages.endpoint();
        String legId = "sip-" + UUID.randomUUID();
        MediaLeg m = null;
        try {
            m = media.open(legId, offer, null);
            String transport = RecallInvite.transport(binding, messages.settings());
            Request invite = invites.build(attempt.call, new RecallLabels(RecallLabels.NO_ALERT_INFO, "-"),
                    attempt.extension, binding, domain, ep.provider.getNewCallId().getCallId(), transport,
                    m.localAddress().getPort(), offer);
            Address from = ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress();
            String name = SipIdentities.connectedName(attempt.call.caller().displayName());
            from.setDisplayName(name.isEmpty() ? null : name);
            invite.setHeader(messages.headers().createHeader("P-Asserted-Identity", from.toString()));
            invite.setHeader(messages.headers().createHeader("Replaces", replaces));
            ClientTransaction ct = ep.provider.getNewClientTransaction(invite);
            Dialog dialog = ep.provider.getNewDialog(ct);
            SipLeg leg = new SipLeg(legId, SipMessages.callIdOf(invite), null, dialog, transport,
                    SipLeg.Role.RECALLED);
            leg.media = m;
            leg.answerSdp = SipMessages.bodyOf(invite);
            Fork fork = new Fork(attempt, leg, ct);
            synchronized (attempt) {
                attempt.forks.add(fork);
                attempt.open++;
            }
            byCallId.put(leg.callId, fork);
            ct.sendRequest();
            LOG.debug("Attended transfer INVITE with Replaces to {} ({})", invite.getRequestURI(), leg.callId);
        } catch (ParkException | SipException | java.text.ParseException | javax.sip.InvalidArgumentException
                | RuntimeException e) {
            LOG.debug("Attended transfer INVITE to {} not sent: {}", attempt.extension, e.toString());
            SipLegs.close(m);
            Fork sent = null;
            for (Fork f : byCallId.values()) {
                if (f.attempt == attempt && f.leg.id.equals(legId)) {
                    sent = f;
                }
            }
            if (sent != null) {
                finished(sent, 503);
            }
        }
    }

    /** A response on the listener thread: {@code true} if it answers one of our INVITEs with Replaces. */
    boolean onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        CallIdHeader callId = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
        if (cseq == null || callId == null || !Request.INVITE.equals(cseq.getMethod())) {
            return false;
        }
        Fork fork = byCallId.get(callId.getCallId());
        if (fork == null) {
            return false;
        }
        int status = response.getStatusCode();
        if (status < 200) {
            boolean cancel;
            synchronized (fork.attempt) {
                fork.provisional = true;
                cancel = fork.cancelOnProvisional;
                fork.cancelOnProvisional = false;
            }
            if (cancel) {
                cancel(fork);
            }
        } else if (status < 300) {
            answered(fork, event, cseq.getSeqNumber());
        } else {
            finished(fork, status);
        }
        return true;
    }

    /** Timer B of one of our INVITEs: {@code true} if it was one. */
    boolean onTimeout(ClientTransaction ct) {
        Fork fork = ct == null ? null : byCallId.get(SipMessages.callIdOf(ct.getRequest()));
        if (fork == null || fork.ct != ct) {
            return false;
        }
        finished(fork, 408);
        return true;
    }

    /** A final failure of one fork; the last one to fail reports the attempt failed with its status. */
    private void finished(Fork fork, int status) {
        Attempt attempt = fork.attempt;
        boolean last;
        synchronized (attempt) {
            if (byCallId.remove(fork.leg.callId, fork)) {
                attempt.open--;
            }
            attempt.lastStatus = status;
            last = attempt.open == 0 && attempt.winner == null;
        }
        SipLegs.close(fork.leg.media);
        LOG.debug("Attended transfer INVITE to {} ended with {}", attempt.extension, status);
        if (last) {
            report(attempt, attempt.lastStatus);
        }
    }

    private void answered(Fork fork, ResponseEvent event, long cseq) {
        Attempt attempt = fork.attempt;
        Dialog dialog = event.getDialog() != null ? event.getDialog() : fork.leg.dialog;
        boolean first;
        Request ack;
        synchronized (attempt) {
            ack = fork.ack;
            first = ack == null && attempt.winner == null;
            if (first) {
                attempt.winner = fork;
            }
        }
        try {
            if (ack == null) {
                ack = dialog.createAck(cseq);
                synchronized (attempt) {
                    fork.ack = ack;
                }
            } else {
                dialog.sendAck(ack); // our ACK was lost: the 2xx again
                return;
            }
            dialog.sendAck(ack);
        } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.debug("ACK to {} failed: {}", attempt.extension, e.toString());
        }
        byCallId.remove(fork.leg.callId, fork);
        synchronized (fork.leg) {
            fork.leg.state = SipLeg.State.ANSWERED;
            fork.leg.acked = true;
        }
        if (!first) {
            legs.hangUp(fork.leg); // another device answered first
            return;
        }
        cancelOthers(attempt, fork);
        Sdp answer;
        try {
            answer = Sdp.parseOffer(event.getResponse().getRawContent());
            fork.leg.media.connect(answer.remote(), answer.codecs().get(0));
        } catch (Sdp.Unusable | RuntimeException e) {
            LOG.debug("Attended transfer answer from {} unusable: {}", attempt.extension, e.toString());
            legs.hangUp(fork.leg);
            report(attempt, 488);
            return;
        }
        join(attempt, fork.leg, answer);
    }

    /** The answered leg joins the outside party in place of the referrer; 487 if that party is gone meanwhile. */
    private void join(Attempt attempt, SipLeg leg, Sdp answer) {
        SipLeg other = attempt.other;
        synchronized (leg) {
            leg.sdpRemote = answer.remote();
            leg.music = ParkFlows.musicFor(attempt.call);
            leg.user = attempt.extension; // may transfer the call on (InCallTransfer)
            leg.bridgedCall = attempt.call;
            leg.peer = other;
        }
        legs.register(leg);
        boolean live;
        synchronized (other) {
            live = other.state != SipLeg.State.ENDED;
            if (live) {
                other.peer = leg;
            }
        }
        if (!live) {
            legs.hangUp(leg);
            report(attempt, 487);
            return;
        }
        answers.rejoin(leg, other);
        LOG.info("Attended transfer: {} ({}) bridged to {} in place of the referrer", attempt.extension,
                leg.callId, other.callId);
        report(attempt, 200);
    }

    private void cancelOthers(Attempt attempt, Fork winner) {
        List<Fork> now = new ArrayList<>();
        synchronized (attempt) {
            for (Fork f : attempt.forks) {
                if (f != winner && byCallId.get(f.leg.callId) == f) {
                    if (f.provisional) {
                        now.add(f);
                    } else {
                        f.cancelOnProvisional = true; // RFC 3261 §9.1: not before a provisional response
                    }
                }
            }
        }
        now.forEach(this::cancel);
    }

    private void cancel(Fork fork) {
        try {
            Request cancel = fork.ct.createCancel();
            messages.endpoint().provider.getNewClientTransaction(cancel).sendRequest();
        } catch (SipException | RuntimeException e) {
            LOG.debug("CANCEL to {} failed: {}", fork.attempt.extension, e.toString());
        }
    }

    private void report(Attempt attempt, int status) {
        synchronized (attempt) {
            if (attempt.reported) {
                return;
            }
            attempt.reported = true;
        }
        attempt.done.accept(status);
    }

    /** The SIP stack stops or restarts: forget every INVITE in flight and close its media (its transaction dies). */
    void dropAll() {
        for (Fork f : List.copyOf(byCallId.values())) {
            if (byCallId.remove(f.leg.callId, f)) {
                SipLegs.close(f.leg.media);
            }
        }
    }

    /** Puts {@code leg} back next to {@code peer} (a failed transfer): media as their hold states say. */
    void rejoin(SipLeg leg, SipLeg peer) {
        answers.rejoin(leg, peer);
    }
}
