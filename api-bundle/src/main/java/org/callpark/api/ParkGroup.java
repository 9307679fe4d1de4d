package org.callpark.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A park group: users who share a park slot ({@code *58}) and see each other's parked calls, with the recall rules for
 * every call they park.
 *
 * @param tenant              the tenant
 * @param name                the name, unique in the tenant (case-insensitive); letters, digits, {@code _} and {@code -}
 *                            because it appears in SIP URIs ({@code park+Sales}) and JIDs
 * @param number              an optional dialable number for the group's slot (e.g. {@code 700}), or empty
 * @param members             the extensions; a user is in at most one park group
 * @param recallTo            whom a recall rings
 * @param ringGroup           the ring group's name, required for the two ring-group modes, else empty
 * @param ringDuration        how long a parked call waits before a recall, and how long each recall rings
 * @param waitBeforeRingGroup how long the parker rings before the ring group is tried
 * @param retries             recall attempts in all, 1..10
 * @param disabled            {@code true} for a group removed from the configuration that still holds calls: no new
 *                            parks, its calls stay retrievable until it is empty
 * @param recallLabels        the Alert-Info and caller-ID prefix of its recalls, over the tenant's
 *                            ({@link RecallLabels#INHERIT} if {@code null})
 * @param finalDestination    where a call goes when every recall attempt went unanswered: {@value
 *                            RecallPolicy#PROMPT_AND_HANGUP} (the final prompt, then hang up), an extension of the
 *                            tenant ({@code 100}), one of its ring groups ({@code ringgroup:<name>}) or a SIP URI
 *                            ({@code sip:user@host[:port]}, no parameters or headers); empty inherits the tenant's
 *                            ({@link Tenant#finalDestination()}). Taken into the call's {@link RecallPolicy} when it
 *                            is parked. Since 1.7.
 */
public record ParkGroup(TenantId tenant, String name, String number, List<String> members, RecallMode recallTo,
        String ringGroup, Duration ringDuration, Duration waitBeforeRingGroup, int retries, boolean disabled,
        RecallLabels recallLabels, String finalDestination) {

    /** A park group whose final destination is its tenant's. */
    public ParkGroup(TenantId tenant, String name, String number, List<String> members, RecallMode recallTo,
            String ringGroup, Duration ringDuration, Duration waitBeforeRingGroup, int retries, boolean disabled,
            RecallLabels recallLabels) {
        this(tenant, name, number, members, recallTo, ringGroup, ringDuration, waitBeforeRingGroup, retries, disabled,
                recallLabels, "");
    }

    /** A park group whose recall labels are its tenant's. */
    public ParkGroup(TenantId tenant, String name, String number, List<String> members, RecallMode recallTo,
            String ringGroup, Duration ringDuration, Duration waitBeforeRingGroup, int retries, boolean disabled) {
        this(tenant, name, number, members, recallTo, ringGroup, ringDuration, waitBeforeRingGroup, retries, disabled,
                RecallLabels.INHERIT);
    }

    public ParkGroup {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(recallTo, "recallTo");
        Objects.requireNonNull(ringDuration, "ringDuration");
        Objects.requireNonNull(waitBeforeRingGroup, "waitBeforeRingGroup");
        number = number == null ? "" : number;
        members = members == null ? List.of() : List.copyOf(members);
        ringGroup = ringGroup == null ? "" : ringGroup;
        recallLabels = recallLabels == null ? RecallLabels.INHERIT : recallLabels;
        finalDestination = finalDestination == null ? "" : finalDestination.trim();
    }

    /** The group's slot. */
    public SlotId slot() {
        return SlotId.group(tenant, name);
    }

    public boolean hasMember(String extension) {
        return members.contains(extension);
    }

    /** This group, disabled until empty. */
    public ParkGroup asDisabled() {
        return new ParkGroup(tenant, name, number, members, recallTo, ringGroup, ringDuration, waitBeforeRingGroup,
                retries, true, recallLabels, finalDestination);
    }
}
