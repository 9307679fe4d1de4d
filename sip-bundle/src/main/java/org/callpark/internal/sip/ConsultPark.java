package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sip.ServerTransaction;
import javax.sip.message.Request;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkTarget;
import org.callpark.api.Tenant;
import org.callpark.spi.MediaController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.javax.sip.header.extensions.ReplacesHeader;

/**
 * The parked-slot announcement (BroadWorks' "parked destination announcement", issue 16 part 5), off unless
 * {@code announceParkedSlot}: a phone's attended transfer to the park code. The parker's phone holds the customer and
 * calls {@code *68}, {@code *68<ext>} or {@code *58} itself (no Referred-By, no Replaces); we answer that
 * <b>consult leg</b> after digest authentication, play "Your call will be parked on" and the slot's digits once it is
 * acknowledged, and keep it up (silent) for at most {@code announceWaitSeconds} (30). Nothing is parked yet. The phone completes the
 * transfer by REFERring the customer to {@code *68<ext>?Replaces=<consult dialog>}; the customer's INVITE with that
 * {@code Replaces} parks the customer on the announced slot with the consult leg's user as the (verified) parker, and
 * the consult leg gets our BYE. A BYE from the parker or the time limit ends the consult with nothing parked.
 * <p>
 * <b>Why the customer needs no digest</b> (RFC 3891 §6): the consult dialog's identifiers (Call-ID, both tags) went
 * only to the parker's authenticated phone; an INVITE naming them is a transfer that phone started. A Call-ID of a
 * consult leg with the wrong tags is answered 481, as is a consult that ended or was used already (exactly once).
 */
final class ConsultPark {

    private static final Logger LOG = LoggerFactory.getLogger(ConsultPark.class);
    /** The announcement's first prompt: "Your call will be parked on". */
    static final String ANNOUNCE = "park-announce";

    /**
     * A consult leg: who parks, where, and the prompts it hears; {@code announced} once its first ACK started them;
     * {@code used} once a transfer took it or the time limit hung it up (exactly one of them wins).
     */
    private record Consult(SipLeg leg, Tenant tenant, String user, ParkTarget target, List<String> prompts,
            AtomicBoolean announced, AtomicBoolean used) {
    }

    private final SipMessages messages;
    private final SipAuthenticator auth;
    private final SipIdentities identities;
    private final SipLegs legs;
    private final InviteAnswers answers;
    private final CoreAccess core;
    private final MediaController media;
    private final ParkFlows parks;
    private final ScheduledExecutorService timer;
    /**
     * Consult legs by Call-ID, kept until twice the time limit even once used or hung up, so that a late or repeated
     * Replaces naming one gets 481 here (not a digest challenge from {@link ReplacesFlow}).
     */
    private final Map<String, Consult> waiting = new ConcurrentHashMap<>();

    ConsultPark(SipMessages messages, SipAuthenticator auth, SipIdentities identities, SipLegs legs,
            InviteAnswers answers, CoreAccess core, MediaController media, ParkFlows parks,
            ScheduledExecutorService timer) {
        this.messages = messages;
        this.auth = auth;
        this.identities = identities;
        this.legs = legs;
        this.answers = answers;
        this.core = core;
        this.media = media;
        this.parks = parks;
        this.timer = timer;
    }

    /** Whether a park INVITE is a consult call: the announcement is on and no transfer brought it (no Referred-By). */
    boolean consults(Request request) {
        return messages.settings().announceParkedSlot()
                && messages.headerAddress(request, "Referred-By").isEmpty();
    }

    /** Whether an INVITE with Replaces names a consult leg's Call-ID (then {@link #onReplaces} handles it). */
    boolean names(Request request) {
        return request.getHeader(ReplacesHeader.NAME) instanceof ReplacesHeader r && r.getCallId() != null
                && waiting.containsKey(r.getCallId());
    }

    /**
     * The parker's consult INVITE (100 sent, tenant and SDP checked): authenticated, answered, kept waiting. One that a
     * trusted proxy or a registered Contact vouches for as somebody who is not a user of the tenant (a transferred
     * customer whose INVITE lost its Referred-By on the way) is a park as before (which the park service refuses:
     * the parker is no user).
     */
    void onInvite(Request request, ServerTransaction st, Tenant tenant, ParkTarget target, Sdp offer, long received)
            throws Exception {
        SipIdentities.Parker who = identities.parker(request, tenant);
        String user = who.verified() ? who.extension() : null;
        if (user != null && core.currentDirectory().user(tenant.id(), user).isEmpty()) {
            parks.park(request, st, tenant, target, offer, received, who);
            return;
        }
        if (user == null) {
            Optional<String> digest = auth.authenticate(request, st, tenant);
            if (digest.isEmpty()) {
                return; // challenged or refused
            }
            user = digest.get();
        }
        List<String> prompts;
        try {
            prompts = prompts(tenant, digits(core.currentDirectory(), tenant, user, target));
        } catch (ParkException e) {
            SipErrors.Refusal refusal = SipErrors.of(e);
            messages.reject(st, refusal.status(), refusal.message());
            return;
        }
        SipLeg leg = legs.newLeg(request, st, SipLeg.Role.PROMPT);
        synchronized (leg) {
            try {
                leg.media = media.open(leg.id, offer.codecs(), ParkFlows.mediaTarget(request, offer,
                        messages.settings()));
            } catch (ParkException e) {
                legs.refuse(leg, st, e);
                return;
            }
            legs.register(leg);
            if (leg.cancelled) {
                legs.refuseCancelled(leg, st, request);
                return;
            }
            try {
                answers.answer(leg, st, request, offer, null);
            } catch (Exception | LinkageError e) {
                legs.failQuietly(leg, st);
                throw e;
            }
            waiting.put(leg.callId, new Consult(leg, tenant, user, target, prompts, new AtomicBoolean(),
                    new AtomicBoolean()));
            timer.schedule(() -> expire(leg), messages.settings().announceWaitSeconds(), TimeUnit.SECONDS);
        }
        LOG.debug("Consult call of {} to {}: announcing {}", user, target, prompts);
    }

