package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.callpark.spi.MediaController.Codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What any node needs to continue a parked caller's SIP dialog, kept in the call's cluster record
 * ({@link org.callpark.api.ParkedCall#session()}) as JSON, never in a JAIN-SIP stack: with it a node that did not
 * answer the INVITE (a survivor, a new revision of this bundle, this node after a restart) can re-INVITE the caller to
 * its own Contact and media, answer the caller's in-dialog requests, and send the final BYE.
 * <p>
 * The dialog is seen from our side (we are the UAS of the caller's INVITE): {@code localUri}/{@code localTag} are the
 * INVITE's To, {@code remoteUri}/{@code remoteTag} its From, {@code remoteTarget} the caller's Contact, {@code routes}
 * its Record-Route set in order. {@code localCseq} is the last CSeq we used in this dialog (each carrier raises it in
 * the record before it sends); {@code sdpId}/{@code sdpVersion} keep our {@code o=} line one session with increasing
 * versions whichever node answers (RFC 3264 §8). {@code claimedBy}/{@code claimedAt} mark a node that is re-INVITing
 * the caller now (so two nodes never re-INVITE at once); {@code handoverTo} asks a node to take the call (drain).
 *
 * @param callId       the dialog's Call-ID
 * @param localTag     our tag (the To tag of our 200)
 * @param remoteTag    the caller's tag (From)
 * @param localUri     our URI (the INVITE's To, without tag)
 * @param remoteUri    the caller's URI (the INVITE's From, without tag)
 * @param remoteTarget the caller's Contact URI (updated by its 200 to a re-INVITE)
 * @param routes       the route set (Record-Route of the INVITE, in order), empty without a proxy
 * @param transport    {@code udp} or {@code tcp}
 * @param contact      our Contact the caller last learnt (its requests come there)
 * @param localCseq    the last CSeq number we used in the dialog
 * @param remoteSdp    the caller's latest SDP (its offer, or its answer to our re-INVITE)
 * @param codec        the negotiated codec
 * @param sdpId        our SDP session id
 * @param sdpVersion   our SDP version last sent
 * @param claimedBy    the node re-INVITing the caller now, or empty
 * @param claimedAt    when it claimed (epoch ms)
 * @param handoverTo   the node asked to take the call over, or empty
 * @param parkerUnverified the parker named by the INVITE could not be verified (not authenticated, not from a trusted
 *                     proxy, not from that user's registered contact). The core decides from
 *                     {@code ParkedCall.parkerVerified} (set from the {@code ParkRequest}); this copy is still
 *                     written so that a node of the previous version, which reads only this, never rings that
 *                     parker during a rolling update, and records it wrote are read as unverified
 *                     ({@code CallCodec}). It can go once no such node is left.
 * @param sessionInterval the RFC 4028 session interval (seconds) the caller refreshes, 0 for none: a node that takes
 *                     the dialog over hangs the caller up if the refresh is overdue ({@link SessionTimers})
 * @param ourRefresh   empty if the caller refreshes the session ({@code refresher=uac}); else we do
 *                     ({@code refresher=uas}) with this method, {@code UPDATE} (the caller allows it) or {@code INVITE}:
 *                     whichever node carries the dialog sends the refreshes, so a survivor goes on with them
 */
record SipSession(String callId, String localTag, String remoteTag, String localUri, String remoteUri,
        String remoteTarget, List<String> routes, String transport, String contact, long localCseq, String remoteSdp,
        Codec codec, long sdpId, long sdpVersion, String claimedBy, long claimedAt, String handoverTo,
        boolean parkerUnverified, int sessionInterval, String ourRefresh) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    SipSession {
        routes = List.copyOf(routes);
        claimedBy = claimedBy == null ? "" : claimedBy;
        handoverTo = handoverTo == null ? "" : handoverTo;
        ourRefresh = ourRefresh == null ? "" : ourRefresh;
    }

    /** The session as it is after a re-INVITE with CSeq {@code cseq} claimed by {@code node}. */
    SipSession claimed(String node, long at, long cseq) {
        return new SipSession(callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routes, transport, contact,
                cseq,                 remoteSdp, codec, sdpId, sdpVersion, node, at, "", parkerUnverified,
                sessionInterval, ourRefresh);
    }

    /** No claim, no hand-over request (a move failed or finished). */
    SipSession unclaimed() {
        return new SipSession(callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routes, transport, contact,
                localCseq, remoteSdp, codec, sdpId, sdpVersion, "", 0, "", parkerUnverified, sessionInterval, ourRefresh);
    }

    /** The session after the caller accepted our re-offer. */
    SipSession moved(String newRemoteTarget, String newContact, String newRemoteSdp, Codec newCodec,
            long newSdpVersion) {
        return new SipSession(callId, localTag, remoteTag, localUri, remoteUri, newRemoteTarget, routes,
                transport, newContact,                 localCseq, newRemoteSdp, newCodec, sdpId, newSdpVersion, "", 0, "",
                parkerUnverified, sessionInterval, ourRefresh);
    }

    /** Asks {@code node} to take the call over. */
    SipSession handover(String node) {
        return new SipSession(callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routes, transport, contact,
                localCseq, remoteSdp, codec, sdpId, sdpVersion, claimedBy, claimedAt, node,
                parkerUnverified, sessionInterval, ourRefresh);
    }

    /** With a higher local CSeq (a BYE or OPTIONS sent). */
    SipSession withLocalCseq(long cseq) {
        return new SipSession(callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routes, transport, contact,
                cseq,                 remoteSdp, codec, sdpId, sdpVersion, claimedBy, claimedAt, handoverTo,
                parkerUnverified, sessionInterval, ourRefresh);
    }

    /**
     * Parked again by an in-call transfer ({@link InCallTransfer}): the referrer, a user in the call, is the parker and
     * verified; {@code newSdpVersion} is our SDP version as last sent (a hold in the bridge may have raised it).
     */
    SipSession reparked(long newSdpVersion) {
        return new SipSession(callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routes, transport, contact,
                localCseq, remoteSdp, codec, sdpId, Math.max(sdpVersion, newSdpVersion), claimedBy, claimedAt,
                handoverTo, false, sessionInterval, ourRefresh);
    }

    /** With the session timer agreed last: its interval and who refreshes (see {@link #ourRefresh}). */
    SipSession withTimer(int interval, String refresh) {
        return new SipSession(callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routes, transport, contact,
                localCseq, remoteSdp, codec, sdpId, sdpVersion, claimedBy, claimedAt, handoverTo,
                parkerUnverified, interval, refresh);
    }

    /** Whether a node other than {@code except} holds a claim younger than {@code maxAgeMillis}. */
    boolean claimedByOther(String except, long now, long maxAgeMillis) {
        return !claimedBy.isEmpty() && !claimedBy.equals(except) && now - claimedAt < maxAgeMillis;
    }

    String toJson() {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("sip", 1);
        o.put("callId", callId);
        o.put("localTag", localTag);
        o.put("remoteTag", remoteTag);
        o.put("localUri", localUri);
        o.put("remoteUri", remoteUri);
        o.put("remoteTarget", remoteTarget);
        ArrayNode r = o.putArray("routes");
        routes.forEach(r::add);
        o.put("transport", transport);
        o.put("contact", contact);
        o.put("localCseq", localCseq);
        o.put("remoteSdp", remoteSdp);
        ObjectNode c = o.putObject("codec");
        c.put("name", codec.name());
        c.put("pt", codec.payloadType());
        c.put("rate", codec.clockRate());
        c.put("channels", codec.channels());
        o.put("sdpId", sdpId);
        o.put("sdpVersion", sdpVersion);
        if (!claimedBy.isEmpty()) {
            o.put("claimedBy", claimedBy);
            o.put("claimedAt", claimedAt);
        }
        if (!handoverTo.isEmpty()) {
            o.put("handoverTo", handoverTo);
        }
        if (parkerUnverified) {
            o.put("parkerUnverified", true);
        }
        if (sessionInterval > 0) {
            o.put("sessionInterval", sessionInterval);
        }
        if (!ourRefresh.isEmpty()) {
            o.put("ourRefresh", ourRefresh);
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the SIP session of " + callId, e);
        }
    }

    /** The SIP session of a call record, or empty if it has none (not parked over SIP) or it is unreadable. */
    static Optional<SipSession> of(String json) {
        if (json == null || json.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode o = MAPPER.readTree(json);
            if (o == null || o.path("sip").asInt() != 1) {
                return Optional.empty();
            }
            List<String> routes = new ArrayList<>();
            o.path("routes").forEach(n -> routes.add(n.asText()));
            JsonNode c = o.path("codec");
            return Optional.of(new SipSession(o.path("callId").asText(), o.path("localTag").asText(),
                    o.path("remoteTag").asText(), o.path("localUri").asText(), o.path("remoteUri").asText(),
                    o.path("remoteTarget").asText(), routes, o.path("transport").asText("udp"), o.path("contact").asText(""),
                    o.path("localCseq").asLong(), o.path("remoteSdp").asText(),
                    new Codec(c.path("name").asText("PCMU"), c.path("pt").asInt(0), c.path("rate").asInt(8000),
                            c.path("channels").asInt(1)),
                    o.path("sdpId").asLong(), o.path("sdpVersion").asLong(), o.path("claimedBy").asText(""),
                    o.path("claimedAt").asLong(), o.path("handoverTo").asText(""),
                    o.path("parkerUnverified").asBoolean(false), o.path("sessionInterval").asInt(0),
                    o.path("ourRefresh").asText("")));
        } catch (JsonProcessingException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
