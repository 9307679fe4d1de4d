package org.callpark.spi;

import java.time.Duration;

import org.callpark.api.ParkException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Moves every parked call this node carries to the other cluster nodes ({@code park:drain}, and a graceful stop of a
 * node in a cluster). Registered by the SIP bundle while its server runs; used by the {@code park:drain} command.
 */
@ConsumerType
public interface NodeDrain {

    /**
     * What a drain did.
     *
     * @param total the calls this node carried when it started
     * @param moved the calls now carried by other nodes
     * @param left  the calls still here (could not be moved in time; still parked)
     */
    record Result(int total, int moved, int left) {
    }

    /** Asks the other nodes to take this node's calls and waits up to {@code timeout} for them. */
    Result drain(Duration timeout) throws ParkException, InterruptedException;
}
