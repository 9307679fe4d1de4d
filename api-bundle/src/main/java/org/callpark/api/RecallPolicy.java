package org.callpark.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The recall rules one parked call follows. A call keeps the policy it was parked with, so a configuration change
 * affects new parks only.
 *
 * @param mode                whom to ring
 * @param ringGroup           the ring group's name, or {@code null} for {@link RecallMode#USER_ONLY}
 * @param ringGroupMembers    the ring group's extensions at park time (empty for {@link RecallMode#USER_ONLY})
 * @param ringDuration        how long the call waits before a recall, and how long each recall rings
 * @param waitBeforeRingGroup how long the parker rings before the ring group is tried
 * @param retries             how many recall attempts in all (1..10)
 */
public record RecallPolicy(RecallMode mode, String ringGroup, List<String> ringGroupMembers, Duration ringDuration,
        Duration waitBeforeRingGroup, int retries) {

    public static final int MIN_RETRIES = 1;
    public static final int MAX_RETRIES = 10;

    public RecallPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(ringDuration, "ringDuration");
        Objects.requireNonNull(waitBeforeRingGroup, "waitBeforeRingGroup");
        ringGroupMembers = ringGroupMembers == null ? List.of() : List.copyOf(ringGroupMembers);
    }
}
