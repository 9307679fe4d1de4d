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

    private final FakeDirectoryService directory;
    private final InMemorySlotStore store;
    private final ManualTimers timers;
    private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-callpark-events");
        t.setDaemon(true);
        return t;
    });
    private final CallParkServiceImpl service;

    public SipTestCore(String nodeId) {
        directory = new FakeDirectoryService(DemoDirectory.build());
        store = new InMemorySlotStore(nodeId);
        timers = new ManualTimers(Instant.now());
        service = new CallParkServiceImpl(directory, store, timers, dispatcher);
    }

    private SipTestCore(String nodeId, Directory dir) {
        directory = new FakeDirectoryService(dir);
        store = new InMemorySlotStore(nodeId);
        timers = null;
        service = new CallParkServiceImpl(directory, store, Timers.system("test-callpark-timer"), dispatcher);
    }

    private SipTestCore(org.callpark.spi.SlotStore shared, Directory dir) {
        directory = new FakeDirectoryService(dir);
        store = null;
        timers = null;
        service = new CallParkServiceImpl(directory, shared, Timers.system("test-callpark-timer"), dispatcher);
    }

    /** The real core of one cluster node, on real time, over a shared store (a Hazelcast slot store). */
    public static SipTestCore clustered(org.callpark.spi.SlotStore shared) {
        return new SipTestCore(shared, DemoDirectory.build());
    }

    /** The same with a given directory (e.g. {@link #recallDirectory} for short recall timers). */
    public static SipTestCore clustered(org.callpark.spi.SlotStore shared, Directory directory) {
        return new SipTestCore(shared, directory);
    }

    /** Plugs a call carrier in (in OSGi: the optional dynamic reference). */
    public void setCarrier(org.callpark.spi.CallCarrier carrier) {
        service.setCarrier(carrier);
    }

    /** The real core on real time (recalls happen by themselves) with the given directory. */
    public static SipTestCore realTime(String nodeId, Directory directory) {
        return new SipTestCore(nodeId, directory);
    }

    /**
     * The demo tenant's users 101..106 and ring group Reception (104, 105) with short recall timers for SIP recall
     * tests: park group {@code Solo} (101, USER_ONLY, {@code soloRetries}), {@code Sales} (102, USER_THEN_RING_GROUP,
     * one attempt) and {@code Back} (103, RING_GROUP_ONLY, one attempt); ring duration R, wait before ring group W.
     */
    public static Directory recallDirectory(java.time.Duration r, java.time.Duration w, int soloRetries) {
        Directory demo = DemoDirectory.build();
        org.callpark.api.TenantId t = DemoDirectory.DEFAULT;
        java.util.List<org.callpark.api.Tenant> tenants = demo.tenants().stream()
                .map(x -> new org.callpark.api.Tenant(x.id(), x.name(), x.domains(), x.xmppDomain(),
                        new org.callpark.api.RecallPolicy(org.callpark.api.RecallMode.USER_ONLY, null,
                                java.util.List.of(), r, w, 1)))
                .toList();
        java.util.List<org.callpark.api.User> users = new java.util.ArrayList<>();
        tenants.forEach(x -> users.addAll(demo.users(x.id())));
        java.util.List<org.callpark.api.RingGroup> rings = java.util.List.of(
                new org.callpark.api.RingGroup(t, "Reception", java.util.List.of("104", "105")));
        java.util.List<org.callpark.api.ParkGroup> groups = java.util.List.of(
                new org.callpark.api.ParkGroup(t, "Solo", "", java.util.List.of("101"),
                        org.callpark.api.RecallMode.USER_ONLY, "", r, w, soloRetries, false),
                new org.callpark.api.ParkGroup(t, "Sales", "", java.util.List.of("102"),
                        org.callpark.api.RecallMode.USER_THEN_RING_GROUP, "Reception", r, w, 1, false),
                new org.callpark.api.ParkGroup(t, "Back", "", java.util.List.of("103"),
                        org.callpark.api.RecallMode.RING_GROUP_ONLY, "Reception", r, w, 1, false));
        return new Directory(t, tenants, users, rings, groups);
    }

    /** Plugs a recall dialer in (in OSGi: the optional dynamic reference). */
    public void setDialer(org.callpark.spi.RecallDialer dialer) {
        service.setDialer(dialer);
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
        if (timers == null) {
            throw new IllegalStateException("a real-time core moves by itself");
        }
        timers.advance(by);
    }

    @Override
    public void close() {
        service.deactivate();
    }
}
