package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.SlotId;
import org.junit.jupiter.api.Test;

class ParkGroupResourceTest {

    private final Fixtures.Directories directories = new Fixtures.Directories();
    private final Fixtures.Park park = new Fixtures.Park();
    private final ParkGroupResource resource = new ParkGroupResource(directories, park);

    private static Map<String, String> path(String t) {
        return Map.of("t", t);
    }

    private static Map<String, String> path(String t, String name) {
        return Map.of("t", t, "name", name);
    }

    private ApiException invalid(Router.Handler h, ApiRequest r) {
        Exception e = assertThrows(Exception.class, () -> h.handle(r));
        return e instanceof ParkException p ? ApiErrors.translate(p) : (ApiException) e;
    }

    @Test
    void createTakesTenantDefaultsForMissingFieldsAndAnswers201WithLocation() throws Exception {
        ApiResponse r = resource.create(Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"Ops\",\"members\":[\"104\"]}"));
        assertEquals(201, r.status());
        assertEquals("/callpark/api/v1/tenants/default/park-groups/Ops", r.headers().get("Location"));
        Dtos.ParkGroupDto g = (Dtos.ParkGroupDto) r.body();
        assertEquals("USER_ONLY", g.recallTo());
        assertEquals(45, g.ringDurationSeconds());
        assertEquals(3, g.retries());
        assertEquals(List.of("104"), g.members());
        assertEquals(0, g.parkedCalls());
        assertTrue(directories.current().parkGroup(Fixtures.DEFAULT, "ops").isPresent());
    }

    @Test
    void sameNameInAnyCaseIsRefusedOnTheNameField() {
        ApiException e = invalid(resource::create, Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"SALES\"}"));
        assertEquals(400, e.status());
        assertEquals("name", e.violations().get(0).field());
        assertTrue(directories.updates.isEmpty());
    }

    @Test
    void everyViolationComesBackAndNothingIsApplied() {
        ApiException e = invalid(resource::create, Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"Ops\",\"members\":[\"101\",\"201\"],\"recallTo\":\"RING_GROUP_ONLY\","
                        + "\"retries\":0,\"ringDurationSeconds\":-5}"));
        assertEquals(400, e.status());
        List<String> fields = e.violations().stream().map(Dtos.ViolationDto::field).toList();
        assertTrue(fields.containsAll(List.of("members", "ringGroup", "retries", "ringDurationSeconds")), fields::toString);
        assertTrue(directories.updates.isEmpty());
    }

    @Test
    void badEnumAndWrongTypesNameTheField() {
        assertEquals("recallTo", invalid(resource::create, Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"Ops\",\"recallTo\":\"SOMEONE\"}")).violations().get(0).field());
        assertEquals("retries", invalid(resource::create, Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"Ops\",\"retries\":\"three\"}")).violations().get(0).field());
        assertEquals("retries", invalid(resource::create, Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"Ops\",\"retries\":2.5}")).violations().get(0).field());
        assertEquals("members", invalid(resource::create, Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"Ops\",\"members\":\"101\"}")).violations().get(0).field());
        assertEquals("members", invalid(resource::create, Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"Ops\",\"members\":[null]}")).violations().get(0).field());
        assertEquals("colour", invalid(resource::create, Fixtures.request(Fixtures.ADMIN, "POST", path("default"),
                "{\"name\":\"Ops\",\"colour\":\"red\"}")).violations().get(0).field());
    }

    @Test
    void putRenamesAndKeepsOtherGroups() throws Exception {
        ApiResponse r = resource.replace(Fixtures.request(Fixtures.ADMIN, "PUT", path("default", "sales"),
                "{\"name\":\"Sales2\",\"number\":\"701\",\"members\":[\"101\",\"102\"],\"recallTo\":\"USER_ONLY\","
                        + "\"ringDurationSeconds\":20,\"waitBeforeRingGroupSeconds\":10,\"retries\":2}"));
        assertEquals(200, r.status());
        assertFalse(directories.current().parkGroup(Fixtures.DEFAULT, "Sales").isPresent());
        ParkGroup g = directories.current().parkGroup(Fixtures.DEFAULT, "sales2").orElseThrow();
        assertEquals("701", g.number());
        assertEquals(2, g.retries());
        assertTrue(directories.current().parkGroup(Fixtures.ACME, "Support").isPresent());
    }

    @Test
    void putSetsTheGroupsRecallLabelsAndABadAlertInfoIsRefusedOnItsField() throws Exception {
        resource.replace(Fixtures.request(Fixtures.ADMIN, "PUT", path("default", "sales"),
                "{\"members\":[\"101\"],\"alertInfo\":\"<http://pbx/ring/sales>\",\"callerIdPrefix\":\"Sales:\"}"));
        ParkGroup g = directories.current().parkGroup(Fixtures.DEFAULT, "sales").orElseThrow();
        assertEquals("<http://pbx/ring/sales>", g.recallLabels().alertInfo());
        assertEquals("Sales:", g.recallLabels().callerIdPrefix());
        Dtos.ParkGroupDto shown = Views.parkGroup(g, 0);
        assertEquals("Sales:", shown.callerIdPrefix());
        ApiException e = invalid(resource::replace, Fixtures.request(Fixtures.ADMIN, "PUT", path("default", "sales"),
                "{\"members\":[\"101\"],\"alertInfo\":\"loud\"}"));
        assertEquals(List.of("alertInfo"), e.violations().stream().map(Dtos.ViolationDto::field).toList());
        assertEquals("Sales:", directories.current().parkGroup(Fixtures.DEFAULT, "sales").orElseThrow()
                .recallLabels().callerIdPrefix(), "nothing applied");
    }

    @Test
    void putSetsTheFinalDestination_aBadOneIsRefusedOnItsFieldAndNothingIsApplied() throws Exception {
        resource.replace(Fixtures.request(Fixtures.ADMIN, "PUT", path("default", "sales"),
                "{\"members\":[\"101\"],\"finalDestination\":\"ringgroup:Reception\"}"));
        ParkGroup g = directories.current().parkGroup(Fixtures.DEFAULT, "sales").orElseThrow();
        assertEquals("ringgroup:Reception", g.finalDestination());
        assertEquals("ringgroup:Reception", Views.parkGroup(g, 0).finalDestination());
        for (String bad : List.of("sip:op@pbx.example.net?Route=x", "tel:+4930", "999", "ringgroup:Nope",
                "sip:op@pbx\\r\\nX: 1")) {
            ApiException e = invalid(resource::replace, Fixtures.request(Fixtures.ADMIN, "PUT",
                    path("default", "sales"), "{\"members\":[\"101\"],\"finalDestination\":\"" + bad + "\"}"));
            assertEquals(List.of("finalDestination"), e.violations().stream().map(Dtos.ViolationDto::field).toList(),
                    bad);
        }
        assertEquals("ringgroup:Reception", directories.current().parkGroup(Fixtures.DEFAULT, "sales").orElseThrow()
                .finalDestination(), "nothing applied");
        resource.replace(Fixtures.request(Fixtures.ADMIN, "PUT", path("default", "sales"),
                "{\"members\":[\"101\"]}"));
        assertEquals("", directories.current().parkGroup(Fixtures.DEFAULT, "sales").orElseThrow().finalDestination(),
                "left out: the tenant's");
    }

    @Test
    void putWithoutNameKeepsTheNameAndPutOntoAnotherGroupsNameIsRefused() throws Exception {
        resource.create(Fixtures.request(Fixtures.ADMIN, "POST", path("default"), "{\"name\":\"Ops\"}"));
        resource.replace(Fixtures.request(Fixtures.ADMIN, "PUT", path("default", "OPS"), "{\"retries\":5}"));
        assertEquals(5, directories.current().parkGroup(Fixtures.DEFAULT, "Ops").orElseThrow().retries());
        ApiException e = invalid(resource::replace, Fixtures.request(Fixtures.ADMIN, "PUT", path("default", "ops"),
                "{\"name\":\"sales\"}"));
        assertEquals("name", e.violations().get(0).field());
    }

    @Test
    void deleteRemovesOnlyThatGroup() throws Exception {
        assertEquals(204, resource.delete(Fixtures.request(Fixtures.ADMIN, "DELETE", path("default", "SALES"), null))
                .status());
        assertFalse(directories.current().parkGroup(Fixtures.DEFAULT, "Sales").isPresent());
        assertTrue(directories.current().parkGroup(Fixtures.ACME, "Support").isPresent());
        assertEquals(404, invalid(resource::delete, Fixtures.request(Fixtures.ADMIN, "DELETE",
                path("default", "sales"), null)).status());
    }

    @Test
    void anotherTenantIsAbsentForATenantScopedUser() {
        for (Router.Handler h : List.<Router.Handler>of(resource::list, resource::get, resource::create,
                resource::replace, resource::delete)) {
            ApiException e = invalid(h, Fixtures.request(Fixtures.ACME_ADMIN, "X", path("default", "Sales"),
                    "{\"name\":\"x\"}"));
            assertEquals(404, e.status());
            assertEquals("tenant 'default' does not exist", e.getMessage());
        }
        assertTrue(directories.updates.isEmpty());
    }

    @Test
    void listCountsParkedCallsPerGroup() throws Exception {
        park.calls.add(Fixtures.parked("c1", SlotId.group(Fixtures.DEFAULT, "Sales"), 1));
        park.calls.add(Fixtures.parked("c2", SlotId.extension(Fixtures.DEFAULT, "101"), 1));
        @SuppressWarnings("unchecked")
        List<Dtos.ParkGroupDto> groups = (List<Dtos.ParkGroupDto>) resource
                .list(Fixtures.request(Fixtures.VIEWER, "GET", path("default"), null)).body();
        assertEquals(1, groups.size());
        assertEquals(1, groups.get(0).parkedCalls());
    }
}
