package org.callpark.spi;

import org.callpark.api.ParkEvent;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Register as an OSGi service to hear about every parked call of the cluster (BLF, XMPP presence, the live board).
 * Events arrive in order, one at a time, on the park service's dispatcher thread: do not block in it.
 */
@FunctionalInterface
@ConsumerType
public interface ParkEventListener {

    void onParkEvent(ParkEvent event);
}
