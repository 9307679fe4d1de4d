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
 * @param finalDestination    where the call goes when every attempt went unanswered, as configured when it was parked
 *                            (the park group's {@link ParkGroup#finalDestination()} over its tenant's, see there for
 *                            the syntax); empty or {@value #PROMPT_AND_HANGUP}: the final prompt, then hang up. Since
 *                            1.7.
 * @param finalTargets        whom the final destination rings, resolved when the call was parked: the extension, the
 *                            ring group's members, or the one {@code sip:} URI; empty when there is none
 */
public record RecallPolicy(RecallMode mode, String ringGroup, List<String> ringGroupMembers, Duration ringDuration,
        Duration waitBeforeRingGroup, int retries, String finalDestination, List<String> finalTargets) {

    public static final int MIN_RETRIES = 1;
    public static final int MAX_RETRIES = 10;
    /** The final destination that plays the final prompt and hangs up: the default, the seed's behaviour. */
    public static final String PROMPT_AND_HANGUP = "prompt-and-hangup";

    /** A policy that ends in the final prompt (every call parked before 1.7). */
    public RecallPolicy(RecallMode mode, String ringGroup, List<String> ringGroupMembers, Duration ringDuration,
            Duration waitBeforeRingGroup, int retries) {
        this(mode, ringGroup, ringGroupMembers, ringDuration, waitBeforeRingGroup, retries, "", List.of());
    }

    public RecallPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(ringDuration, "ringDuration");
        Objects.requireNonNull(waitBeforeRingGroup, "waitBeforeRingGroup");
        ringGroupMembers = ringGroupMembers == null ? List.of() : List.copyOf(ringGroupMembers);
        finalDestination = finalDestination == null || finalDestination.isBlank()
                || finalDestination.trim().equals(PROMPT_AND_HANGUP) ? "" : finalDestination.trim();
        finalTargets = finalTargets == null || finalDestination.isEmpty() ? List.of() : List.copyOf(finalTargets);
    }

    /** Whether the ladder ends by ringing a final destination rather than with the final prompt. Since 1.7. */
    public boolean hasFinalDestination() {
        return !finalDestination.isEmpty();
    }

    /** This policy ending at {@code destination}, which rings {@code targets}. Since 1.7. */
    public RecallPolicy withFinalDestination(String destination, List<String> targets) {
        return new RecallPolicy(mode, ringGroup, ringGroupMembers, ringDuration, waitBeforeRingGroup, retries,
                destination, targets);
    }
}
