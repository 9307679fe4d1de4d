package org.callpark.internal.sip;

import java.net.InetSocketAddress;

import javax.sip.message.Request;

import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hold, unhold and moved media of a bridged call (a retrieve, an answered recall), offered by either party in a
 * re-INVITE or an UPDATE (RFC 3264 §8.4, RFC 6337 §5): a party whose offer says it will not receive ({@code sendonly},
 * {@code inactive}, the old {@code c=0.0.0.0}) holds the call. Our answer mirrors the direction
 * ({@code sendonly → recvonly}, {@code inactive → inactive}); the holding party gets no RTP from us, the other party
 * hears the call's hold music (the music it heard while parked), and when neither holds any more the two legs are
 * bridged again. Both may hold at once: then neither gets RTP, and the one who resumes first hears music.
 * <p>
 * An offer naming another address or port than the party's last SDP moves its media leg there (the media safety rule
 * of the park INVITE applies: an address other than the request's source, from an untrusted source, is not sent to;
 * the leg waits for the party's RTP and latches to it). A new offer must keep the call's codec (no codec change within
 * a call: 488, and nothing changes).
 * <p>
 * A bridged call lives on the node that bridged it: its parked call ended {@code ANSWERED} with the retrieve, so the
 * cluster has no record of it and its hold state is kept on the two {@link SipLeg}s only.
 */
final class InDialogHold {

    private static final Logger LOG = LoggerFactory.getLogger(InDialogHold.class);

    private final SipMessages messages;
    /**
     * Serialises the media changes of bridged pairs, so that both parties holding or resuming at the same instant on
     * two listener threads cannot leave the media applied from a stale view (leg monitors are taken inside it, one at
     * a time, never the other way round). Holds are rare: one lock for all pairs is enough.
     */
    private final Object mediaChanges = new Object();

    InDialogHold(SipMessages messages) {
        this.messages = messages;
    }

    /**
     * What an offer asks of a bridged leg, checked and not applied yet; {@code holdChanged}: the party holds now and
     * did not before, or the other way round (only then the media change).
     */
    record Offer(SipLeg peer, boolean holding, boolean holdChanged, InetSocketAddress remote, boolean moved,
            String answerSdp) {
    }

    /**
     * Under the leg's monitor, for an answered leg with a peer: reads the offer in {@code request} and builds our
     * answer; nothing changes yet ({@link #take}).
     *
     * @throws Sdp.Unusable if the offer cannot be used (no audio, no known codec, the call's codec dropped): the
     *                      request gets 488 and the session stays as it was (RFC 3261 §14.2)
     */
    Offer read(SipLeg leg, Request request) throws Sdp.Unusable {
        byte[] body = request.getRawContent();
        Sdp offer = Sdp.parseOffer(body);
        Sdp.Direction direction = Sdp.direction(body);
        Codec ours = leg.media.codec();
        if (offer.codecs().stream().noneMatch(c -> Sdp.same(c, ours))) {
            throw new Sdp.Unusable("the offer drops the call's codec " + ours.name()
                    + " (changing the codec within a call is not supported)");
        }
        boolean holding = !direction.receives();
        InetSocketAddress remote = offer.remote();
        boolean moved = !remote.getAddress().isAnyLocalAddress() && !remote.equals(leg.sdpRemote);
        Sdp.Direction previous = Sdp.direction(leg.answerSdp.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String answer = leg.answerSdp;
        if (moved || previous != direction.answer()) {
            // a changed answer: same session id, next version (RFC 3264 §8)
            long[] origin = Sdp.origin(leg.answerSdp);
            long id = origin == null ? Sdp.nextVersion() : origin[0];
            long version = origin == null ? id : origin[1] + 1;
            answer = offer.answer(messages.settings().advertisedAddress(), leg.media.localAddress().getPort(), ours,
                    id, version, direction.answer());
        }
        return new Offer(leg.peer, holding, holding != leg.holding, remote, moved, answer);
    }

    /**
     * Under the leg's monitor, once the request will be answered 200: our answer becomes the leg's SDP, its hold state
     * is taken, and moved media is sent to where the offer says (if vouched for, else to the next RTP source).
     */
    void take(SipLeg leg, Offer offer, Request request) {
        leg.answerSdp = offer.answerSdp();
        if (offer.moved()) {
            leg.sdpRemote = offer.remote();
            InetSocketAddress target = MediaTargets.vouched(offer.remote(), SipMessages.sourceIp(request),
                    messages.settings());
            try {
                leg.media.moveTo(target);
                LOG.debug("{} moved its media to {} (sending to {})", leg, offer.remote(),
                        target == null ? "its next RTP source" : target);
            } catch (UnsupportedOperationException e) {
                LOG.debug("{} moved its media, the media controller keeps the old address: {}", leg, e.getMessage());
            }
        }
        leg.holding = offer.holding();
    }

    /**
     * Outside the leg's monitor, after the 200: the pair's media as their hold states now say. Neither holds: bridged;
     * otherwise a holding party gets silence and the other one the music.
     */
    void apply(SipLeg leg, Offer offer) {
        SipLeg peer = offer.peer();
        if (!offer.holdChanged() || peer == null) {
            return;
        }
        synchronized (mediaChanges) {
            boolean legHolds;
            boolean peerHolds;
            MediaLeg legMedia;
            MediaLeg peerMedia;
            String music;
            synchronized (leg) {
                if (leg.state == SipLeg.State.ENDED || leg.peer != peer || leg.media == null) {
                    return;
                }
                legHolds = leg.holding;
                legMedia = leg.media;
                music = leg.music;
            }
            synchronized (peer) {
                if (peer.state == SipLeg.State.ENDED || peer.media == null) {
                    return;
                }
                peerHolds = peer.holding;
                peerMedia = peer.media;
                music = music != null ? music : peer.music;
            }
            try {
                if (!legHolds && !peerHolds) {
                    legMedia.bridge(peerMedia);
                    LOG.debug("{} and {}: bridged again", leg, peer);
                    return;
                }
                hearWhat(legMedia, legHolds, music);
                hearWhat(peerMedia, peerHolds, music);
                LOG.debug("{} {} and {} {}", leg, legHolds ? "holds" : "is held", peer,
                        peerHolds ? "holds" : "is held");
            } catch (UnsupportedOperationException e) {
                LOG.debug("Hold of {}: the media controller cannot: {}", leg, e.getMessage());
            }
        }
    }

    private static void hearWhat(MediaLeg media, boolean holds, String music) {
        if (holds) {
            media.silence();
        } else {
            media.hold(music == null ? "" : music);
        }
    }
}
