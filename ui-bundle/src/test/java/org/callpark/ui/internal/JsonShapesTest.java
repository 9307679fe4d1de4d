package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.callpark.api.Directory;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.junit.jupiter.api.Test;

/** The JSON the page relies on, exactly as docs/rest.md shows it. */
class JsonShapesTest {

    private final Directory d = Fixtures.demo();

    @Test
    void parkGroup() {
        String json = Json.writeString(Views.parkGroup(d.parkGroup(Fixtures.DEFAULT, "sales").orElseThrow(), 2));
        assertEquals("{\"name\":\"Sales\",\"number\":\"700\",\"recallTo\":\"USER_THEN_RING_GROUP\","
                + "\"ringGroup\":\"Reception\",\"ringDurationSeconds\":30,\"waitBeforeRingGroupSeconds\":30,"
                + "\"retries\":3,\"members\":[\"101\",\"102\",\"103\"],\"disabled\":false,\"parkedCalls\":2,"
                + "\"alertInfo\":\"\",\"callerIdPrefix\":\"\",\"finalDestination\":\"\"}", json);
    }

    @Test
    void tenantAndUserNeverCarryThePassword() {
        assertEquals("{\"id\":\"acme\",\"name\":\"Acme Corp\",\"domains\":[\"acme.test\"],\"xmppDomain\":\"acme.test\"}",
                Json.writeString(Views.tenant(d.tenant(Fixtures.ACME).orElseThrow())));
        String user = Json.writeString(Views.user(d, d.user(Fixtures.DEFAULT, "101").orElseThrow()));
        assertEquals("{\"extension\":\"101\",\"displayName\":\"Bob\",\"jid\":\"bob@example.com\",\"parkGroup\":\"Sales\"}",
                user);
        assertFalse(user.contains("pass101"));
        org.callpark.api.User byHa1 = new org.callpark.api.User(Fixtures.DEFAULT, "109", "Ivy", "", "",
                org.callpark.api.User.ha1("109", "example.com", "pass109"));
        String ha1User = Json.writeString(Views.user(d, byHa1));
        assertEquals("{\"extension\":\"109\",\"displayName\":\"Ivy\",\"jid\":\"\",\"parkGroup\":null}", ha1User,
                "an HA1 is not shown either (S1)");
        assertTrue(Json.writeString(Views.user(d, d.user(Fixtures.DEFAULT, "104").orElseThrow()))
                .endsWith("\"parkGroup\":null}"));
        assertEquals("{\"name\":\"Reception\",\"members\":[\"104\",\"105\"]}",
                Json.writeString(Views.ringGroup(d.ringGroup(Fixtures.DEFAULT, "reception").orElseThrow())));
    }

    @Test
    void callWithSlotLabelsAndNoInternals() {
        ParkedCall c = Fixtures.parked("c1", SlotId.extension(Fixtures.DEFAULT, "101"), 4);
        String json = Json.writeString(Views.call(d, c));
        assertEquals("{\"id\":\"c1\",\"tenant\":\"default\",\"slot\":{\"kind\":\"EXTENSION\",\"name\":\"101\","
                + "\"label\":\"101 Bob\"},\"caller\":{\"name\":\"Customer <b>\",\"number\":\"+4930123\"},"
                + "\"parkedBy\":\"101\",\"parkerVerified\":true,\"parkGroup\":\"Sales\","
                + "\"parkedAt\":\"2026-11-25T19:00:00Z\","
                + "\"state\":\"PARKED\",\"recallAttempt\":0,\"retries\":3,\"recallTarget\":null,\"version\":4,"
                + "\"nextActionAt\":null,\"nextStep\":null,\"ringGroup\":null,\"ringDurationSeconds\":45,"
                + "\"waitBeforeRingGroupSeconds\":30}", json);
        assertFalse(json.contains("leg-c1") || json.contains("node-1"));
        Dtos.CallDto group = Views.call(d, Fixtures.parked("c2", SlotId.group(Fixtures.DEFAULT, "Sales"), 1));
        assertEquals(new Dtos.SlotDto("GROUP", "Sales", "Sales"), group.slot());
        Dtos.CallDto recalling = Views.call(d, c.recalling(1, Instant.now()));
        assertEquals("RECALLING", recalling.state());
        assertEquals("PARKER", recalling.recallTarget());
        assertEquals(1, recalling.recallAttempt());
    }

    @Test
    void event() {
        ParkedCall c = Fixtures.parked("c1", SlotId.extension(Fixtures.DEFAULT, "101"), 4);
        String json = Json.writeString(Views.event(d, new ParkEvent(ParkEvent.Type.PARKED, c, Instant.now())));
        assertTrue(json.startsWith("{\"type\":\"PARKED\",\"call\":{\"id\":\"c1\""), json);
    }

    @Test
    void errorBody() {
        ApiException e = ApiException.invalid("retries", "retries must be between 1 and 10");
        assertEquals("{\"error\":\"INVALID_ARGUMENT\",\"message\":\"retries must be between 1 and 10\",\"violations\":"
                + "[{\"field\":\"retries\",\"key\":null,\"message\":\"retries must be between 1 and 10\"}]}",
                Json.writeString(e.body()));
    }

    private static ApiException readError(String body) {
        return assertThrows(ApiException.class,
                () -> Json.read(body.getBytes(StandardCharsets.UTF_8), Dtos.ParkGroupBody.class));
    }

    @Test
    void readErrorsNameTheProblem() {
        assertTrue(readError("{\"name\":").getMessage().startsWith("malformed JSON"));
        assertTrue(readError("").getMessage().contains("body is required"));
        assertTrue(readError("null").getMessage().contains("must be an object"));
        assertTrue(readError("[1]").getMessage().contains("must be an object"));
        assertTrue(readError("{} {}").getMessage().startsWith("malformed JSON") || readError("{} {}").status() == 400);
        ApiException unknown = readError("{\"retires\":3}");
        assertEquals("retires", unknown.violations().get(0).field());
        assertTrue(unknown.getMessage().contains("retries"), "lists the known fields: " + unknown.getMessage());
        assertEquals("ringDurationSeconds", readError("{\"ringDurationSeconds\":true}").violations().get(0).field());
        assertEquals(400, readError("{\"name\":\"x\",\"retries\":1e3}").status());
    }

    @Test
    void readOnlyFieldsAreIgnoredOnInput() throws Exception {
        Dtos.ParkGroupBody b = Json.read("{\"name\":\"Ops\",\"disabled\":false,\"parkedCalls\":3}"
                .getBytes(StandardCharsets.UTF_8), Dtos.ParkGroupBody.class);
        assertEquals("Ops", b.name());
        assertNull(b.retries());
    }
}
