package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.SlotId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

class CallResourceTest {

    private final Fixtures.Directories directories = new Fixtures.Directories();
    private final Fixtures.Park park = new Fixtures.Park();
    private final List<String> sent = new ArrayList<>();
    private final CallResource resource = new CallResource(directories, park,
            (call, ext, ringFor) -> sent.add(call.id() + "->" + ext + "/" + ringFor.toSeconds()));

    @BeforeEach
    void calls() {
        park.calls.add(Fixtures.parked("d1", SlotId.extension(Fixtures.DEFAULT, "101"), 1));
        park.calls.add(Fixtures.parked("a1", SlotId.extension(Fixtures.ACME, "201"), 1));
    }

    @Test
    void listsOnlyVisibleTenants() throws Exception {
        @SuppressWarnings("unchecked")
        List<Dtos.CallDto> all = (List<Dtos.CallDto>) resource.all(Fixtures.request(Fixtures.ACME_ADMIN, "GET",
                Map.of(), null)).body();
        assertEquals(List.of("a1"), all.stream().map(Dtos.CallDto::id).toList());
        @SuppressWarnings("unchecked")
        List<Dtos.CallDto> everything = (List<Dtos.CallDto>) resource.all(Fixtures.request(Fixtures.VIEWER, "GET",
                Map.of(), null)).body();
        assertEquals(2, everything.size());
    }

    @Test
    void eachCallSaysWhetherItsParkerWasVerified() throws Exception {
        ParkedCall c = Fixtures.parked("u1", SlotId.extension(Fixtures.DEFAULT, "102"), 1);
        park.calls.add(new ParkedCall(c.id(), c.slot(), c.caller(), "102", c.parkGroup(), c.parkedAt(), c.sequence(),
                c.state(), null, 0, c.recall(), c.node(), c.leg(), null, 1, null, "", "", false));

        String json = Json.writeString(resource.all(Fixtures.request(Fixtures.VIEWER, "GET", Map.of(), null)).body());

        List<Map<String, Object>> calls = new ObjectMapper().readValue(json, new TypeReference<>() { });
        Map<String, Object> unverified = calls.stream().filter(m -> m.get("id").equals("u1")).findFirst().orElseThrow();
        assertEquals("102", unverified.get("parkedBy"));
        assertEquals(Boolean.FALSE, unverified.get("parkerVerified"), json);
        assertEquals(Boolean.TRUE, calls.stream().filter(m -> m.get("id").equals("d1")).findFirst().orElseThrow()
                .get("parkerVerified"), json);
    }

    @Test
    void hangUpEndsForcedAndACallOfAnotherTenantIsAbsent() throws Exception {
        ApiException e = assertThrows(ApiException.class, () -> resource.hangUp(Fixtures.request(Fixtures.ADMIN,
                "DELETE", Map.of("t", "acme", "id", "d1"), null)));
        assertEquals(404, e.status(), "d1 is not acme's");
        assertEquals(404, assertThrows(ApiException.class, () -> resource.hangUp(Fixtures.request(
                Fixtures.ACME_ADMIN, "DELETE", Map.of("t", "default", "id", "d1"), null))).status());
        assertEquals(204, resource.hangUp(Fixtures.request(Fixtures.ADMIN, "DELETE",
                Map.of("t", "default", "id", "d1"), null)).status());
        assertEquals(List.of("d1:FORCED"), park.ended);
    }

    @Test
    void sendAnswers202AndNeedsAnExtension() throws Exception {
        ApiResponse r = resource.send(Fixtures.request(Fixtures.ADMIN, "POST", Map.of("t", "default", "id", "d1"),
                "{\"extension\":\"104\"}"));
        assertEquals(202, r.status());
        assertEquals(new Dtos.SendingDto("RINGING", "104"), r.body());
        assertEquals(List.of("d1->104/" + CallResource.RING_FOR.toSeconds()), sent);
        ApiException e = assertThrows(ApiException.class, () -> resource.send(Fixtures.request(Fixtures.ADMIN, "POST",
                Map.of("t", "default", "id", "d1"), "{\"extension\":\" \"}")));
        assertEquals("extension", e.violations().get(0).field());
        assertTrue(Duration.ofSeconds(30).equals(CallResource.RING_FOR));
    }

