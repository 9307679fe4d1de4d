package org.callpark.internal.sip;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import javax.sip.ServerTransaction;
import javax.sip.message.Request;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.Tenant;
import org.callpark.spi.MediaController;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Retrieves a parked call for a retrieve INVITE ({@code *88}, {@code *88<ext>}, {@code park+<ext|group>}): the
 * requester is authenticated, the retriever's media leg opened, the call taken through the {@link CallParkService}
 * (which moves it to this node first if another node carries it) and the two legs bridged. Nothing to retrieve, or the
 * caller gone meanwhile, is answered with the "nothing-parked" prompt and a hang-up.
 * <p>
 * A retrieve runs on its own pool, off the stack's listener threads: a retrieve of a call carried by another node
 * waits for that caller's answer to our re-INVITE, and that answer needs a listener thread (8 retrieves waiting would
 * starve the stack).
 */
final class RetrieveFlows {

    private static final Logger LOG = LoggerFactory.getLogger(RetrieveFlows.class);

    private final SipMessages messages;
    private final SipAuthenticator auth;
    private final SipLegs legs;
    private final InviteAnswers answers;
    private final CoreAccess core;
    private final MediaController media;
    private final Supplier<String> localNode;
    /** Where retrieve INVITEs are handled; {@code null}: on the listener thread. */
    private final Executor pool;

    RetrieveFlows(SipMessages messages, SipAuthenticator auth, SipLegs legs, InviteAnswers answers,
            CoreAccess core, MediaController media, Supplier<String> localNode, Executor pool) {
        this.messages = messages;
        this.auth = auth;
        this.legs = legs;
        this.answers = answers;
        this.core = core;
        this.media = media;
        this.localNode = localNode;
        this.pool = pool;
    }

    /** A retrieve INVITE (100 Trying sent, tenant and SDP checked): authenticates, then retrieves on the pool. */
    void onInvite(Request request, ServerTransaction st, Tenant tenant, FeatureCode code, Sdp offer, long received)
            throws Exception {
        Optional<String> requester = auth.authenticate(request, st, tenant);
        if (requester.isEmpty()) {
            return; // challenged or refused
        }
        if (!offer.offersAnyOf(media.codecs())) {
            messages.reject(st, 488, "none of the offered codecs is supported");
            return;
        }
        SipLeg leg = legs.newLeg(request, st, SipLeg.Role.RETRIEVER);
        if (pool == null) {
            retrieve(request, st, leg, tenant, requester.get(), code, offer, received);
            return;
        }
        String callId = SipMessages.callIdOf(request);
        String tenantId = tenant.id().value();
        try {
            pool.execute(() -> {
                MDC.put("call-id", callId);
                MDC.put("tenant", tenantId);
                try {
                    retrieve(request, st, leg, tenant, requester.get(), code, offer, received);
                } catch (Exception | LinkageError e) {
                    LOG.warn("Handling the retrieve INVITE failed: {}", e.toString());
                    legs.failQuietly(leg, st);
                } finally {
                    MDC.remove("call-id");
                    MDC.remove("tenant");
                    MDC.remove("slot");
                }
            });
        } catch (RejectedExecutionException e) {
            legs.failQuietly(leg, st);
        }
    }

