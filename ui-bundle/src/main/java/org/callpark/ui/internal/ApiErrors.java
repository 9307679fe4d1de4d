package org.callpark.ui.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;

/**
 * The one translation of {@link ParkException} to HTTP: status by {@link Reason}, and each directory violation's
 * property key ({@code parkgroup.<tenant>.<group>.<attribute>}) to the JSON field of the park group body, so the page
 * can show the message next to its field.
 */
public final class ApiErrors {

    /** Directory attribute of a park group → JSON field of {@link Dtos.ParkGroupBody}. */
    static final Map<String, String> PARK_GROUP_FIELDS = Map.of(
            "number", "number",
            "members", "members",
            "recallTo", "recallTo",
            "ringGroup", "ringGroup",
            "ringDuration", "ringDurationSeconds",
            "waitBeforeRingGroup", "waitBeforeRingGroupSeconds",
            "retries", "retries",
            "alertInfo", "alertInfo",
            "callerIdPrefix", "callerIdPrefix",
            "finalDestination", "finalDestination");

    /** Directory attribute of a tenant → JSON field of {@link Dtos.TenantSettingsDto}. */
    static final Map<String, String> TENANT_SETTINGS_FIELDS = Map.of(
            "parkCode", "parkCode",
            "retrieveCode", "retrieveCode",
            "groupParkCode", "groupParkCode",
            "recall.alertInfo", "alertInfo",
            "recall.callerIdPrefix", "callerIdPrefix",
            "language", "language",
            "finalDestination", "finalDestination");

    private static final String PARK_GROUP_KEY = "parkgroup.";
    private static final String TENANT_KEY = "tenant.";
    /** The directory reports name problems (format, duplicate) under the group's members key with this wording. */
    private static final String NAME_WORDS = ": the name ";

    private ApiErrors() {
    }

    public static int status(Reason reason) {
        return switch (reason) {
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND, SLOT_EMPTY -> 404;
            case NOT_PERMITTED -> 403;
            case CONFLICT, SLOT_OCCUPIED, NO_FREE_SLOT -> 409;
            case UNREACHABLE -> 502;
            case STORE_UNAVAILABLE, MEDIA_FAILURE, MEDIA_CAPACITY -> 503;
        };
    }

    public static ApiException translate(ParkException e) {
        return translate(e, ApiErrors::field);
    }

    /** As {@link #translate(ParkException)}, naming the body's fields by {@code fields} (null: no field of it). */
    static ApiException translate(ParkException e, Function<ParkException.Violation, String> fields) {
        List<Dtos.ViolationDto> violations = new ArrayList<>();
        for (ParkException.Violation v : e.violations()) {
            violations.add(new Dtos.ViolationDto(fields.apply(v), v.field(), v.message()));
        }
        return new ApiException(status(e.reason()), e.reason().name(), e.getMessage(), violations, e);
    }

    /**
     * The JSON field of {@link Dtos.TenantSettingsDto} a directory violation is about ({@code tenant.<t>.parkCode} →
     * {@code parkCode}, {@code tenant.<t>.recall.alertInfo} → {@code alertInfo}, ...), or {@code null} if it is about
     * something else.
     */
    static String settingsField(ParkException.Violation v) {
        String key = v.field();
        if (!key.startsWith(TENANT_KEY) || key.indexOf('.', TENANT_KEY.length()) < 0) {
            return null;
        }
        return TENANT_SETTINGS_FIELDS.get(key.substring(key.indexOf('.', TENANT_KEY.length()) + 1));
    }

    /**
     * The JSON field of the park group body a directory violation is about, or {@code null} if it is about something
     * else (a tenant, user or ring group key).
     */
    static String field(ParkException.Violation v) {
        String key = v.field();
        if (!key.startsWith(PARK_GROUP_KEY)) {
            return null;
        }
        if (v.message().contains(NAME_WORDS)) {
            return "name";
        }
        String attribute = key.substring(key.lastIndexOf('.') + 1);
        return PARK_GROUP_FIELDS.get(attribute);
    }
}
