package org.callpark.ui.internal;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** The JSON shapes of the REST API (see docs/rest.md). Records: Jackson reads and writes them by component name. */
public final class Dtos {

    private Dtos() {
    }

    /**
     * @param canEdit    park group changes ({@code callpark-admin})
     * @param canOperate hang up and send to ({@code callpark-operator} or {@code callpark-admin}): the board's buttons
     */
    public record SessionDto(String user, List<String> roles, boolean canEdit, boolean canOperate,
            List<String> tenants, List<LinkDto> links) {
    }

    /**
     * The extension the web user sits at in one tenant (directory {@code user.<t>.<ext>.login}), with its park group
     * ({@code null} if none): what the board's "Send to me" rings and its "Mine" / "My group" follow.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LinkDto(String tenant, String extension, String displayName, String parkGroup) {
    }

    public record LoginBody(String user, String password) {
        @Override
        public String toString() {
            return "LoginBody[" + user + "]"; // never the password
        }
    }

    public record TenantDto(String id, String name, List<String> domains, String xmppDomain) {
    }

    public record UserDto(String extension, String displayName, String jid, String parkGroup) {
    }

    public record RingGroupDto(String name, List<String> members) {
    }

    /**
     * {@code alertInfo}, {@code callerIdPrefix}: the group's recall labels, {@code ""} when the tenant's apply.
     * {@code finalDestination}: where a call goes after its last unanswered recall ({@code prompt-and-hangup}, an
     * extension, {@code ringgroup:<name>}, {@code sip:user@host[:port]}), {@code ""} when the tenant's applies.
     */
    public record ParkGroupDto(String name, String number, String recallTo, String ringGroup, long ringDurationSeconds,
            long waitBeforeRingGroupSeconds, int retries, List<String> members, boolean disabled, Integer parkedCalls,
            String alertInfo, String callerIdPrefix, String finalDestination) {
    }

    /**
     * A park group as a client sends it (POST, PUT). Missing fields take the tenant's recall defaults (members: none,
     * number: none). {@code disabled} and {@code parkedCalls} are read-only and ignored, so a client may send back what
     * it read. {@code alertInfo}, {@code callerIdPrefix} and {@code finalDestination} left out (or {@code ""}) take
     * the tenant's.
     */
    @JsonIgnoreProperties(value = { "disabled", "parkedCalls" })
    public record ParkGroupBody(String name, String number, String recallTo, String ringGroup,
            Long ringDurationSeconds, Long waitBeforeRingGroupSeconds, Integer retries, List<String> members,
            String alertInfo, String callerIdPrefix, String finalDestination) {
    }

    /**
     * A tenant's settings ({@code GET/PUT /tenants/{t}/settings}): its feature codes (read: the codes in force, the
     * defaults included), its recall labels ({@code ""}: inherited), its prompt language ({@code ""}: the media
     * bundle's default) and the final destination of calls whose park group sets none ({@code ""}: the final prompt
     * and hang-up). Sent: a field left out or empty takes the default.
     */
    public record TenantSettingsDto(String parkCode, String retrieveCode, String groupParkCode, String alertInfo,
            String callerIdPrefix, String language, String finalDestination) {
    }

    public record SlotDto(String kind, String name, String label) {
    }

    public record CallerDto(String name, String number) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    /**
     * {@code parkerVerified}: {@code false} when the parker named by the park was not verified (the recall never rings
     * it); {@code true} when it was, or there is no parker. {@code nextStep} ({@code RING_PARKER}, {@code RING_GROUP},
     * {@code WAIT}, {@code TIME_OUT}) happens at {@code nextActionAt} (both {@code null} when nothing is scheduled);
     * {@code ringGroup} and the two durations are the recall timers the call was parked with, so that the board's
     * countdown and waiting colour follow the call's group instead of a fixed time.
     */
    public record CallDto(String id, String tenant, SlotDto slot, CallerDto caller, String parkedBy,
            boolean parkerVerified, String parkGroup, String parkedAt, String state, int recallAttempt, int retries,
            String recallTarget, long version, String nextActionAt, String nextStep, String ringGroup,
            long ringDurationSeconds, long waitBeforeRingGroupSeconds) {
    }

    /** {@code {"extension":"104"}}, or {@code {"to":"me"}}: the extension the web user is linked to. */
    public record SendBody(String extension, String to) {
    }

    /** "Send to": ringing, and which extension rings (for "me": the one the server resolved). */
    public record SendingDto(String status, String extension) {
    }

    public record EventDto(String type, CallDto call) {
    }

    public record SnapshotDto(List<CallDto> calls) {
    }

    public record SendFailedDto(String callId, String tenant, String extension, String reason, String message) {
    }

    /** One ended call in the history; {@code steps} only in the detail ({@code GET /history/{id}}), else absent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HistoryDto(String callId, String tenant, SlotDto slot, CallerDto caller, String parkedBy,
            String parkGroup, String parkedAt, String endedAt, long waitedSeconds, String resolution,
            String resolvedBy, int recallAttempts, String node, List<HistoryStepDto> steps) {
    }

    public record HistoryStepDto(String at, String type, String detail, String node) {
    }

    /** {@code nextCursor}: pass it back as {@code cursor} for the next (older) page; {@code null} on the last page. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record HistoryPageDto(List<HistoryDto> records, String nextCursor) {
    }

    public record ViolationDto(String field, String key, String message) {
    }

    public record ErrorDto(String error, String message, List<ViolationDto> violations) {
    }
}
