package org.callpark.spi.json;

import java.io.IOException;
import java.io.StringWriter;
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

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private static final JsonFactory FACTORY = MAPPER.getFactory();

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
        String session = call.session();
        StringWriter out = new StringWriter(512 + session.length());
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", call.id());
            g.writeStringField("tenant", call.tenant().value());
            g.writeStringField("slot", call.slot().key());
            g.writeStringField("kind", call.slot().kind().token());
            g.writeStringField("name", call.slot().name());
            g.writeStringField("callerNumber", call.caller().number());
            g.writeStringField("callerName", call.caller().displayName());
            g.writeStringField("parkedBy", call.parkedBy());
            g.writeStringField("parkGroup", call.parkGroup());
            g.writeNumberField("parkedAt", call.parkedAt().toEpochMilli());
            g.writeNumberField("sequence", call.sequence());
            g.writeStringField("state", call.state().name());
            g.writeStringField("resolution", call.resolution() == null ? null : call.resolution().name());
            g.writeNumberField("attempt", call.recallAttempt());
            g.writeStringField("target", call.recallTarget() == null ? null : call.recallTarget().name());
            g.writeObjectFieldStart("recall");
            RecallPolicy recall = call.recall();
            g.writeStringField("mode", recall.mode().name());
            g.writeStringField("ringGroup", recall.ringGroup());
            writeStrings(g, "members", recall.ringGroupMembers());
            g.writeNumberField("ringDurationMs", recall.ringDuration().toMillis());
            g.writeNumberField("waitMs", recall.waitBeforeRingGroup().toMillis());
            g.writeNumberField("retries", recall.retries());
            if (recall.hasFinalDestination()) {
                g.writeStringField("finalDestination", recall.finalDestination());
                writeStrings(g, "finalTargets", recall.finalTargets());
            }
            g.writeEndObject();
            g.writeStringField("node", call.node());
            g.writeStringField("leg", call.leg());
            if (call.nextActionAt() == null) {
                g.writeNullField("nextActionAt");
            } else {
                g.writeNumberField("nextActionAt", call.nextActionAt().toEpochMilli());
            }
            g.writeNumberField("version", call.version());
            if (!call.resolvedBy().isEmpty()) {
                g.writeStringField("resolvedBy", call.resolvedBy());
            }
            if (!call.parkerVerified()) {
                g.writeBooleanField("parkerVerified", false);
            }
            if (!session.isEmpty()) {
                if (isOneJsonValue(session)) {
                    // nested, so that the member can read (and index) its attributes; as written, not parsed again
                    g.writeFieldName("session");
                    g.writeRawValue(session);
                } else {
                    g.writeStringField("session", session);
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write call " + call.id(), e);
        }
        return out.toString();
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** Whether {@code text} is exactly one well-formed JSON value (checked by the tokenizer, no tree built). */
    private static boolean isOneJsonValue(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @throws IllegalArgumentException if the text is not a readable call record
     */
    public ParkedCall fromJson(String json) {
        Fields f = new Fields();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("call record is not a JSON object");
            }
            f.read(p, json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("call record is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("call record is not JSON: " + e.getMessage(), e);
        }
        try {
            return f.toCall();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable call record " + (f.id == null ? "?" : f.id) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * One record's fields, read by the tokenizer: no tree, and the session is kept as the record's own text. Read as
     * a tree would read them ({@code asText}, {@code asLong}): a missing or {@code null} field is {@code null}.
     */
    private static final class Fields {
        String id;
        String slot;
        String callerNumber;
        String callerName;
        String parkedBy;
        String parkGroup;
        Long parkedAt;
        long sequence;
        String state;
        String resolution;
        int attempt;
        String target;
        boolean recall;
        String mode;
        String ringGroup;
        List<String> members = List.of();
        Long ringDurationMs;
        Long waitMs;
        int retries;
        String finalDestination;
        List<String> finalTargets = List.of();
        String node;
        String leg;
        Long nextActionAt;
        Long version;
        String resolvedBy;
        Boolean parkerVerified;
        String session = "";
        boolean sessionIsObject;

        void read(JsonParser p, String json) throws IOException {
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id" -> id = text(p);
                    case "slot" -> slot = text(p);
                    case "callerNumber" -> callerNumber = text(p);
                    case "callerName" -> callerName = text(p);
                    case "parkedBy" -> parkedBy = text(p);
                    case "parkGroup" -> parkGroup = text(p);
                    case "parkedAt" -> parkedAt = number(p);
                    case "sequence" -> sequence = orZero(number(p));
                    case "state" -> state = text(p);
                    case "resolution" -> resolution = text(p);
                    case "attempt" -> attempt = (int) orZero(number(p));
                    case "target" -> target = text(p);
                    case "recall" -> readRecall(p);
                    case "node" -> node = text(p);
                    case "leg" -> leg = text(p);
                    case "nextActionAt" -> nextActionAt = number(p);
                    case "version" -> version = number(p);
                    case "resolvedBy" -> resolvedBy = text(p);
                    case "parkerVerified" -> parkerVerified = v.isBoolean() ? v == JsonToken.VALUE_TRUE : null;
                    case "session" -> readSession(p, json, v);
                    default -> p.skipChildren(); // unknown (a newer node's) or informational: tenant, kind, name
                }
            }
        }

        private void readRecall(JsonParser p) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                recall = p.currentToken() != JsonToken.VALUE_NULL;
                p.skipChildren();
                return;
            }
            recall = true;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "mode" -> mode = text(p);
                    case "ringGroup" -> ringGroup = text(p);
                    case "members" -> members = texts(p);
                    case "ringDurationMs" -> ringDurationMs = number(p);
                    case "waitMs" -> waitMs = number(p);
                    case "retries" -> retries = (int) orZero(number(p));
                    case "finalDestination" -> finalDestination = text(p);
                    case "finalTargets" -> finalTargets = texts(p);
                    default -> p.skipChildren();
                }
            }
        }

        /** An object or array as the record's own text; a string as its value (records of old writers). */
        private void readSession(JsonParser p, String json, JsonToken v) throws IOException {
            sessionIsObject = v == JsonToken.START_OBJECT;
            if (v == JsonToken.VALUE_NULL) {
                session = "";
            } else if (v.isStructStart()) {
                int from = (int) p.currentTokenLocation().getCharOffset();
                p.skipChildren();
                int to = (int) p.currentLocation().getCharOffset();
                session = json.substring(from, to);
            } else {
                session = p.getText();
            }
        }

        ParkedCall toCall() {
            if (!recall) {
                throw new IllegalArgumentException("missing field 'recall'");
            }
            RecallPolicy policy = new RecallPolicy(RecallMode.valueOf(mode), ringGroup, members,
                    Duration.ofMillis(required(ringDurationMs, "ringDurationMs")),
                    Duration.ofMillis(required(waitMs, "waitMs")), retries, finalDestination, finalTargets);
            CallState callState = CallState.valueOf(required(state, "state"));
            RecallTarget recallTarget = target != null ? RecallTarget.valueOf(target)
                    : callState == CallState.RECALLING ? RecallTarget.PARKER : null;
            return new ParkedCall(id, SlotId.parse(required(slot, "slot")), CallerId.of(callerNumber, callerName),
                    parkedBy, parkGroup, Instant.ofEpochMilli(required(parkedAt, "parkedAt")), sequence, callState,
                    resolution == null ? null : Resolution.valueOf(resolution), attempt, policy, node, leg,
                    nextActionAt == null ? null : Instant.ofEpochMilli(nextActionAt), required(version, "version"),
                    recallTarget, session, resolvedBy, parkerVerified());
        }

        /** The field, else the SIP session's flag of records written before 1.5, else verified. */
        private boolean parkerVerified() {
            if (parkerVerified != null) {
                return parkerVerified;
            }
            try {
                return !sessionIsObject || !MAPPER.readTree(session).path("parkerUnverified").asBoolean(false);
            } catch (JsonProcessingException e) {
                return true; // cannot be: the session is a part of a record that was just read
            }
        }
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    /** The current value as a tree's {@code asText} gives it; {@code null} for JSON null; "" for an object or array. */
    private static String text(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t.isStructStart()) {
            p.skipChildren();
            return "";
        }
        return p.getText();
    }

    /** The current value as a tree's {@code asLong} gives it (0 for what is no number); {@code null} for JSON null. */
    private static Long number(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t.isStructStart()) {
            p.skipChildren();
            return 0L;
        }
        return p.getValueAsLong();
    }

    /** An array's elements as text (a null element is "null", as a tree reads it); anything else is no elements. */
    private static List<String> texts(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            String v = text(p);
            out.add(v == null ? "null" : v);
        }
        return out;
    }
}
