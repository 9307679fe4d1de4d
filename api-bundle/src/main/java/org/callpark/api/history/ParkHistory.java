package org.callpark.api.history;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The record of parked calls that ended, newest first. Registered as an OSGi service by the history bundle; readers
 * (shell, REST, web) reference it optionally and say "history is not installed" without it.
 *
 * <p>Writes are not part of this interface: the history bundle hears the park events itself. What it has not written
 * yet (a batch in flight, a database outage) is not visible here.
 */
@ProviderType
public interface ParkHistory {

    /**
     * One page of records matching {@code query}, newest {@link HistoryRecord#endedAt()} first.
     *
     * @throws HistoryUnavailableException the database cannot be reached; the message says why, for people
     */
    HistoryPage find(HistoryQuery query) throws HistoryUnavailableException;

    /**
     * The record of one call with its steps, if this history has it.
     *
     * @throws HistoryUnavailableException the database cannot be reached
     */
    Optional<HistoryRecord> get(String callId) throws HistoryUnavailableException;
}
