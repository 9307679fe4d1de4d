package org.callpark.internal;

import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.internal.store.InMemorySlotStore;
import org.callpark.spi.ParkEventListener;

/**
 * The real park core for tests of other packages (the SIP entry point): {@link CallParkServiceImpl} on an
 * {@link InMemorySlotStore}, the demo directory, manual timers (recalls only happen when a test advances time) and a
 * real dispatcher thread for events.
 */
public final class SipTestCore implements AutoCloseable {

    private final FakeDirectoryService directory = new FakeDirectoryService(DemoDirectory.build());
    private final InMemorySlotStore store;
    private final ManualTimers timers = new ManualTimers(Instant.now());
    private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-callpark-events");
        t.setDaemon(true);
        return t;
    });
    private final CallParkServiceImpl service;

    public SipTestCore(String nodeId) {
        store = new InMemorySlotStore(nodeId);
        service = new CallParkServiceImpl(directory, store, timers, dispatcher);
    }

    public CallParkService service() {
        return service;
    }

    public DirectoryService directory() {
        return directory;
    }

    public Directory demoDirectory() {
        return DemoDirectory.build();
    }

    public InMemorySlotStore store() {
        return store;
    }

    public void addListener(ParkEventListener listener) {
        service.addListener(listener);
    }

    public void removeListener(ParkEventListener listener) {
        service.removeListener(listener);
    }

    /** Moves the park service's clock forward, running the recall steps that come due. */
    public void advance(java.time.Duration by) {
        timers.advance(by);
    }

    @Override
    public void close() {
        service.deactivate();
    }
}
