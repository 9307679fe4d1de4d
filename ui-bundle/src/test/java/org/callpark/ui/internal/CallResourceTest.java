package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        assertEquals(new Dtos.StatusDto("RINGING"), r.body());
        assertEquals(List.of("d1->104/" + CallResource.RING_FOR.toSeconds()), sent);
        ApiException e = assertThrows(ApiException.class, () -> resource.send(Fixtures.request(Fixtures.ADMIN, "POST",
                Map.of("t", "default", "id", "d1"), "{\"extension\":\" \"}")));
        assertEquals("extension", e.violations().get(0).field());
        assertTrue(Duration.ofSeconds(30).equals(CallResource.RING_FOR));
    }
}
