package org.callpark.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RecallTarget;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.json.CallCodec;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class CallCodecTest {

    private final CallCodec codec = new CallCodec();
    private final ObjectMapper mapper = new ObjectMapper();

    private static ParkedCall everyFieldSet() {
        RecallPolicy policy = new RecallPolicy(RecallMode.RING_GROUP_ONLY, "Reception", List.of("100", "101", "102"),
                Duration.ofMillis(45_500), Duration.ofSeconds(12), 4);
        return new ParkedCall("call-1", SlotId.group(TenantId.of("acme"), "Front-Desk"),
                CallerId.of("+4930123456", "Customer"), "201", "front-desk", Instant.parse("2026-11-25T10:15:30.123Z"),
                42, CallState.ENDED, Resolution.RECALLED, 3, policy, "node-7", "leg-abc",
                Instant.parse("2026-11-25T10:16:00.456Z"), 9);
    }

    @Test
    void roundTripKeepsEveryField() {
        ParkedCall call = everyFieldSet();
        assertEquals(call, codec.decode(codec.encode(call)));
    }

    @Test
    void whoResolvedTheCallTravelsAsResolvedByAndIsAbsentWhenNobodyDid() throws Exception {
        ParkedCall live = everyFieldSet().carried("node-7", "leg-abc", "");
        ParkedCall ended = new ParkedCall(live.id(), live.slot(), live.caller(), live.parkedBy(), live.parkGroup(),
                live.parkedAt(), live.sequence(), CallState.PARKED, null, 0, live.recall(), "node-7", "leg", null, 1)
                .ended(Resolution.ANSWERED, "103");
        assertEquals("103", mapper.readTree(codec.toJson(ended)).path("resolvedBy").asText());
        assertEquals(ended, codec.decode(codec.encode(ended)));
        assertTrue(mapper.readTree(codec.toJson(everyFieldSet())).path("resolvedBy").isMissingNode());
        assertEquals("", codec.decode(codec.encode(everyFieldSet())).resolvedBy());
    }

    @Test
    void roundTripOfALiveCallWithoutOptionalParts() {
        ParkedCall call = new ParkedCall("c2", SlotId.extension(TenantId.DEFAULT, "101"), CallerId.of("", ""), null,
                null, Instant.ofEpochMilli(0), 0, CallState.PARKED, null, 0,
                new RecallPolicy(RecallMode.USER_ONLY, null, null, Duration.ofSeconds(30), Duration.ZERO, 1), null,
                null, null, 0);
        ParkedCall back = codec.decode(codec.encode(call));
        assertEquals(call, back);
        assertNull(back.nextActionAt());
        assertNull(back.resolution());
        assertNull(back.recall().ringGroup());
    }

    @Test
    void theCarriersSessionTravelsNestedAndComesBackAsWritten() throws Exception {
        String session = "{\"sip\":1,\"callId\":\"a@b\",\"routes\":[\"<sip:p;lr>\"],\"localCseq\":3}";
        ParkedCall call = everyFieldSet().carried("node-2", "leg-2", session);
        JsonNode json = mapper.readTree(codec.toJson(call));
        assertTrue(json.get("session").isObject(), "nested, so the member can read its attributes: " + json);
        assertEquals("a@b", json.get("session").get("callId").asText());
        ParkedCall back = codec.decode(codec.encode(call));
        assertEquals(call, back);
        assertEquals(session, back.session());
        assertEquals("", codec.decode(codec.encode(everyFieldSet())).session(), "no session: empty, no field");
        assertFalse(mapper.readTree(codec.toJson(everyFieldSet())).has("session"));
    }

    /** {@link #everyFieldSet()}, live, its parker unverified, with a SIP-like session. */
    private static ParkedCall unverified(String session) {
        ParkedCall b = everyFieldSet();
        return new ParkedCall(b.id(), b.slot(), b.caller(), "201", b.parkGroup(), b.parkedAt(), b.sequence(),
                CallState.PARKED, null, 1, b.recall(), b.node(), b.leg(), b.nextActionAt(), b.version(), null, session,
                "", false);
    }

    @Test
    void anUnverifiedParkerTravelsAsParkerVerifiedFalse_andAVerifiedOneWritesNoField() throws Exception {
        ParkedCall call = unverified("{\"sip\":1}");
        JsonNode json = mapper.readTree(codec.toJson(call));
        assertFalse(json.path("parkerVerified").asBoolean(true), json.toString());
        ParkedCall back = codec.decode(codec.encode(call));
        assertEquals(call, back);
        assertFalse(back.parkerVerified());
        assertFalse(back.recalling(2, RecallTarget.RING_GROUP, back.parkedAt()).waiting(back.parkedAt())
                .ended(Resolution.TIMED_OUT).parkerVerified(), "kept through every change");

        assertFalse(mapper.readTree(codec.toJson(everyFieldSet())).has("parkerVerified"));
        assertTrue(codec.decode(codec.encode(everyFieldSet())).parkerVerified());
    }

    @Test
    void aRecordWithoutTheField_readsAsVerified_unlessItsSipSessionSaysUnverified() throws Exception {
        // As the previous version wrote them: no parkerVerified; the SIP carrier's flag inside the session.
        ObjectNode old = (ObjectNode) mapper.readTree(codec.toJson(unverified("{\"sip\":1,\"callId\":\"a@b\"}")));
        old.remove("parkerVerified");
        assertTrue(codec.fromJson(mapper.writeValueAsString(old)).parkerVerified());

        ((ObjectNode) old.get("session")).put("parkerUnverified", true);
        ParkedCall legacy = codec.fromJson(mapper.writeValueAsString(old));
        assertFalse(legacy.parkerVerified(), "a call parked unverified before the update still is");
        assertEquals("201", legacy.parkedBy());

        old.put("parkerVerified", true); // the record's own field wins over the session's
        assertTrue(codec.fromJson(mapper.writeValueAsString(old)).parkerVerified());
    }

    @Test
    void theFinalDestinationTravelsInTheRecall_andARecordWithoutItEndsInThePrompt() throws Exception {
        ParkedCall base = everyFieldSet();
        ParkedCall call = new ParkedCall(base.id(), base.slot(), base.caller(), base.parkedBy(), base.parkGroup(),
                base.parkedAt(), base.sequence(), CallState.RECALLING, null, 4,
                base.recall().withFinalDestination("ringgroup:Front", List.of("203", "204")), base.node(), base.leg(),
                base.nextActionAt(), 10, RecallTarget.FINAL_DESTINATION);
        JsonNode json = mapper.readTree(codec.toJson(call));
        assertEquals("ringgroup:Front", json.path("recall").path("finalDestination").asText());
        assertEquals("[\"203\",\"204\"]", json.path("recall").path("finalTargets").toString());
        assertEquals("FINAL_DESTINATION", json.path("target").asText());
        assertEquals(call, codec.decode(codec.encode(call)));

        // As every node before api 1.7 wrote it: no such fields; such a call ends in the final prompt.
        assertFalse(mapper.readTree(codec.toJson(base)).path("recall").has("finalDestination"));
        ObjectNode old = (ObjectNode) json;
        ((ObjectNode) old.get("recall")).remove(List.of("finalDestination", "finalTargets"));
        old.put("target", "RING_GROUP");
        ParkedCall legacy = codec.fromJson(mapper.writeValueAsString(old));
        assertFalse(legacy.recall().hasFinalDestination());
        assertEquals(List.of(), legacy.recall().finalTargets());
    }

    @Test
    void writesTheStableFieldNames() throws Exception {
        JsonNode json = mapper.readTree(codec.toJson(everyFieldSet()));
        for (String field : List.of("id", "tenant", "slot", "kind", "name", "callerNumber", "callerName", "parkedBy",
                "parkGroup", "parkedAt", "sequence", "state", "resolution", "attempt", "recall", "node", "leg",
                "nextActionAt", "version")) {
            assertTrue(json.has(field), field);
        }
        for (String field : List.of("mode", "ringGroup", "members", "ringDurationMs", "waitMs", "retries")) {
            assertTrue(json.get("recall").has(field), "recall." + field);
        }
        assertEquals("acme/group/front-desk", json.get("slot").asText());
        assertEquals("acme", json.get("tenant").asText());
        assertEquals("group", json.get("kind").asText());
        assertEquals("front-desk", json.get("name").asText());
        assertEquals(Instant.parse("2026-11-25T10:15:30.123Z").toEpochMilli(), json.get("parkedAt").asLong());
        assertEquals(45_500, json.get("recall").get("ringDurationMs").asLong());
        assertEquals(3, json.get("recall").get("members").size());
        assertEquals(9, json.get("version").asLong());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        ObjectNode json = (ObjectNode) mapper.readTree(codec.toJson(everyFieldSet()));
        json.put("futureField", "from a newer node");
        json.putObject("futureObject").put("x", 1);
        ((ObjectNode) json.get("recall")).putArray("futureList").add(1);
        assertEquals(everyFieldSet(), codec.fromJson(mapper.writeValueAsString(json)));
    }

    @Test
    void aSessionComesBackCharForChar_andOneThatIsNotASingleJsonValueTravelsAsAString() throws Exception {
        String awkward = "{ \"sip\" : 1, \"remoteUri\": \"\\\"O'Brien \\u00e9 日本\\\" <sip:+49@x>\", \"sdp\": \"v=0\\r\\n\""
                + ", \"nested\": {\"a\": [1, {\"b\": null}]} }";
        ParkedCall nested = everyFieldSet().carried("node-2", "leg-2", awkward);
        JsonNode json = mapper.readTree(codec.toJson(nested));
        assertTrue(json.get("session").isObject(), json.toString());
        assertEquals("\"O'Brien é 日本\" <sip:+49@x>", json.get("session").get("remoteUri").asText());
        assertEquals(awkward, codec.decode(codec.encode(nested)).session());
        for (String notOneValue : List.of("{\"sip\":1", "{\"sip\":1}}", "{\"a\":1} {\"b\":2}", "not json", "{'a':1}")) {
            ParkedCall call = everyFieldSet().carried("node-2", "leg-2", notOneValue);
            JsonNode written = mapper.readTree(codec.toJson(call));
            assertEquals(notOneValue, written.get("session").asText(), "a string, the record stays JSON");
            assertEquals(call, codec.decode(codec.encode(call)), notOneValue);
        }
    }

    @Test
    void fieldsReadAsATreeWouldReadThem() {
        ParkedCall base = everyFieldSet();
        String json = codec.toJson(base).replace("\"parkedAt\":" + base.parkedAt().toEpochMilli(),
                "\"parkedAt\":\"" + base.parkedAt().toEpochMilli() + "\"");
        assertEquals(base, codec.fromJson(json), "a number written as a string: " + json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.fromJson(codec.toJson(base).replace("\"version\":" + base.version(), "\"version\":null")));
        assertTrue(e.getMessage().contains("version") && e.getMessage().contains(base.id()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> codec.fromJson(codec.toJson(base).replace("\"recall\":",
                "\"recall\":null,\"was\":")));
        assertThrows(IllegalArgumentException.class, () -> codec.fromJson(codec.toJson(base).substring(0, 40)),
                "cut short");
    }

    @Test
    void awkwardDisplayNamesSurvive() {
        ParkedCall base = everyFieldSet();
        for (String name : List.of("<&\"'>", "O'Brien \"The Boss\" <boss@example.com> & Co", "Ünïcødé 日本語 🎉",
                "back\\slash\ttab\nnewline", "")) {
            ParkedCall call = new ParkedCall(base.id(), base.slot(), CallerId.of("sip:<1>&'\"", name), base.parkedBy(),
                    base.parkGroup(), base.parkedAt(), base.sequence(), base.state(), base.resolution(),
                    base.recallAttempt(), base.recall(), base.node(), base.leg(), base.nextActionAt(), base.version());
            assertEquals(call, codec.decode(codec.encode(call)), name);
        }
    }

    @Test
    void instantsAreKeptToTheMillisecond() {
        ParkedCall base = everyFieldSet();
        ParkedCall precise = base.rescheduled(Instant.parse("2026-11-25T10:16:00.456789Z"));
        assertEquals(Instant.parse("2026-11-25T10:16:00.456Z"), codec.decode(codec.encode(precise)).nextActionAt());
    }

    @Test
    void unreadableRecordsAreRejectedWithAClearMessage() {
        assertThrows(IllegalArgumentException.class, () -> codec.fromJson("not json"));
        assertThrows(IllegalArgumentException.class, () -> codec.fromJson("[1,2]"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.fromJson("{\"id\":\"c9\",\"state\":\"PARKED\"}"));
        assertTrue(e.getMessage().contains("c9"), e.getMessage());
    }
}
