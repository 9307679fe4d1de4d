package org.callpark.api;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The directory of tenants, users, ring groups and park groups. It is configuration (ConfigAdmin PID
 * {@code org.callpark.directory}, file {@code etc/org.callpark.directory.cfg}) and is hot-reloaded. A change is
 * validated as a whole: an invalid change is rejected with every violation named, and the previous directory stays
 * active.
 */
@ProviderType
public interface DirectoryService {

    /** The active directory, including park groups that were removed but still hold calls (disabled until empty). */
    Directory current();

    /**
     * Checks a candidate directory against every rule: group names unique per tenant, a user in at most one park group,
     * members and ring groups of the same tenant, retries 1..10, positive durations, a ring group for the ring-group
     * recall modes.
     *
     * @return every violation; empty if the candidate is valid
     */
    List<ParkException.Violation> validate(Directory candidate);

    /**
     * Validates the candidate and, if valid, makes it the configuration (persisted and active on this node).
     *
     * @throws ParkException {@code INVALID_ARGUMENT} naming every violation; nothing is changed
     */
    void update(Directory candidate) throws ParkException;
}
