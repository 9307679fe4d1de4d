package org.callpark.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.callpark.api.DialPlan;
import org.callpark.api.RecallLabels;
import org.callpark.api.Tenant;
import org.junit.jupiter.api.Test;

/**
 * {@code GET/PUT /tenants/{t}/settings} against the directory's real rules (the fixtures' directory service validates
 * with {@code DirectoryValidator}): a valid PUT changes the tenant and nothing else; each refused field comes back
 * named as the body names it, with the directory key, and nothing is applied.
 */
class TenantSettingsResourceTest {

    private final Fixtures.Directories directories = new Fixtures.Directories();
    private final TenantSettingsResource resource = new TenantSettingsResource(directories);

    private static ApiRequest put(Caller caller, String tenant, String body) {
        return Fixtures.request(caller, "PUT", Map.of("t", tenant), body);
    }

    private ApiException refused(ApiRequest r) {
        return assertThrows(ApiException.class, () -> resource.replace(r));
    }

    private static List<String> fields(ApiException e) {
        return e.violations().stream().map(Dtos.ViolationDto::field).toList();
    }

    @Test
    void getShowsTheCodesInForceAndEmptyLabelsAndLanguage() throws Exception {
        Dtos.TenantSettingsDto s = (Dtos.TenantSettingsDto) resource.get(Fixtures.request(Fixtures.ADMIN, "GET",
                Map.of("t", "acme"), null)).body();
        assertEquals(new Dtos.TenantSettingsDto("*68", "*88", "*58", "", "", "", ""), s);
    }

    @Test
    void aValidPutChangesTheTenantAndNothingElse() throws Exception {
        Tenant before = directories.current().tenant(Fixtures.DEFAULT).orElseThrow();
        ApiResponse r = resource.replace(put(Fixtures.ADMIN, "acme", "{\"parkCode\":\"70\",\"retrieveCode\":\"71\","
                + "\"groupParkCode\":\"72\",\"alertInfo\":\"<urn:alert:service:recall:transfer>\","
                + "\"callerIdPrefix\":\"Acme:\",\"language\":\"pt-BR\"}"));
        assertEquals(200, r.status());
        assertEquals(new Dtos.TenantSettingsDto("70", "71", "72", "<urn:alert:service:recall:transfer>", "Acme:",
                "pt-BR", ""), r.body());
        Tenant acme = directories.current().tenant(Fixtures.ACME).orElseThrow();
        assertEquals(new DialPlan("70", "71", "72"), acme.dialPlan());
        assertEquals(new RecallLabels("<urn:alert:service:recall:transfer>", "Acme:"), acme.recallLabels());
        assertEquals("pt-BR", acme.language());
        assertEquals("Acme Corp", acme.name());
        assertEquals(List.of("acme.test"), acme.domains());
        assertEquals(before, directories.current().tenant(Fixtures.DEFAULT).orElseThrow());
        assertEquals(3, directories.current().users(Fixtures.ACME).size());
        assertTrue(directories.current().parkGroup(Fixtures.ACME, "Support").isPresent());

        resource.replace(put(Fixtures.ADMIN, "acme", "{}"));
        acme = directories.current().tenant(Fixtures.ACME).orElseThrow();
        assertEquals(DialPlan.DEFAULT, acme.dialPlan(), "left out: the defaults");
        assertEquals("", acme.language());
    }

    @Test
    void overlappingCodesAreRefusedNamingTheFieldAndNothingIsApplied() {
        ApiException e = refused(put(Fixtures.ADMIN, "acme", "{\"parkCode\":\"70\",\"retrieveCode\":\"70\"}"));
        assertEquals(400, e.status());
        assertEquals(List.of("retrieveCode"), fields(e));
        assertEquals("tenant.acme.retrieveCode", e.violations().get(0).key());
        assertTrue(e.violations().get(0).message().contains("'70'"), e.violations().get(0).message());
        // a code an extension of the tenant starts with (acme has 201..203)
        ApiException ext = refused(put(Fixtures.ADMIN, "acme", "{\"parkCode\":\"20\"}"));
        assertEquals(List.of("parkCode"), fields(ext));
        assertTrue(ext.violations().get(0).message().contains("extension 201"), ext.violations().get(0).message());
        assertEquals(List.of(), directories.updates);
    }

    @Test
    void everyBadFieldIsNamedWithTheDirectoryFilesRule() {
        ApiException e = refused(put(Fixtures.ADMIN, "acme", "{\"parkCode\":\"park\",\"alertInfo\":\"loud\","
                + "\"callerIdPrefix\":\"say \\\"hi\\\"\",\"language\":\"german\"}"));
        assertEquals(List.of("parkCode", "alertInfo", "callerIdPrefix", "language"), fields(e));
        assertEquals(List.of("tenant.acme.parkCode", "tenant.acme.recall.alertInfo",
                "tenant.acme.recall.callerIdPrefix", "tenant.acme.language"),
                e.violations().stream().map(Dtos.ViolationDto::key).toList());
        assertEquals("language", refused(put(Fixtures.ADMIN, "acme", "{\"language\":\"../de\"}")).violations()
                .get(0).field());
        assertEquals("langauge", refused(put(Fixtures.ADMIN, "acme", "{\"langauge\":\"de\"}")).violations()
                .get(0).field(), "an unknown field is named too");
        assertEquals(List.of(), directories.updates);
    }

    @Test
    void theTenantsFinalDestinationIsSetHere_anUnknownRingGroupIsRefusedOnItsField() throws Exception {
        ApiException e = refused(put(Fixtures.ADMIN, "acme", "{\"finalDestination\":\"ringgroup:Nope\"}"));
        assertEquals(List.of("finalDestination"), fields(e));
        assertEquals("tenant.acme.finalDestination", e.violations().get(0).key());
        ApiException foreign = refused(put(Fixtures.ADMIN, "acme", "{\"finalDestination\":\"101\"}"));
        assertEquals(List.of("finalDestination"), fields(foreign), "an extension of another tenant");
        assertEquals(List.of(), directories.updates);

        ApiResponse r = resource.replace(put(Fixtures.ADMIN, "acme", "{\"finalDestination\":\"201\"}"));
        assertEquals("201", ((Dtos.TenantSettingsDto) r.body()).finalDestination());
        assertEquals("201", directories.current().tenant(Fixtures.ACME).orElseThrow().finalDestination());
        resource.replace(put(Fixtures.ADMIN, "acme", "{}"));
        assertEquals("", directories.current().tenant(Fixtures.ACME).orElseThrow().finalDestination(),
                "left out: the final prompt");
    }

    @Test
    void anotherTenantsAdminGets404WhateverTheBody() {
        ApiException e = refused(put(Fixtures.ACME_ADMIN, "default", "{\"parkCode\":\"70\"}"));
        assertEquals(404, e.status());
        assertEquals(404, assertThrows(ApiException.class, () -> resource.get(Fixtures.request(Fixtures.ACME_ADMIN,
                "GET", Map.of("t", "default"), null))).status());
        assertEquals(404, refused(put(Fixtures.ACME_ADMIN, "default", "not json")).status());
        assertEquals(List.of(), directories.updates);
    }
}