    /**
     * The ACK of a consult leg's 200: the announcement plays now (no RTP goes anywhere before the ACK), once. The
     * listener may hear a leg's ACK more than once: an ACK that crossed our 200 before the stack recorded it is handed
     * over without its dialog, and the 200 retransmitted meanwhile brings the phone's ACK again; a second run of the
     * prompts would end the first run's prompt at each step (a new prompt ends the one playing) and both would rush
     * through the digits.
     */
    void acknowledged(SipLeg leg) {
        Consult c = waiting.get(leg.callId);
        if (c != null && c.leg() == leg && c.announced().compareAndSet(false, true)) {
            play(c, 0);
        }
    }

    private void play(Consult c, int next) {
        if (next >= c.prompts().size()) {
            return; // silence until the transfer, the hang-up or the time limit
        }
        MediaController.MediaLeg m;
        synchronized (c.leg()) {
            m = c.leg().state == SipLeg.State.ANSWERED ? c.leg().media : null;
        }
        if (m != null) {
            m.prompt(c.prompts().get(next), () -> play(c, next + 1));
        }
    }

    /**
     * The customer's INVITE with Replaces naming a consult leg ({@link #names}; 100 sent): parks the customer on the
     * announced slot by the consult's user, then hangs the consult leg up. Wrong tags, an ended or used consult: 481.
     */
    void onReplaces(Request request, ServerTransaction st, Sdp offer, long received) throws Exception {
        ReplacesHeader r = (ReplacesHeader) request.getHeader(ReplacesHeader.NAME);
        Consult c = waiting.get(r.getCallId());
        if (c == null || ReplacesFlow.named(legs, r.getCallId(), r.getToTag(), r.getFromTag()) != c.leg()) {
            messages.reject(st, 481, "no such dialog to replace");
            return;
        }
        boolean live;
        synchronized (c.leg()) {
            live = c.leg().state == SipLeg.State.ANSWERED;
        }
        if (!live || !c.used().compareAndSet(false, true)) {
            messages.reject(st, 481, "the consult call ended");
            return;
        }
        try {
            parks.park(request, st, c.tenant(), c.target(), offer, received,
                    new SipIdentities.Parker(c.user(), true));
        } finally {
            legs.hangUp(c.leg()); // the transfer is done (or failed: the parker's phone keeps the customer)
        }
        LOG.debug("Consult park by {}: the customer took the place of dialog {}", c.user(), c.leg().callId);
    }

    /**
     * The time limit: a leg still waiting for its transfer is hung up, nothing parked; the consult is forgotten one
     * more wait later (a transfer arriving late still gets 481 until then).
     */
    private void expire(SipLeg leg) {
        Consult c = waiting.get(leg.callId);
        if (c == null || c.leg() != leg) {
            return;
        }
        if (c.used().compareAndSet(false, true)) {
            legs.hangUp(leg);
            LOG.debug("Consult call {} of {}: no transfer in time, hung up", leg.callId, c.user());
        }
        timer.schedule(() -> waiting.remove(leg.callId, c), messages.settings().announceWaitSeconds(),
                TimeUnit.SECONDS);
    }

    /** Consults waiting now (tests, stop). */
    int waiting() {
        return waiting.size();
    }

    /**
     * The digits a retriever dials for the slot {@code target} means for {@code user}: the extension, or the park
     * group's number (its name if it has none); checked as the park service will check them.
     */
    static String digits(Directory dir, Tenant tenant, String user, ParkTarget target) throws ParkException {
        switch (target.kind()) {
            case OWN_EXTENSION:
                return user;
            case EXTENSION:
                if (dir.user(tenant.id(), target.value()).isEmpty()) {
                    throw new ParkException(Reason.NOT_FOUND, "no extension " + target.value());
                }
                return target.value();
            case OWN_GROUP: {
                ParkGroup g = dir.parkGroupOf(tenant.id(), user).orElseThrow(() -> new ParkException(
                        Reason.NO_FREE_SLOT, "extension " + user + " is in no park group"));
                return g.number().isEmpty() ? g.name() : g.number();
            }
            default: {
                ParkGroup g = dir.parkGroup(tenant.id(), target.value()).orElseThrow(() -> new ParkException(
                        Reason.NOT_FOUND, "no park group '" + target.value() + "'"));
                return g.number().isEmpty() ? g.name() : g.number();
            }
        }
    }

    /**
     * The prompts of the announcement in {@code tenant}'s language: {@value #ANNOUNCE}, then {@code digit-0} ..
     * {@code digit-9}, {@code digit-star}, {@code digit-hash} per character (others are skipped).
     */
    static List<String> prompts(Tenant tenant, String digits) {
        List<String> out = new ArrayList<>();
        out.add(Prompts.in(tenant, ANNOUNCE));
        for (char ch : digits.toCharArray()) {
            String name = ch >= '0' && ch <= '9' ? "digit-" + ch : ch == '*' ? "digit-star"
                    : ch == '#' ? "digit-hash" : null;
            if (name != null) {
                out.add(Prompts.in(tenant, name));
            }
        }
        return out;
    }
}
