package org.callpark.internal.sip;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.callpark.api.CallParkService;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.Resolution;
import org.callpark.spi.ClusterNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.core.HazelcastInstance;

/**
 * The one place the SIP bundle reaches the park core through: the {@link CallParkService} and {@link DirectoryService}
 * as SCR binds and unbinds them (dynamic, optional references of {@link SipServer}), and this node's
 * {@link ClusterNode}. The handlers ask for the core at each use ({@link #service()}, {@link #directory()}) and never
 * keep it; while it is away (a {@code bundle:update org.callpark.park}) they get a {@link CoreAwayException}, which the
 * {@link SipDispatcher} answers with {@code 503} and {@code Retry-After}.
 * <p>
 * <b>Ends while away.</b> A parked caller who hangs up while the core is away is answered and its media closed at once;
 * the end of its call ({@link #endCall}) is queued here, by call id (the first resolution wins), and applied as soon as
 * a {@code CallParkService} is bound again — its final event is the one every node sees. A refusal then means the call
 * was resolved otherwise meanwhile.
 * <p>
 * <b>The cluster member</b> belongs to the Hazelcast bundle and outlives updates of the park bundle (see
 * {@code ClusterMember}): while no {@link ClusterNode} is bound the last one's instance and node id are used.
 */
final class CoreAccess {

    private static final Logger LOG = LoggerFactory.getLogger(CoreAccess.class);

    private final AtomicReference<CallParkService> service = new AtomicReference<>();
    private final AtomicReference<DirectoryService> directory = new AtomicReference<>();
    private final AtomicReference<ClusterNode> cluster = new AtomicReference<>();
    private volatile HazelcastInstance lastInstance;
    private volatile String lastNodeId;
    /** Whether the node id and Hazelcast instance come from a bound {@link ClusterNode} (OSGi) or from elsewhere. */
    private final boolean needsCluster;
    /** Ends of calls whose callers hung up while the core was away, by call id. */
    private final Map<String, Resolution> pendingEnds = new ConcurrentHashMap<>();
    private volatile Runnable onBack = () -> { };
    /** Whether {@link #onBack} ran since the core was last away (it runs once per coming back). */
    private final java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean();

    private CoreAccess(boolean needsCluster) {
        this.needsCluster = needsCluster;
    }

    /** Empty: SCR binds the core and the cluster node later. */
    static CoreAccess unbound() {
        return new CoreAccess(true);
    }

    /** Bound to {@code service} and {@code directory} (either may be null: away); the node comes from elsewhere. */
    static CoreAccess of(CallParkService service, DirectoryService directory) {
        CoreAccess core = new CoreAccess(false);
        core.service.set(service);
        core.directory.set(directory);
        return core;
    }

    // ------------------------------------------------------------------------------------------ use

    /** The bound park service. */
    CallParkService service() {
        CallParkService s = service.get();
        if (s == null) {
            throw new CoreAwayException("CallParkService");
        }
        return s;
    }

    /** The bound directory service. */
    DirectoryService directory() {
        DirectoryService d = directory.get();
        if (d == null) {
            throw new CoreAwayException("DirectoryService");
        }
        return d;
    }

    /** The active directory. */
    Directory currentDirectory() {
        return directory().current();
    }

    /** Throws {@link CoreAwayException} unless everything a new request needs is bound. */
    void require() {
        service();
        directory();
        if (needsCluster && lastNodeId == null) {
            throw new CoreAwayException("ClusterNode");
        }
    }

    /** Whether {@link #require} passes. */
    boolean present() {
        return service.get() != null && directory.get() != null && (!needsCluster || lastNodeId != null);
    }

    /** This node's id in the cluster (the bound node's, else the last one's: the member outlives the park bundle). */
    String nodeId() {
        ClusterNode c = cluster.get();
        if (c != null) {
            String id = c.nodeId();
            lastNodeId = id;
            return id;
        }
        String last = lastNodeId;
        if (last == null) {
            throw new CoreAwayException("ClusterNode");
        }
        return last;
    }

    /** The Hazelcast member (the bound node's, else the last one's), or {@code null} if none was ever bound. */
    HazelcastInstance hazelcast() {
        ClusterNode c = cluster.get();
        if (c != null) {
            HazelcastInstance hz = c.instance();
            lastInstance = hz;
            return hz;
        }
        return lastInstance;
    }

    /**
     * Ends a parked call, quietly (a refusal means it was resolved otherwise meanwhile); while the core is away the end
     * is queued and applied when it is back.
     */
    void endCall(String callId, Resolution how) {
        CallParkService s = service.get();
        if (s == null) {
            pendingEnds.putIfAbsent(callId, how);
            LOG.debug("Call {} ends {} once the park core is back", callId, how);
            s = service.get(); // bound meanwhile: the drain may have run before the put
            if (s != null) {
                applyPendingEnds(s);
            }
            return;
        }
        end(s, callId, how);
    }

    /** Calls whose end waits for the core (tests, diagnostics). */
    Map<String, Resolution> pendingEnds() {
        return Map.copyOf(pendingEnds);
    }

    // ------------------------------------------------------------------------------------------ SCR

    /** Runs when a binding makes the core {@link #present} again (queued ends are applied before). */
    void onBack(Runnable r) {
        this.onBack = r;
    }

    void bind(CallParkService s) {
        service.set(s);
        applyPendingEnds(s);
        back();
    }

    void unbind(CallParkService s) {
        if (service.compareAndSet(s, null)) {
            up.set(false);
            LOG.info("The park core went away: new SIP requests are answered 503 until it is back");
        }
    }

    void bind(DirectoryService d) {
        directory.set(d);
        back();
    }

    void unbind(DirectoryService d) {
        if (directory.compareAndSet(d, null)) {
            up.set(false);
        }
    }

    void bind(ClusterNode c) {
        cluster.set(c);
        lastInstance = c.instance();
        lastNodeId = c.nodeId();
        back();
    }

    void unbind(ClusterNode c) {
        cluster.compareAndSet(c, null); // the last instance and node id stay: the member outlives the component
    }

    private void back() {
        if (present() && up.compareAndSet(false, true)) {
            try {
                onBack.run();
            } catch (RuntimeException e) {
                LOG.warn("Taking up the park core failed: {}", e.toString());
            }
        }
    }

    private void applyPendingEnds(CallParkService s) {
        for (String callId : List.copyOf(pendingEnds.keySet())) {
            Resolution how = pendingEnds.remove(callId);
            if (how != null) {
                end(s, callId, how);
            }
        }
    }

    private static void end(CallParkService s, String callId, Resolution how) {
        try {
            s.end(callId, how);
        } catch (ParkException e) {
            LOG.debug("Ending call {} as {} refused: {}", callId, how, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Ending call {} as {} failed: {}", callId, how, e.toString());
        }
    }
}
