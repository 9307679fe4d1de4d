package org.callpark.internal.xmpp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkedCall;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.SlotId;
import org.callpark.spi.ParkEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ParkBackend} on this JVM's park service: the {@link CallParkService} and {@link DirectoryService} as SCR binds
 * and unbinds them (dynamic, optional references of the {@link XmppEntryPoint}, as sip-bundle's {@code CoreAccess}),
 * events fed in through {@link #onParkEvent} and a {@link RosterSubscriberStore} (Hazelcast in Karaf).
 * <p>
 * <b>While the core is away</b> (a {@code bundle:update org.callpark.park}) the XMPP component stays connected: a
 * pickup is refused with {@value #RESTARTING} ({@link #available}, {@link #sendTo}), the directory is the last one
 * seen (so who may see which slot is still decided), and {@link #calls} fails, so that no presence claims "free" for a
 * slot whose calls cannot be read — presence queries are then answered from what is known or not at all. When both
 * services are bound again the {@code onBack} task runs once (the component re-sends every slot's presence).
 */
public final class ServiceParkBackend implements ParkBackend, ParkEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceParkBackend.class);

    private final AtomicReference<CallParkService> service = new AtomicReference<>();
    private final AtomicReference<DirectoryService> directory = new AtomicReference<>();
    private final RosterSubscriberStore subscribers;
    private final List<ParkEventListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean up = new AtomicBoolean();
    private volatile Directory lastDirectory;
    private volatile Runnable onBack = () -> { };

    /** Unbound: SCR binds the core later ({@link #bind(CallParkService)}, {@link #bind(DirectoryService)}). */
    public ServiceParkBackend(RosterSubscriberStore subscribers) {
        this.subscribers = Objects.requireNonNull(subscribers, "subscribers");
    }

    /** Bound to {@code service} and {@code directory} (tests, the benchmark). */
    public ServiceParkBackend(CallParkService service, DirectoryService directory, RosterSubscriberStore subscribers) {
        this(subscribers);
        bind(Objects.requireNonNull(service, "service"));
        bind(Objects.requireNonNull(directory, "directory"));
    }

    // ------------------------------------------------------------------------------------------ ParkBackend

    @Override
    public boolean available() {
        return service.get() != null && directory.get() != null;
    }

    /**
     * The active directory; while the {@link DirectoryService} is away the last one seen.
     *
     * @throws IllegalStateException ({@value #RESTARTING}) if none was ever seen
     */
    @Override
    public Directory directory() {
        DirectoryService d = directory.get();
        if (d != null) {
            Directory current = d.current();
            lastDirectory = current;
            return current;
        }
        Directory last = lastDirectory;
        if (last == null) {
            throw new IllegalStateException(RESTARTING);
        }
        return last;
    }

    @Override
    public List<ParkedCall> calls(SlotId slot) throws ParkException {
        return service().list(slot);
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
        return service().sendTo(request, extension, ringFor);
    }

    @Override
    public RosterSubscriberStore subscribers() {
        return subscribers;
    }

    private CallParkService service() throws ParkException {
        CallParkService s = service.get();
        if (s == null) {
            throw new ParkException(Reason.STORE_UNAVAILABLE, RESTARTING);
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------ SCR

    /** Runs (on the binding thread) each time a binding makes the core {@link #available} again. */
    void onBack(Runnable task) {
        this.onBack = Objects.requireNonNull(task, "task");
    }

    void bind(CallParkService s) {
        service.set(s);
        back();
    }

    /** Only the bound service goes away: a greedy reference binds the new one before it unbinds the old one. */
    void unbind(CallParkService s) {
        if (service.compareAndSet(s, null) && up.compareAndSet(true, false)) {
            LOG.info("The park core went away: XMPP pickups are refused until it is back");
        }
    }

    void bind(DirectoryService d) {
        directory.set(d);
        try {
            lastDirectory = d.current();
        } catch (RuntimeException e) {
            LOG.debug("No directory yet: {}", e.toString());
        }
        back();
    }

    void unbind(DirectoryService d) {
        if (directory.compareAndSet(d, null)) {
            up.set(false);
        }
    }

    private void back() {
        if (available() && up.compareAndSet(false, true)) {
            LOG.info("XMPP: the park core is available; re-sending the presence of every slot");
            try {
                onBack.run();
            } catch (RuntimeException e) {
                LOG.warn("Re-sending presence after the park core came back failed: {}", e.toString());
            }
        }
    }
}
