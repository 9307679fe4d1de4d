package org.callpark.internal.sip;

import java.net.InetSocketAddress;
import java.util.Locale;

import javax.sip.ServerTransaction;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.CallParkService;
import org.callpark.api.CallerId;
import org.callpark.api.ParkException;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkTarget;
import org.callpark.api.ParkedCall;
import org.callpark.api.Tenant;
import org.callpark.spi.MediaController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Parks the caller of a park INVITE ({@code *68}, {@code *68<ext>}, {@code *58}): opens its media leg, builds the
 * {@link ParkRequest} with the dialog as the cluster record keeps it ({@link SipSession}, so that any node can carry
 * the caller on), calls the {@link CallParkService}, answers and starts the hold music. It holds no park logic: a
 * {@link ParkException} becomes the SIP refusal through {@link SipErrors}.
 */
final class ParkFlows {

    private static final Logger LOG = LoggerFactory.getLogger(ParkFlows.class);

    private final SipMessages messages;
    private final SipIdentities identities;
    private final SipLegs legs;
    private final InviteAnswers answers;
    private final CoreAccess core;
    private final MediaController media;
    private final SessionTimers timers;

    ParkFlows(SipMessages messages, SipIdentities identities, SipLegs legs, InviteAnswers answers,
            CoreAccess core, MediaController media, SessionTimers timers) {
        this.messages = messages;
        this.identities = identities;
        this.legs = legs;
        this.answers = answers;
        this.core = core;
        this.media = media;
        this.timers = timers;
    }

    /** Parks the caller of {@code request} (100 Trying sent, tenant and SDP checked) on {@code target}. */
    /** @param received when the INVITE reached the dispatcher ({@link System#nanoTime()}), for the park latency */
    void park(Request request, ServerTransaction st, Tenant tenant, ParkTarget target, Sdp offer, long received)
            throws Exception {
        park(request, st, tenant, target, offer, received, null);
    }

    /**
     * As {@link #park(Request, ServerTransaction, Tenant, ParkTarget, Sdp, long)}, with the parker already known
     * ({@code who}; {@code null}: from the request's headers, {@link SipIdentities#parker}): a consult park
     * ({@link ConsultPark}) names the consult leg's authenticated user.
     */
    void park(Request request, ServerTransaction st, Tenant tenant, ParkTarget target, Sdp offer, long received,
            SipIdentities.Parker parkerKnown) throws Exception {
        int sessionInterval = timers.intervalFor(request);
        if (sessionInterval < 0) {
            st.sendResponse(timers.tooSmall(request));
            return;
        }
        String countedAs = legs.inProgress().enter(request);
        if (countedAs == null) {
            LOG.debug("Refused with 503: too many parks in progress from {}", SipMessages.sourceIp(request));
            Response busy = messages.response(request, 503, "too many calls being parked from this address");
            busy.setHeader(messages.headers().createRetryAfterHeader(SipMessages.CORE_AWAY_RETRY_SECONDS));
            st.sendResponse(busy);
            return;
        }
        SipLeg leg;
        try {
            leg = legs.newLeg(request, st, SipLeg.Role.PARKED);
        } catch (Exception | LinkageError e) {
            SipLeg none = new SipLeg("", "", null, null, "", SipLeg.Role.PARKED);
            none.inProgressFrom = countedAs;
            legs.inProgress().leave(none);
            throw e;
        }
        leg.inProgressFrom = countedAs;
        leg.sessionInterval = sessionInterval;
        leg.ourRefresh = SessionTimers.ourRefresh(request, sessionInterval);
        SipIdentities.Parker who = parkerKnown != null ? parkerKnown : identities.parker(request, tenant);
        String parker = who.extension();
        CallerId caller = identities.callerOf(request);
        legs.register(leg);
        synchronized (leg) {
            try {
                leg.media = media.open(leg.id, offer.codecs(), mediaTarget(request, offer, messages.settings()));
            } catch (ParkException e) {
                legs.refuse(leg, st, e);
                return;
            }
            ParkedCall call;
            try {
                leg.localTag = SipMessages.newTag();
                leg.session = sessionOf(request, leg, offer, !who.verified());
                // an unverified parker is kept (shown), but the core's recall ladder never rings it
                call = core.service().park(new ParkRequest(tenant.id(), target, parker, caller, leg.id,
                        leg.session.toJson(), who.verified()));
            } catch (ParkException e) {
                legs.refuse(leg, st, e);
                return;
            } catch (CoreAwayException e) {
                legs.refuseAway(leg, st);
                return;
            }
            MDC.put("slot", call.slot().key());
            leg.parkedCallId = call.id();
            leg.carriedSince = call.version();
            if (leg.cancelled) {
                legs.refuseCancelled(leg, st, request);
                return;
            }
            leg.musicOnAck = musicFor(call); // the music starts with the ACK (SipLegs.acknowledged), not before
            answers.answer(leg, st, request, offer, null);
            messages.stats().parked(tenant.id().value(), received);
            LOG.debug("Parked {} ({}) on {} by {}{}", call.id(), caller.describe(), call.slot(), parker,
                    who.verified() ? "" : " (unverified: recalls do not ring the parker)");
        }
    }

    /**
     * Where a parked caller's music may go before its own RTP arrives: the SDP's address only if it is the address the
     * INVITE came from, or the INVITE came from a trusted proxy (which vouches for its SDP). Otherwise {@code null}: the
     * media leg sends nothing until the caller's first RTP packet and then latches to its source (symmetric RTP,
     * {@code RtpLeg}). So an unauthenticated INVITE naming a third party's address cannot make us stream to it.
     */
    static InetSocketAddress mediaTarget(Request request, Sdp offer, SipSettings settings) {
        return vouched(offer.remote(), SipMessages.sourceIp(request), settings);
    }

    /** {@code sdp} if it names {@code sourceIp} or that is a trusted proxy, else {@code null} (wait for RTP). */
    static InetSocketAddress vouched(InetSocketAddress sdp, String sourceIp, SipSettings settings) {
        return MediaTargets.vouched(sdp, sourceIp, settings);
    }

    /** The dialog of a caller being parked, as the cluster record keeps it (before we answer: our tag is chosen). */
    private SipSession sessionOf(Request request, SipLeg leg, Sdp offer, boolean parkerUnverified) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        long sdpId = Sdp.nextVersion();
        return new SipSession(leg.callId, leg.localTag, from.getTag() == null ? "" : from.getTag(),
                to.getAddress().toString(), from.getAddress().toString(),
                SipMessages.contact(request).getAddress().getURI().toString(), SipMessages.recordRoutes(request),
                leg.transport, messages.contactUri(leg.transport), 0, SipMessages.bodyOf(request),
                offer.offered(leg.media.codec()), sdpId, sdpId, "", 0, "", parkerUnverified,
                leg.sessionInterval, leg.ourRefresh);
    }

    /** The hold music a call hears: its park group's, else its tenant's, else the default (the media falls back). */
    static String musicFor(ParkedCall call) {
        String tenant = call.tenant().value();
        return call.parkGroup().isEmpty() ? tenant : tenant + "/" + call.parkGroup().toLowerCase(Locale.ROOT);
    }
}