    private void retrieve(Request request, ServerTransaction st, SipLeg leg, Tenant tenant, String requester,
            FeatureCode code, Sdp offer, long received) throws Exception {
        legs.register(leg);
        synchronized (leg) {
            // The retriever's media first: if it cannot be set up the call is never taken and stays parked as it was.
            try {
                leg.media = media.open(leg.id, offer.codecs(), offer.remote());
            } catch (ParkException e) {
                legs.refuse(leg, st, e);
                return;
            }
            ParkedCall call;
            try {
                call = core.service().retrieve(new RetrieveRequest(tenant.id(), requester, code.retrieve(),
                        localNode.get())); // the caller's media must be on this node (no cross-node bridging yet)
            } catch (ParkException e) {
                if (e.reason() == ParkException.Reason.SLOT_EMPTY) {
                    nothingParked(leg, st, request, offer, tenant, e.getMessage());
                } else {
                    legs.refuse(leg, st, e);
                }
                return;
            } catch (CoreAwayException e) {
                legs.refuseAway(leg, st);
                return;
            }
            MDC.put("slot", call.slot().key());
            SipLeg parked = legs.byLegId(call.leg());
            if (parked == null || !localNode.get().equals(call.node())) {
                // Owned by another node (or its leg is gone): cross-node retrieve is not there yet.
                LOG.warn("Retrieved call {} is held by node {}, not here: cannot bridge it", call.id(), call.node());
                nothingParked(leg, st, request, offer, tenant, "the call is held by another node");
                return;
            }
            MediaLeg parkedMedia;
            synchronized (parked) {
                parkedMedia = parked.state == SipLeg.State.ENDED ? null : parked.media;
            }
            if (parkedMedia != null) {
                preferCodec(media, leg, offer, parkedMedia.codec());
            }
            boolean bridged;
            synchronized (parked) {
                bridged = parked.state != SipLeg.State.ENDED;
                if (bridged) {
                    parked.parkedCallId = null;
                    parked.peer = leg;
                    parked.music = ParkFlows.musicFor(call);
                }
            }
            if (!bridged || leg.cancelled) {
                if (bridged) {
                    legs.hangUp(parked); // the retriever cancelled: hang the caller up, its call is taken
                }
                if (leg.cancelled) {
                    legs.refuseCancelled(leg, st, request);
                    return;
                }
                // The caller hung up while we took the call.
                leg.role = SipLeg.Role.PROMPT;
                answers.answer(leg, st, request, offer, null);
                leg.media.prompt(Prompts.in(tenant, Prompts.NOTHING_PARKED), () -> legs.hangUp(leg));
                return;
            }
            leg.peer = parked;
            leg.music = ParkFlows.musicFor(call);
            leg.user = requester;
            leg.bridgedCall = call;
            answers.answer(leg, st, request, offer, call.caller());
            messages.stats().retrieved(tenant.id().value(), received);
            parkedMedia.bridge(leg.media);
            LOG.debug("Retrieved {} ({}) from {} by {}", call.id(), call.caller().describe(), call.slot(),
                    requester);
        }
    }

    private void nothingParked(SipLeg leg, ServerTransaction st, Request request, Sdp offer, Tenant tenant,
            String why) throws Exception {
        leg.role = SipLeg.Role.PROMPT;
        try {
            if (leg.media == null) {
                leg.media = media.open(leg.id, offer.codecs(), offer.remote());
            }
        } catch (ParkException e) {
            leg.end(false);
            legs.forget(leg);
            messages.reject(st, 404, why);
            return;
        }
        if (leg.cancelled) {
            legs.refuseCancelled(leg, st, request);
            return;
        }
        answers.answer(leg, st, request, offer, null);
        LOG.debug("Nothing to retrieve: {}", why);
        leg.media.prompt(Prompts.in(tenant, Prompts.NOTHING_PARKED), () -> legs.hangUp(leg));
    }

    /**
     * Re-opens the retriever's leg with the parked caller's codec first when the retriever offered it too, so that the
     * bridge relays without transcoding. If that fails the first leg stays (the bridge transcodes). Also for the new
     * leg of an attended transfer ({@link ReplacesFlow}).
     */
    static void preferCodec(MediaController media, SipLeg leg, Sdp offer, Codec parkedCodec) {
        if (Sdp.same(leg.media.codec(), parkedCodec)) {
            return;
        }
        List<Codec> preferred = offer.preferring(parkedCodec);
        if (!Sdp.same(preferred.get(0), parkedCodec)) {
            return; // the retriever does not offer it
        }
        try {
            MediaLeg reopened = media.open(leg.id, preferred, offer.remote());
            SipLegs.close(leg.media);
            leg.media = reopened;
        } catch (ParkException e) {
            LOG.debug("Keeping codec {} for {} (transcoding): {}", leg.media.codec(), leg.id, e.getMessage());
        }
    }
}
