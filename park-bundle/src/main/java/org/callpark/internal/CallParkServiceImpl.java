package org.callpark.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.callpark.api.CallParkService;
import org.callpark.api.CallState;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallPolicy;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.RingGroup;
import org.callpark.api.SlotId;
import org.callpark.api.SlotKind;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.RecallTarget;
import org.callpark.spi.CallCarrier;
import org.callpark.spi.ParkEventListener;
import org.callpark.spi.RecallDialer;
import org.callpark.spi.SlotStore;
import org.callpark.spi.json.CallChanges;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one implementation of {@link CallParkService}: the park rules (which slot, who may retrieve), the state machine
 * of a parked call (every transition a compare-and-set in the cluster-wide {@link SlotStore}, so exactly one of racing
 * retrieves, recalls and hang-ups wins), the recall timers of the calls this node owns, and the delivery of park events
 * to {@link ParkEventListener}s.
 * <p>
 * Threads: one timer thread for recall steps and one dispatcher thread that delivers events in order.
 */
@Component(service = CallParkService.class, immediate = true)
public final class CallParkServiceImpl implements CallParkService {

    private static final Logger LOG = LoggerFactory.getLogger(CallParkServiceImpl.class);
    /** {@link ParkedCall#resolvedBy()} of what an administrator did (the API does not say which one). */
    static final String ADMIN = "admin";

    private final DirectoryService directory;
    private final SlotStore store;
    private final Timers timers;
    private final RecallLadder ladder = new RecallLadder();
    private final ExecutorService dispatcher;
    private final List<ParkEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Armed> armed = new ConcurrentHashMap<>();
    private final Map<String, ActiveRing> ringing = new ConcurrentHashMap<>();
    /**
     * Who retrieves a call that this node's carrier is moving here right now (call id to {@link ParkedCall#resolvedBy}):
     * the carrier may end it in the move ({@link #carryAndEnd}, from its own thread) without knowing the retriever.
     */
    private final Map<String, String> retrievers = new ConcurrentHashMap<>();
    private final Map<String, Set<Delivery>> deliveries = new ConcurrentHashMap<>();
    private volatile RecallDialer dialer;
    private volatile CallCarrier carrier;
    private final AtomicLong sequence = new AtomicLong();
    private final AutoCloseable watch;

    private record Armed(long version, Timers.Timer timer) {
    }

    /** The recall step this node is ringing for one call. */
    private record ActiveRing(long version, int attempt, RecallTarget target, RecallDialer.Ringing ringing) {
    }

