package org.callpark.spi.json;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.core.HazelcastJsonValue;

/**
 * Writes and reads a {@link ParkedCall} as JSON with stable field names, so that no class of this bundle ever lives
 * inside Hazelcast (a stale class after {@code bundle:update}, or one another member cannot load).
 * <p>
 * Fields: {@code id, tenant, slot} (the {@link SlotId#key()}, the source of truth for the slot), {@code kind, name}
 * (informational copies of the slot's parts), {@code callerNumber, callerName, parkedBy, parkGroup, parkedAt} (epoch
 * ms), {@code sequence, state, resolution, attempt, recall {mode, ringGroup, members[], ringDurationMs, waitMs,
 * retries, finalDestination, finalTargets[]}} (the last two absent when the call ends in the final prompt, as in
 * every record before 1.3), {@code node, leg, nextActionAt} (epoch ms or null), {@code version}, {@code session} (the
 * carrier's session record, nested as JSON; absent when empty), {@code resolvedBy} (absent when empty),
 * {@code parkerVerified} (written only as {@code false}; absent means verified). Unknown fields are ignored, so records written by a newer node stay
 * readable. Instants are kept to the millisecond.
 * <p>
 * A record without {@code parkerVerified} whose session has {@code "parkerUnverified": true} was written by a SIP
 * node before api 1.5, when only the SIP carrier knew: it reads as unverified, so that such a call still never
 * rings its parker after an update.
 * <p>
 * Thread-safe.
 */
public final class CallCodec {

    /** The Hazelcast map of the parked calls: call id to the record as JSON. */
    public static final String MAP = "callpark.calls";
    /** The record's field with the {@link SlotId#key()}, indexed and queried by slot. */
    public static final String SLOT_FIELD = "slot";
    /** The record's field with the tenant id, indexed and queried by tenant. */
    public static final String TENANT_FIELD = "tenant";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The call as a Hazelcast JSON value. */
    public HazelcastJsonValue encode(ParkedCall call) {
        return new HazelcastJsonValue(toJson(call));
    }

    /**
     * Reads a value written by {@link #encode}.
     *
     * @throws IllegalArgumentException if the value is not a readable call record
     */
    public ParkedCall decode(HazelcastJsonValue value) {
        return fromJson(value.toString());
    }

    public String toJson(ParkedCall call) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", call.id());
        o.put("tenant", call.tenant().value());
        o.put("slot", call.slot().key());
        o.put("kind", call.slot().kind().token());
        o.put("name", call.slot().name());
        o.put("callerNumber", call.caller().number());
        o.put("callerName", call.caller().displayName());
        o.put("parkedBy", call.parkedBy());
        o.put("parkGroup", call.parkGroup());
        o.put("parkedAt", call.parkedAt().toEpochMilli());
        o.put("sequence", call.sequence());
        o.put("state", call.state().name());
        o.put("resolution", call.resolution() == null ? null : call.resolution().name());
        o.put("attempt", call.recallAttempt());
        o.put("target", call.recallTarget() == null ? null : call.recallTarget().name());
        ObjectNode r = o.putObject("recall");
        RecallPolicy recall = call.recall();
        r.put("mode", recall.mode().name());
        r.put("ringGroup", recall.ringGroup());
        ArrayNode members = r.putArray("members");
        recall.ringGroupMembers().forEach(members::add);
        r.put("ringDurationMs", recall.ringDuration().toMillis());
        r.put("waitMs", recall.waitBeforeRingGroup().toMillis());
        r.put("retries", recall.retries());
        if (recall.hasFinalDestination()) {
            r.put("finalDestination", recall.finalDestination());
            ArrayNode targets = r.putArray("finalTargets");
            recall.finalTargets().forEach(targets::add);
        }
        o.put("node", call.node());
        o.put("leg", call.leg());
        o.put("nextActionAt", call.nextActionAt() == null ? null : call.nextActionAt().toEpochMilli());
        o.put("version", call.version());
        if (!call.resolvedBy().isEmpty()) {
            o.put("resolvedBy", call.resolvedBy());
        }
        if (!call.parkerVerified()) {
            o.put("parkerVerified", false);
        }
        if (!call.session().isEmpty()) {
            try {
                // nested, so that the member can read (and index) its attributes
                o.set("session", MAPPER.readTree(call.session()));
            } catch (JsonProcessingException e) {
                o.put("session", call.session());
            }
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write call " + call.id(), e);
        }
    }

    /**
     * @throws IllegalArgumentException if the text is not a readable call record
     */
    public ParkedCall fromJson(String json) {
        JsonNode o;
        try {
            o = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("call record is not JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("call record is not a JSON object");
        }
        try {
            JsonNode r = required(o, "recall");
            List<String> members = new ArrayList<>();
            for (JsonNode m : r.path("members")) {
                members.add(m.asText());
            }
            RecallPolicy recall = new RecallPolicy(RecallMode.valueOf(text(r, "mode")), text(r, "ringGroup"), members,
                    Duration.ofMillis(required(r, "ringDurationMs").asLong()),
                    Duration.ofMillis(required(r, "waitMs").asLong()), r.path("retries").asInt(),
                    text(r, "finalDestination"), texts(r.path("finalTargets")));
            String resolution = text(o, "resolution");
            CallState state = CallState.valueOf(requiredText(o, "state"));
            String target = text(o, "target");
            RecallTarget recallTarget = target != null ? RecallTarget.valueOf(target)
                    : state == CallState.RECALLING ? RecallTarget.PARKER : null;
            return new ParkedCall(text(o, "id"), SlotId.parse(requiredText(o, "slot")),
                    CallerId.of(text(o, "callerNumber"), text(o, "callerName")), text(o, "parkedBy"),
                    text(o, "parkGroup"), Instant.ofEpochMilli(required(o, "parkedAt").asLong()),
                    o.path("sequence").asLong(), state,
                    resolution == null ? null : Resolution.valueOf(resolution), o.path("attempt").asInt(), recall,
                    text(o, "node"), text(o, "leg"), instant(o, "nextActionAt"), required(o, "version").asLong(),
                    recallTarget, session(o), text(o, "resolvedBy"), parkerVerified(o));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable call record " + o.path("id").asText("?") + ": "
                    + e.getMessage(), e);
        }
    }

    /** The field, else the SIP session's flag of records written before 1.5, else verified. */
    private static boolean parkerVerified(JsonNode o) {
        JsonNode v = o.get("parkerVerified");
        if (v != null && v.isBoolean()) {
            return v.booleanValue();
        }
        return !o.path("session").path("parkerUnverified").asBoolean(false);
    }

    private static String session(JsonNode o) {
        JsonNode v = o.get("session");
        if (v == null || v.isNull()) {
            return "";
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : array) {
            out.add(m.asText());
        }
        return out;
    }

    private static JsonNode required(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return v;
    }

    private static String requiredText(JsonNode o, String field) {
        return required(o, field).asText();
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : Instant.ofEpochMilli(v.asLong());
    }
}
