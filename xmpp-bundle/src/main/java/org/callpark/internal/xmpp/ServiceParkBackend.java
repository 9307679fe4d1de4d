package org.callpark.internal.xmpp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.SlotId;
import org.callpark.spi.ParkEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ParkBackend} on this JVM's park service: the {@link CallParkService}, the {@link DirectoryService}, events
 * fed in through {@link #onParkEvent} (in Karaf by the {@link XmppEntryPoint}, a {@link ParkEventListener} service)
 * and a {@link RosterSubscriberStore} (Hazelcast in Karaf).
 */
public final class ServiceParkBackend implements ParkBackend, ParkEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceParkBackend.class);

    private final CallParkService service;
    private final DirectoryService directory;
    private final RosterSubscriberStore subscribers;
    private final List<ParkEventListener> listeners = new CopyOnWriteArrayList<>();

    public ServiceParkBackend(CallParkService service, DirectoryService directory, RosterSubscriberStore subscribers) {
        this.service = Objects.requireNonNull(service, "service");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.subscribers = Objects.requireNonNull(subscribers, "subscribers");
    }

    @Override
    public Directory directory() {
        return directory.current();
    }

    @Override
    public List<ParkedCall> calls(SlotId slot) throws ParkException {
        return service.list(slot);
    }

    @Override
    public AutoCloseable listen(ParkEventListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Hands a park event to every listener of {@link #listen}. */
    @Override
    public void onParkEvent(ParkEvent event) {
        for (ParkEventListener l : listeners) {
            try {
                l.onParkEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("XMPP event listener failed: {}", e.toString(), e);
            }
        }
    }

    @Override
    public CompletionStage<ParkedCall> sendTo(RetrieveRequest request, String extension, Duration ringFor)
            throws ParkException {
        return service.sendTo(request, extension, ringFor);
    }

    @Override
    public RosterSubscriberStore subscribers() {
        return subscribers;
    }
}