    @Activate
    public CallParkServiceImpl(@Reference DirectoryService directory, @Reference SlotStore store) {
        this(directory, store, Timers.system("callpark-timer"), Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "callpark-events");
            t.setDaemon(true);
            return t;
        }));
    }

    CallParkServiceImpl(DirectoryService directory, SlotStore store, Timers timers, ExecutorService dispatcher) {
        this.directory = directory;
        this.store = store;
        this.timers = timers;
        this.dispatcher = dispatcher;
        this.watch = store.watch(this::onStoreChange);
        resumeOwnCalls();
    }

    @Deactivate
    void deactivate() {
        try {
            watch.close();
        } catch (Exception e) {
            LOG.debug("Closing the store watch failed", e);
        }
        armed.values().forEach(a -> a.timer().cancel());
        armed.clear();
        ringing.values().forEach(r -> r.ringing().cancel());
        ringing.clear();
        deliveries.values().forEach(set -> set.forEach(d -> d.give(Reason.UNREACHABLE, "the park service stopped")));
        deliveries.clear();
        timers.close();
        dispatcher.shutdown();
    }

    @Reference(service = ParkEventListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addListener(ParkEventListener listener) {
        listeners.add(listener);
    }

    void removeListener(ParkEventListener listener) {
        listeners.remove(listener);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setDialer(RecallDialer dialer) {
        this.dialer = dialer;
    }

    void unsetDialer(RecallDialer dialer) {
        if (this.dialer == dialer) {
            this.dialer = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setCarrier(CallCarrier carrier) {
        this.carrier = carrier;
    }

    void unsetCarrier(CallCarrier carrier) {
        if (this.carrier == carrier) {
            this.carrier = null;
        }
    }

    /** How long a retrieve or send waits for a call carried by another node to be moved here. */
    static final Duration BRING_HERE_TIMEOUT = Duration.ofSeconds(3);

    // ---------------------------------------------------------------- park

    @Override
    public ParkedCall park(ParkRequest request) throws ParkException {
        Directory dir = directory.current();
        Tenant tenant = tenant(dir, request.tenant());
        TenantId tid = tenant.id();
        String parker = request.parker();
        if (parker != null && dir.user(tid, parker).isEmpty()) {
            throw new ParkException(Reason.NOT_PERMITTED,
                    "extension " + parker + " is not a user of tenant '" + tid + "'");
        }
        Optional<ParkGroup> parkersGroup = dir.parkGroupOf(tid, parker);
        SlotId slot;
        ParkGroup rulesFrom;
        switch (request.target().kind()) {
            case OWN_EXTENSION -> {
                if (parker == null) {
                    throw new ParkException(Reason.NO_FREE_SLOT, "the parker is unknown, so there is no own slot");
                }
                slot = SlotId.extension(tid, parker);
                rulesFrom = parkersGroup.orElse(null);
            }
            case EXTENSION -> {
                String ext = request.target().value();
                if (dir.user(tid, ext).isEmpty()) {
                    throw new ParkException(Reason.NOT_FOUND, "no extension " + ext + " in tenant '" + tid + "'");
                }
                slot = SlotId.extension(tid, ext);
                rulesFrom = parkersGroup.orElse(null);
            }
            case OWN_GROUP -> {
                if (parker == null) {
                    throw new ParkException(Reason.NO_FREE_SLOT, "the parker is unknown, so there is no own park group");
                }
                rulesFrom = parkersGroup.orElseThrow(() -> new ParkException(Reason.NO_FREE_SLOT,
                        "extension " + parker + " is in no park group"));
                slot = rulesFrom.slot();
            }
            case GROUP -> {
                String name = request.target().value();
                rulesFrom = dir.parkGroup(tid, name).orElseThrow(
                        () -> new ParkException(Reason.NOT_FOUND, "no park group '" + name + "' in tenant '" + tid + "'"));
                if (rulesFrom.disabled()) {
                    throw new ParkException(Reason.SLOT_OCCUPIED,
                            "park group '" + rulesFrom.name() + "' was removed and takes no new calls");
                }
                slot = rulesFrom.slot();
            }
            default -> throw new IllegalStateException("unknown target " + request.target());
        }
        RecallPolicy policy = FinalDestination.applied(
                rulesFrom != null ? policyOf(dir, rulesFrom) : tenant.recallDefaults(), dir, tenant, rulesFrom);
        Instant now = timers.now();
        ParkedCall call = new ParkedCall(UUID.randomUUID().toString(), slot, request.caller(), parker,
                rulesFrom == null ? "" : rulesFrom.name(), now, sequence.incrementAndGet(), CallState.PARKED, null, 0,
                policy, store.localNode(), request.leg(), now.plus(policy.ringDuration()), 1, null, request.session(),
                "", request.parkerVerified());
        store.insert(call);
        LOG.debug("Parked {} on {} by {}{}", call.id(), slot, parker,
                call.parkerVerified() ? "" : " (unverified: the recall does not ring it)");
        return call;
    }

    private static RecallPolicy policyOf(Directory dir, ParkGroup group) {
        List<String> ringMembers = group.recallTo().needsRingGroup()
                ? dir.ringGroup(group.tenant(), group.ringGroup()).map(RingGroup::members).orElse(List.of())
                : List.of();
        return new RecallPolicy(group.recallTo(), group.recallTo().needsRingGroup() ? group.ringGroup() : null,
                ringMembers, group.ringDuration(), group.waitBeforeRingGroup(), group.retries());
    }

    private static Tenant tenant(Directory dir, TenantId id) throws ParkException {
        return dir.tenant(id).orElseThrow(() -> new ParkException(Reason.NOT_FOUND, "no tenant '" + id + "'"));
    }

    // ---------------------------------------------------------------- retrieve

    @Override
    public ParkedCall retrieve(RetrieveRequest request) throws ParkException {
        return retrieve(request, request.byAdministrator() ? ADMIN : request.requester());
    }

    /** {@link #retrieve(RetrieveRequest)}, the call ending {@link ParkedCall#resolvedBy() resolved by} {@code by}. */
    private ParkedCall retrieve(RetrieveRequest request, String by) throws ParkException {
        Directory dir = directory.current();
        TenantId tid = checkRequester(dir, request);
        if (request.target().kind() == RetrieveTarget.Kind.CALL) {
            ParkedCall call = namedCall(dir, tid, request);
            if (!onNode(call.node(), request)) {
                call = bringHere(call, request, by).orElseThrow(() -> new ParkException(Reason.SLOT_EMPTY,
                        "call " + id(request) + " could not be moved to this node"));
                if (!call.isLive()) {
                    return call; // taken in the move itself
                }
            }
            String id = call.id();
            return take(id, Resolution.ANSWERED, by).orElseThrow(() -> new ParkException(Reason.SLOT_EMPTY,
                    "call " + id + " was taken by someone else"));
        }
        List<SlotId> slots = slotsOf(dir, tid, request);
        for (SlotId slot : slots) {
            Optional<ParkedCall> taken = first(slot, candidate -> {
                if (!onNode(candidate.node(), request)) {
                    // Carried by another node: bring the caller here first (media is bridged on one node), then take
                    // it like a local call. If it cannot be moved, the next one in the queue is tried.
                    Optional<ParkedCall> live = store.get(candidate.id()).filter(ParkedCall::isLive);
                    Optional<ParkedCall> moved = live.isEmpty() ? Optional.empty()
                            : bringHere(live.get(), request, by);
                    if (moved.isEmpty() || !moved.get().isLive()) {
                        return moved; // not movable: the next one; or moved here and taken at once
                    }
                }
                return take(candidate.id(), Resolution.ANSWERED, by);
            });
            if (taken.isPresent()) {
                LOG.debug("Retrieved {} from {} by {}", taken.get().id(), slot, request.requester());
                return taken.get();
            }
        }
        throw new ParkException(Reason.SLOT_EMPTY, "nothing is parked on " + describe(dir, slots));
    }

    /** The request's tenant, after checking that the requester (if any) is one of its users. */
    private static TenantId checkRequester(Directory dir, RetrieveRequest request) throws ParkException {
        TenantId tid = tenant(dir, request.tenant()).id();
        String requester = request.requester();
        if (requester != null && dir.user(tid, requester).isEmpty()) {
            throw new ParkException(Reason.NOT_PERMITTED,
                    "extension " + requester + " is not a user of tenant '" + tid + "'");
        }
        return tid;
    }

    /** The slots a slot-naming request looks in, in order, after checking that the requester may look there. */
    private static List<SlotId> slotsOf(Directory dir, TenantId tid, RetrieveRequest request) throws ParkException {
        String requester = request.requester();
        List<SlotId> slots = new ArrayList<>(2);
        switch (request.target().kind()) {
            case OWN -> {
                if (requester == null) {
                    throw ParkException.invalid("target", "an administrator has no own slot: name an extension or group");
                }
                slots.add(SlotId.extension(tid, requester));
                dir.parkGroupOf(tid, requester).ifPresent(g -> slots.add(g.slot()));
            }
            case EXTENSION, GROUP -> slots.add(dir.slotFor(tid, requester, request.target()));
            default -> throw new IllegalStateException("not a slot target: " + request.target());
        }
        return slots;
    }

    /** The live call a {@code CALL} request names, after checking that the requester may take it. */
    private ParkedCall namedCall(Directory dir, TenantId tid, RetrieveRequest request) throws ParkException {
        String id = request.target().value();
        ParkedCall call = store.get(id).filter(ParkedCall::isLive)
                .orElseThrow(() -> new ParkException(Reason.SLOT_EMPTY, "call " + id + " is not parked any more"));
        if (!call.tenant().equals(tid)) {
            // Another tenant's call: do not even say that it exists.
            throw new ParkException(Reason.SLOT_EMPTY, "call " + id + " is not parked any more");
        }
        if (call.slot().kind() == SlotKind.GROUP) {
            Optional<ParkGroup> group = dir.parkGroup(tid, call.slot().name());
            if (group.isPresent()) {
                checkMember(group.get(), request.requester());
            }
        }
        return call;
    }

    private static String id(RetrieveRequest request) {
        return request.target().value();
    }

    /**
     * Asks this node's carrier to move a call that another node carries to the node {@code request} must connect it
     * on; empty if there is no carrier here or the call could not be moved. The carrier may hand it over already taken
     * for this retriever (ended {@code ANSWERED}, see {@link CallCarrier#bringHere(ParkedCall, Duration, Resolution)}).
     */
    private Optional<ParkedCall> bringHere(ParkedCall call, RetrieveRequest request, String by) {
        CallCarrier c = carrier;
        if (c == null || request.node() == null || !request.node().equals(store.localNode())) {
            return Optional.empty();
        }
        Optional<ParkedCall> moved;
        retrievers.put(call.id(), by);
        try {
            moved = c.bringHere(call, BRING_HERE_TIMEOUT, Resolution.ANSWERED);
        } finally {
            retrievers.remove(call.id(), by);
        }
        LOG.debug("Call {} carried by {} {} to this node", call.id(), call.node(),
                moved.isPresent() ? "moved" : "could not be moved");
        Optional<ParkedCall> here = moved.filter(m -> request.node().equals(m.node()));
        if (here.isPresent() && !here.get().isLive() && here.get().resolution() != Resolution.ANSWERED) {
            throw new IllegalStateException("carrier ended call " + call.id() + " as " + here.get().resolution());
        }
        return here;
    }

    private static boolean onNode(String node, RetrieveRequest request) {
        return request.node() == null || request.node().equals(node);
    }

    private static void checkMember(ParkGroup group, String requester) throws ParkException {
        if (requester != null && !group.hasMember(requester)) {
            throw new ParkException(Reason.NOT_PERMITTED,
                    "extension " + requester + " is not a member of park group '" + group.name() + "'");
        }
    }

    private static String describe(Directory dir, List<SlotId> slots) {
        List<String> names = new ArrayList<>();
        for (SlotId slot : slots) {
            names.add(slot.kind() == SlotKind.EXTENSION ? slot.name()
                    : "park group '" + dir.parkGroup(slot.tenant(), slot.name()).map(ParkGroup::name)
                            .orElse(slot.name()) + "'");
        }
        return String.join(" or ", names);
    }

    /**
     * Ends one live call with {@code how}, {@link ParkedCall#resolvedBy() resolved by} {@code by}; empty if it was not
     * live any more (someone else won).
     */
    private Optional<ParkedCall> take(String callId, Resolution how, String by) throws ParkException {
        Optional<ParkedCall> ended = store.update(callId, c -> c.isLive() ? c.ended(how, by) : null);
        if (ended.isPresent()) {
            forget(callId);
        }
        return ended;
    }

    // ---------------------------------------------------------------- send to an extension

    @Override
    public CompletionStage<ParkedCall> sendTo(RetrieveRequest request, String extension, Duration ringFor)
            throws ParkException {
        checkRingFor(ringFor);
        Directory dir = directory.current();
        TenantId tid = checkRequester(dir, request);
        if (extension == null || dir.user(tid, extension).isEmpty()) {
            throw new ParkException(Reason.NOT_FOUND, "no extension " + extension + " in tenant '" + tid + "'");
        }
        return deliver(dir, tid, request, extension, ringFor);
    }

    @Override
    public CompletionStage<ParkedCall> sendToUri(RetrieveRequest request, String destination, Duration ringFor)
            throws ParkException {
        checkRingFor(ringFor);
        Directory dir = directory.current();
        TenantId tid = checkRequester(dir, request);
        FinalDestination d;
        try {
            d = FinalDestination.parse(destination == null ? "" : destination);
        } catch (IllegalArgumentException e) {
            throw ParkException.invalid("destination", e.getMessage());
        }
        if (d.kind() != FinalDestination.Kind.SIP_URI) {
            throw ParkException.invalid("destination", "must be a sip: URI: " + destination);
        }
        String host = d.host().toLowerCase(Locale.ROOT);
        if (dir.tenants().stream().anyMatch(t -> t.domains().contains(host))) {
            throw ParkException.invalid("destination", "calls domain '" + host + "' of a tenant of this server");
        }
        return deliver(dir, tid, request, d.value(), ringFor);
    }

    private static void checkRingFor(Duration ringFor) throws ParkException {
        if (ringFor == null || ringFor.isZero() || ringFor.isNegative()) {
            throw ParkException.invalid("ringFor", "must be a positive duration");
        }
    }

    /** Rings {@code extension} (a user, or a checked {@code sip:} URI) for the request's call; see {@link #sendTo}. */
    private CompletionStage<ParkedCall> deliver(Directory dir, TenantId tid, RetrieveRequest request, String extension,
            Duration ringFor) throws ParkException {
        RecallDialer d = dialer;
        if (d == null) {
            throw new ParkException(Reason.UNREACHABLE, "no phone can be called from this node (no SIP server)");
        }
        ParkedCall chosen = chosenCall(dir, tid, request);
        // The extension is rung from this node and bridged here: a call carried elsewhere is moved here first (the
        // caller keeps hearing music, now from this node).
        ParkedCall call = store.localNode().equals(chosen.node()) ? chosen
                : bringHere(chosen, new RetrieveRequest(tid, request.requester(), request.target(), store.localNode()),
                        extension)
                        .orElseThrow(() -> new ParkException(Reason.UNREACHABLE, "call " + chosen.id()
                                + " is held by cluster node " + chosen.node() + " and could not be moved here"));
        // On answer the call is taken by id, on the requester's behalf (the rules are checked again then).
        RetrieveRequest take = new RetrieveRequest(tid, request.requester(), RetrieveTarget.call(call.id()),
                store.localNode());
        Delivery delivery = new Delivery(call.id(), extension);
        deliveries.computeIfAbsent(call.id(), k -> ConcurrentHashMap.newKeySet()).add(delivery);
        delivery.timeout = timers.schedule(timers.now().plus(ringFor),
                () -> delivery.give(Reason.UNREACHABLE, "extension " + extension + " did not answer within "
                        + ringFor.toSeconds() + " s"));
        RecallDialer.Outcome outcome = new RecallDialer.Outcome() {
            @Override
            public boolean answered(String answeredBy) {
                if (!delivery.claimed.compareAndSet(false, true)) {
                    return false;
                }
                delivery.finish();
                try {
                    ParkedCall taken = retrieve(take, extension);
                    LOG.debug("Call {} sent to {}: answered", call.id(), answeredBy);
                    delivery.result.complete(taken);
                    return true;
                } catch (ParkException e) {
                    LOG.debug("Call {} sent to {}: answered, but {}", call.id(), answeredBy, e.getMessage());
                    delivery.result.completeExceptionally(new ParkException(Reason.SLOT_EMPTY,
                            "call " + call.id() + " was taken or ended while " + extension + " rang"));
                    return false;
                }
            }

            @Override
            public void failed(RecallDialer.Failure failure) {
                delivery.give(Reason.UNREACHABLE, "extension " + extension + " could not take the call: "
                        + failure.name().toLowerCase(Locale.ROOT));
            }
        };
        try {
            delivery.attach(d.ring(call, List.of(extension), ringFor, outcome));
        } catch (RuntimeException e) {
            delivery.give(Reason.UNREACHABLE, "extension " + extension + " cannot be called: " + e.getMessage());
        }
        LOG.debug("Sending call {} to {} (requested by {})", call.id(), extension,
                request.byAdministrator() ? "an administrator" : request.requester());
        return delivery.result;
    }

    /** What to make of one of a slot's queued calls: the call, or empty to try the next one. */
    @FunctionalInterface
    private interface Pick {
        Optional<ParkedCall> from(SlotStore.Queued candidate) throws ParkException;
    }

    /**
     * The first of the slot's queued calls, first parked first, that {@code pick} makes something of. The queue may
     * come from this node's view of the slots, which can lag behind another node: when none of its calls could be
     * picked, the records are asked once, and the calls already tried are not tried again.
     */
    private Optional<ParkedCall> first(SlotId slot, Pick pick) throws ParkException {
        List<SlotStore.Queued> queue = store.queue(slot);
        for (SlotStore.Queued candidate : queue) {
            Optional<ParkedCall> picked = pick.from(candidate);
            if (picked.isPresent()) {
                return picked;
            }
        }
        if (queue.isEmpty()) {
            return Optional.empty();
        }
        Set<String> tried = new HashSet<>();
        queue.forEach(q -> tried.add(q.id()));
        for (SlotStore.Queued candidate : store.queueFromRecords(slot)) {
            if (tried.add(candidate.id())) {
                Optional<ParkedCall> picked = pick.from(candidate);
                if (picked.isPresent()) {
                    return picked;
                }
            }
        }
        return Optional.empty();
    }

    /** The call a send request delivers: the named one, or the longest-waiting one of the slots it names. */
    private ParkedCall chosenCall(Directory dir, TenantId tid, RetrieveRequest request) throws ParkException {
        if (request.target().kind() == RetrieveTarget.Kind.CALL) {
            return namedCall(dir, tid, request);
        }
        List<SlotId> slots = slotsOf(dir, tid, request);
        for (SlotId slot : slots) {
            Optional<ParkedCall> live = first(slot, candidate -> store.get(candidate.id()).filter(ParkedCall::isLive));
            if (live.isPresent()) {
                return live.get();
            }
        }
        throw new ParkException(Reason.SLOT_EMPTY, "nothing is parked on " + describe(dir, slots));
    }

    /** One extension ringing for one call; exactly one of answer, failure, time-out, call ended or stop settles it. */
    private final class Delivery {
        final String callId;
        final String extension;
        final CompletableFuture<ParkedCall> result = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile Timers.Timer timeout;
        private RecallDialer.Ringing ringing; // guarded by this
        private boolean gaveUp; // guarded by this

        Delivery(String callId, String extension) {
            this.callId = callId;
            this.extension = extension;
        }

        /** The dialer's handle; cancelled at once if the delivery gave up before the dialer returned it. */
        void attach(RecallDialer.Ringing handle) {
            boolean cancel;
            synchronized (this) {
                ringing = handle;
                cancel = gaveUp;
            }
            if (cancel) {
                handle.cancel();
            }
        }

        /** Gives up (unless already settled): stops ringing and fails the result. */
        void give(Reason reason, String message) {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            finish();
            RecallDialer.Ringing r;
            synchronized (this) {
                gaveUp = true;
                r = ringing;
            }
            if (r != null) {
                r.cancel();
            }
            LOG.debug("Sending call {} to {} ended: {}", callId, extension, message);
            result.completeExceptionally(new ParkException(reason, message));
        }

        /** Settled: no more timer, not listed any more. */
        void finish() {
            Timers.Timer t = timeout;
            if (t != null) {
                t.cancel();
            }
            deliveries.computeIfPresent(callId, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** A call ended or left this node: every extension still ringing for it is stopped. */
    private void stopDeliveries(String callId) {
        Set<Delivery> set = deliveries.get(callId);
        if (set != null) {
            for (Delivery d : List.copyOf(set)) {
                d.give(Reason.SLOT_EMPTY, "call " + callId + " was taken or ended while " + d.extension + " rang");
            }
        }
    }

    // ---------------------------------------------------------------- recall answer, end

    @Override
    public ParkedCall answerRecall(String callId, int attempt) throws ParkException {
        Optional<ParkedCall> ended = store.update(callId, c -> c.state() == CallState.RECALLING
                && c.recallAttempt() == attempt ? c.ended(Resolution.RECALLED, recalledTo(c)) : null);
        if (ended.isPresent()) {
            forget(callId);
            return ended.get();
        }
        if (store.get(callId).filter(ParkedCall::isLive).isPresent()) {
            throw new ParkException(Reason.CONFLICT, "call " + callId + " is not ringing recall attempt " + attempt);
        }
        throw new ParkException(Reason.NOT_FOUND, "call " + callId + " is not parked any more");
    }

    /**
     * Who answered a recall, for the history: the parker, the ring group (its member that answered is not passed
     * through {@link #answerRecall}), or the final destination ({@code final <destination as configured>}).
     */
    private static String recalledTo(ParkedCall c) {
        return switch (c.recallTarget()) {
            case RING_GROUP -> "ring group " + c.recall().ringGroup();
            case FINAL_DESTINATION -> "final " + c.recall().finalDestination();
            default -> c.parkedBy();
        };
    }

    @Override
    public ParkedCall end(String callId, Resolution resolution) throws ParkException {
        if (resolution == Resolution.ANSWERED || resolution == Resolution.RECALLED) {
            throw ParkException.invalid("resolution", resolution + " is given by a retrieve or an answered recall");
        }
        // FORCED comes from an administrator (shell park:hangup, REST); who it was is not passed through this API.
        return take(callId, resolution, resolution == Resolution.FORCED ? ADMIN : "").orElseThrow(
                () -> new ParkException(Reason.NOT_FOUND, "call " + callId + " is not parked any more"));
    }

    @Override
    public Optional<ParkedCall> carry(String callId, long expectedVersion, String node, String leg, String session)
            throws ParkException {
        return store.update(callId, c -> c.isLive() && c.version() == expectedVersion
                ? c.carried(node, leg, session) : null);
    }

    @Override
    public Optional<ParkedCall> carryAndEnd(String callId, long expectedVersion, String node, String leg,
            String session, Resolution how) throws ParkException {
        Objects.requireNonNull(how, "how");
        String by = how == Resolution.ANSWERED ? retrievers.getOrDefault(callId, "") : "";
        Optional<ParkedCall> ended = store.update(callId, c -> c.isLive() && c.version() == expectedVersion
                ? c.carriedAndEnded(node, leg, session, how, by) : null);
        if (ended.isPresent()) {
            forget(callId);
        }
        return ended;
    }

    @Override
    public ParkedCall restore(ParkedCall call) throws ParkException {
        if (!call.isLive()) {
            throw ParkException.invalid("call", "only a live call can be restored");
        }
        ParkedCall restored = call.carried(store.localNode(), call.leg(), call.session());
        store.insert(restored);
        LOG.info("Restored call {} on {} from this node's journal", call.id(), call.slot());
        return restored;
    }

    /**
     * Removes an ended call from the store, without waiting: its final event was already published through the watch,
     * and every reader skips ended records.
     */
    private void forget(String callId) {
        try {
            store.forget(callId);
        } catch (ParkException e) {
            LOG.debug("Could not delete ended call {}: {}", callId, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- queries

    @Override
    public List<ParkedCall> list() throws ParkException {
        return live(store.all());
    }

    @Override
    public List<ParkedCall> list(TenantId tenant) throws ParkException {
        return live(store.find(tenant));
    }

    @Override
    public List<ParkedCall> list(SlotId slot) throws ParkException {
        return live(store.find(slot));
    }

    @Override
    public Optional<ParkedCall> find(String callId) throws ParkException {
        return store.get(callId).filter(ParkedCall::isLive);
    }

    private static List<ParkedCall> live(List<ParkedCall> calls) {
        List<ParkedCall> result = new ArrayList<>(calls);
        result.removeIf(c -> !c.isLive());
        result.sort(CallChanges.FIFO);
        return result;
    }

    // ---------------------------------------------------------------- events and timers

    private void onStoreChange(ParkedCall before, ParkedCall after) {
        ParkedCall current = after != null ? after : before;
        movedBetweenNodes(before, after);
        if (current != null && store.localNode().equals(current.node())) {
            if (after != null && after.isLive() && after.nextActionAt() != null) {
                arm(after);
            } else {
                disarm(current.id());
            }
            stopStaleRinging(current.id(), after);
        }
        if (current != null && (after == null || !after.isLive())) {
            stopDeliveries(current.id());
        }
        Optional<ParkEvent.Type> type = CallChanges.typeOf(before, after);
        if (type.isPresent()) {
            ParkEvent event = new ParkEvent(type.get(), after, timers.now());
            try {
                dispatcher.execute(() -> deliver(event));
            } catch (RejectedExecutionException e) {
                LOG.debug("Event {} after shutdown dropped", event.type());
            }
        }
    }

    /**
     * A call that another node carries now is none of this node's business: its timer and a recall step ringing here
     * stop (the new carrier runs them). A call that arrives here while a recall step rings rings on from here for the
     * rest of the step.
     */
    private void movedBetweenNodes(ParkedCall before, ParkedCall after) {
        if (before == null || after == null || before.node().equals(after.node())) {
            return;
        }
        String here = store.localNode();
        if (here.equals(before.node())) {
            disarm(after.id());
            cancelRinging(after.id());
        } else if (here.equals(after.node()) && after.state() == CallState.RECALLING) {
            String id = after.id();
            int attempt = after.recallAttempt();
            timers.schedule(timers.now(), () -> {
                try {
                    store.get(id).filter(c -> c.state() == CallState.RECALLING && c.recallAttempt() == attempt
                            && here.equals(c.node()) && !ringing.containsKey(id)).ifPresent(this::startRinging);
                } catch (ParkException | RuntimeException e) {
                    LOG.debug("Ringing on for moved call {}: {}", id, e.toString());
                }
            });
        }
    }

    private void deliver(ParkEvent event) {
        for (ParkEventListener listener : listeners) {
            try {
                listener.onParkEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("Park event listener {} failed on {}: {}", listener, event.type(), e.toString());
            }
        }
    }

    /** After a (re)start: takes up the timers of the calls this node owns and clears ended leftovers. */
    private void resumeOwnCalls() {
        try {
            for (ParkedCall call : store.all()) {
                if (!store.localNode().equals(call.node())) {
                    continue;
                }
                if (!call.isLive()) {
                    forget(call.id());
                } else if (call.nextActionAt() != null) {
                    arm(call);
                }
            }
        } catch (ParkException e) {
            LOG.warn("Could not resume the timers of parked calls: {}", e.getMessage());
        }
    }

    private void arm(ParkedCall call) {
        armed.compute(call.id(), (id, previous) -> {
            if (previous != null) {
                if (previous.version() >= call.version()) {
                    return previous;
                }
                previous.timer().cancel();
            }
            long version = call.version();
            return new Armed(version, timers.schedule(call.nextActionAt(), () -> due(id, version)));
        });
    }

    private void disarm(String callId) {
        Armed previous = armed.remove(callId);
        if (previous != null) {
            previous.timer().cancel();
        }
    }

    private void due(String callId, long version) {
        armed.computeIfPresent(callId, (id, a) -> a.version() == version ? null : a);
        try {
            Instant now = timers.now();
            Optional<ParkedCall> next = store.update(callId,
                    c -> c.version() == version && c.isLive() ? ladder.onDue(c, now) : null);
            next.ifPresent(this::afterStep);
        } catch (ParkException | RuntimeException e) {
            LOG.warn("Recall step of call {} failed, retrying in 1 s: {}", callId, e.getMessage());
            timers.schedule(timers.now().plusSeconds(1), () -> due(callId, version));
        }
    }

    // ---------------------------------------------------------------- recall ringing

    /** After this node applied a ladder step: ring the new step's targets, or clean up an ended call. */
    private void afterStep(ParkedCall call) {
        cancelRinging(call.id());
        if (!call.isLive()) {
            forget(call.id());
        } else if (call.state() == CallState.RECALLING) {
            startRinging(call);
        }
    }

    private void startRinging(ParkedCall call) {
        List<String> targets = RecallLadder.targetsOf(call);
        RecallDialer d = dialer;
        int attempt = call.recallAttempt();
        RecallTarget target = call.recallTarget();
        if (d == null || targets.isEmpty()) {
            LOG.debug("Recall {} attempt {} of {}: nobody to ring ({}), moving on", call.id(), attempt, target,
                    d == null ? "no dialer" : "no targets");
            stepFailedLater(call.id(), attempt, target);
            return;
        }
        RecallDialer.Outcome outcome = new RecallDialer.Outcome() {
            @Override
            public boolean answered(String extension) {
                try {
                    answerRecall(call.id(), attempt);
                    LOG.debug("Recall of {} answered by {}", call.id(), extension);
                    return true;
                } catch (ParkException e) {
                    LOG.debug("Recall answer by {} for {} refused: {}", extension, call.id(), e.getMessage());
                    return false;
                }
            }

            @Override
            public void failed(RecallDialer.Failure failure) {
                LOG.debug("Recall {} attempt {} of {} failed: {}", call.id(), attempt, target, failure);
                stepFailedLater(call.id(), attempt, target);
            }
        };
        try {
            RecallDialer.Ringing handle = d.ring(call, targets, RecallLadder.stepDuration(call, timers.now()), outcome);
            ringing.put(call.id(), new ActiveRing(call.version(), attempt, target, handle));
        } catch (RuntimeException e) {
            LOG.warn("Recall dialer failed for call {}: {}", call.id(), e.toString());
            stepFailedLater(call.id(), attempt, target);
        }
    }

    /** Moves the ladder on from a step that failed early, on the timer thread (never inside a dialer callback). */
    private void stepFailedLater(String callId, int attempt, RecallTarget target) {
        timers.schedule(timers.now(), () -> {
            try {
                Instant now = timers.now();
                store.update(callId, c -> c.state() == CallState.RECALLING && c.recallAttempt() == attempt
                        && c.recallTarget() == target ? ladder.stepFailed(c, now) : null).ifPresent(this::afterStep);
            } catch (ParkException | RuntimeException e) {
                LOG.warn("Recall step of call {} failed: {}", callId, e.getMessage());
            }
        });
    }

    private void cancelRinging(String callId) {
        ActiveRing active = ringing.remove(callId);
        if (active != null) {
            active.ringing().cancel();
        }
    }

    /** Stops ringing for a call that ended or moved to another step elsewhere (e.g. retrieved on another node). */
    private void stopStaleRinging(String callId, ParkedCall after) {
        ActiveRing active = ringing.get(callId);
        if (active == null) {
            return;
        }
        boolean stillRinging = after != null && after.state() == CallState.RECALLING
                && after.recallAttempt() == active.attempt() && after.recallTarget() == active.target();
        if (!stillRinging && (after == null || after.version() > active.version())) {
            if (ringing.remove(callId, active)) {
                active.ringing().cancel();
            }
        }
    }
}