    private static final Caller RECEPTION = new Caller("reception", java.util.Set.of("callpark-operator"));

    @Test
    void sendToMeRingsTheExtensionTheWebUserIsLinkedTo() throws Exception {
        // the demo directory links reception to 102 (Alice) in tenant default
        ApiResponse r = resource.send(Fixtures.request(RECEPTION, "POST", Map.of("t", "default", "id", "d1"),
                "{\"to\":\"me\"}"));
        assertEquals(202, r.status());
        assertEquals(new Dtos.SendingDto("RINGING", "102"), r.body());
        assertEquals(List.of("d1->102/30"), sent);
        // resolved per request from the directory of the moment, never from the browser
        directories.current = Fixtures.linked(Fixtures.linked(directories.current, Fixtures.DEFAULT, "102", ""),
                Fixtures.DEFAULT, "104", "reception");
        resource.send(Fixtures.request(RECEPTION, "POST", Map.of("t", "default", "id", "d1"), "{\"to\":\"me\"}"));
        assertEquals(List.of("d1->102/30", "d1->104/30"), sent);
    }

    @Test
    void sendToMeWithoutALinkInTheCallsTenantIs409NotLinkedAndRingsNobody() {
        ApiException admin = assertThrows(ApiException.class, () -> resource.send(Fixtures.request(Fixtures.ADMIN,
                "POST", Map.of("t", "default", "id", "d1"), "{\"to\":\"me\"}")));
        assertEquals(409, admin.status());
        assertEquals("NOT_LINKED", admin.error());
        assertTrue(admin.getMessage().contains("web user 'karaf' is linked to no extension of tenant 'default'")
                && admin.getMessage().contains("user.default.<extension>.login = karaf"), admin.getMessage());
        // reception is linked in default only: acme's call cannot be sent to "me"
        ApiException acme = assertThrows(ApiException.class, () -> resource.send(Fixtures.request(RECEPTION, "POST",
                Map.of("t", "acme", "id", "a1"), "{\"to\":\"me\"}")));
        assertEquals(409, acme.status());
        assertTrue(acme.getMessage().contains("tenant 'acme'"), acme.getMessage());
        assertEquals(List.of(), sent);
    }

    @Test
    void aDirectoryLinkingOneWebUserToTwoExtensionsIsRefusedNamingTheKey() {
        ParkException e = assertThrows(ParkException.class, () -> directories.update(Fixtures.linked(
                directories.current, Fixtures.DEFAULT, "104", "reception")));
        assertEquals("user.default.104.login", e.violations().get(0).field());
        assertTrue(e.violations().get(0).message().contains("already linked to extension 102"),
                e.violations()::toString);
        assertEquals(1, e.violations().size());
    }

    @Test
    void aToOtherThanMeOrBesideAnExtensionIsRefusedNamingTheField() {
        ApiException other = assertThrows(ApiException.class, () -> resource.send(Fixtures.request(RECEPTION, "POST",
                Map.of("t", "default", "id", "d1"), "{\"to\":\"104\"}")));
        assertEquals(400, other.status());
        assertEquals("to", other.violations().get(0).field());
        ApiException both = assertThrows(ApiException.class, () -> resource.send(Fixtures.request(RECEPTION, "POST",
                Map.of("t", "default", "id", "d1"), "{\"to\":\"me\",\"extension\":\"104\"}")));
        assertEquals(400, both.status());
        assertTrue(both.getMessage().contains("either extension or to"), both.getMessage());
        assertEquals(List.of(), sent);
    }
}
