package org.callpark.internal.blf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One BLF subscription ({@code SUBSCRIBE Event: dialog} to a park slot): the notifier side of its SIP dialog, enough to
 * build a NOTIFY on any node. Stored as JSON (only JDK and Hazelcast types enter Hazelcast).
 *
 * @param id           {@code <Call-ID>;<our tag>}, the store key
 * @param tenant       the tenant id
 * @param slot         the slot key ({@code default/ext/102}, {@code default/group/sales})
 * @param entity       the URI subscribed to as it appears in the documents ({@code sip:*88102@example.com})
 * @param retrieveUri  the URI that picks up a call of this slot
 * @param subscriber   the authenticated extension
 * @param callId       the dialog's Call-ID
 * @param localTag     our tag (the To tag of our 200 OK, the From tag of our NOTIFYs)
 * @param remoteTag    the subscriber's From tag
 * @param localUri     the SUBSCRIBE's To URI (From of our NOTIFYs)
 * @param remoteUri    the SUBSCRIBE's From address (To of our NOTIFYs)
 * @param remoteTarget the subscriber's Contact URI (Request-URI of our NOTIFYs)
 * @param routeSet     the Record-Route values of the SUBSCRIBE in order (Route of our NOTIFYs)
 * @param transport    {@code udp} or {@code tcp}
 * @param node         the cluster node that accepted the subscription
 * @param expiresAt    epoch milliseconds
 * @param cseq         the CSeq of the last NOTIFY sent (0 before the first)
 * @param version      the dialog-info version of the last NOTIFY sent (-1 before the first)
 */
public record Subscription(String id, String tenant, String slot, String entity, String retrieveUri,
        String subscriber, String callId, String localTag, String remoteTag, String localUri, String remoteUri,
        String remoteTarget, List<String> routeSet, String transport, String node, long expiresAt, long cseq,
        long version) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Subscription {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(localTag, "localTag");
        routeSet = routeSet == null ? List.of() : List.copyOf(routeSet);
        node = node == null ? "" : node;
    }

    /** The key of a dialog: Call-ID and our tag. */
    public static String idOf(String callId, String localTag) {
        return callId + ";" + localTag;
    }

    /** This subscription after one more NOTIFY: CSeq and version one higher. */
    public Subscription next() {
        return new Subscription(id, tenant, slot, entity, retrieveUri, subscriber, callId, localTag, remoteTag, localUri,
                remoteUri, remoteTarget, routeSet, transport, node, expiresAt, cseq + 1, version + 1);
    }

    /** This subscription refreshed: a new expiry and (RFC 6665 target refresh) the refresh's Contact. */
    public Subscription refreshed(long newExpiresAt, String newRemoteTarget) {
        return new Subscription(id, tenant, slot, entity, retrieveUri, subscriber, callId, localTag, remoteTag, localUri,
                remoteUri, newRemoteTarget == null ? remoteTarget : newRemoteTarget, routeSet, transport, node,
                newExpiresAt, cseq, version);
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("tenant", tenant);
        n.put("slot", slot);
        n.put("entity", entity);
        n.put("retrieveUri", retrieveUri);
        n.put("subscriber", subscriber);
        n.put("callId", callId);
        n.put("localTag", localTag);
        n.put("remoteTag", remoteTag);
        n.put("localUri", localUri);
        n.put("remoteUri", remoteUri);
        n.put("remoteTarget", remoteTarget);
        ArrayNode routes = n.putArray("routeSet");
        routeSet.forEach(routes::add);
        n.put("transport", transport);
        n.put("node", node);
        n.put("expiresAt", expiresAt);
        n.put("cseq", cseq);
        n.put("version", version);
        return n.toString();
    }

    /** The subscription of a JSON value, or {@code null} if it is not one (a newer or broken record). */
    public static Subscription fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            List<String> routes = new ArrayList<>();
            n.path("routeSet").forEach(r -> routes.add(r.asText()));
            return new Subscription(n.path("id").asText(), n.path("tenant").asText(), n.path("slot").asText(),
                    n.path("entity").asText(), n.path("retrieveUri").asText(), n.path("subscriber").asText(),
                    n.path("callId").asText(), n.path("localTag").asText(), n.path("remoteTag").asText(),
                    n.path("localUri").asText(), n.path("remoteUri").asText(), n.path("remoteTarget").asText(), routes,
                    n.path("transport").asText("udp"), n.path("node").asText(), n.path("expiresAt").asLong(),
                    n.path("cseq").asLong(), n.path("version").asLong(-1));
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }
}
