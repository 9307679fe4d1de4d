package org.callpark.internal.xmpp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.SlotId;
import org.callpark.spi.ParkEventListener;

/**
 * What {@link ParkComponent} needs from the park service, so that the same component class runs inside Karaf (an
 * external XEP-0114 component through Whack, backed by {@code CallParkService}, {@code DirectoryService}, the park
 * event whiteboard and Hazelcast) and inside an Openfire plugin (backed by whatever reaches the cluster from there).
 * No OSGi, Karaf or Openfire type appears here.
 */
public interface ParkBackend {

    /** The answer to a request while the park service is away (Karaf: the park core is being updated). */
    String RESTARTING = "the park service is restarting, try again";

    /**
     * Whether the park service can take requests now. While not (Karaf: the park core is being updated) a pickup is
     * refused at once with a "try again" answer instead of reaching {@link #sendTo}.
     */
    default boolean available() {
        return true;
    }

    /** The active directory (tenants, users and their JIDs, park groups). */
    Directory directory();

    /**
     * The slot's live parked calls in pickup order (oldest first).
     *
     * @throws ParkException {@code STORE_UNAVAILABLE} if the cluster cannot be read
     */
    List<ParkedCall> calls(SlotId slot) throws ParkException;

    /**
     * Starts delivering every park event of the cluster to {@code listener}, in order, until the returned handle is
     * closed. The listener must not block.
     */
    AutoCloseable listen(ParkEventListener listener);

    /**
     * Rings {@code extension} and, when it answers, connects the call {@code request} names there (pickup from chat).
     * The same contract as {@code CallParkService.sendTo}.
     *
     * @return completes with the call once the extension answered and got it; exceptionally with a
     *         {@link ParkException} if it did not answer in time or the call was gone meanwhile
     * @throws ParkException at once: the retrieve reasons ({@code SLOT_EMPTY}, {@code NOT_PERMITTED},
     *                       {@code NOT_FOUND}) or a phone that cannot be called from here
     */
    CompletionStage<ParkedCall> sendTo(RetrieveRequest request, String extension, Duration ringFor)
            throws ParkException;

    /** Who subscribed to or was offered which slot JID; shared by the whole cluster. */
    RosterSubscriberStore subscribers();
}
