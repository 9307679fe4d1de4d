package org.callpark.ui.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.callpark.api.CallParkService;
import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.internal.DemoDirectory;
import org.callpark.internal.directory.DirectoryValidator;

/**
 * The demo directory (park-bundle's {@link DemoDirectory}), a directory service that validates with the real rules,
 * and a list-only park service.
 */
final class Fixtures {

    static final TenantId DEFAULT = DemoDirectory.DEFAULT;
    static final TenantId ACME = DemoDirectory.ACME;

    static final Caller ADMIN = new Caller("karaf", Set.of("admin", "viewer"));
    static final Caller VIEWER = new Caller("reception", Set.of("viewer"));
    static final Caller ACME_ADMIN = new Caller("acme", Set.of("admin", "callpark-tenant-acme"));

    private Fixtures() {
    }

    static Directory demo() {
        return DemoDirectory.build();
    }

    /** {@code d} with the web user {@code login} linked to {@code ext} of {@code tenant} ("" unlinks it). */
    static Directory linked(Directory d, TenantId tenant, String ext, String login) {
        List<org.callpark.api.User> users = d.allUsers().stream().map(u -> u.tenant().equals(tenant)
                && u.extension().equals(ext) ? new org.callpark.api.User(u.tenant(), u.extension(), u.displayName(),
                        u.sipPassword(), u.jid(), u.ha1(), login) : u).toList();
        return new Directory(d.defaultTenant(), d.tenants(), users, d.allRingGroups(), d.allParkGroups());
    }

    static ParkedCall parked(String id, SlotId slot, long version) {
        return new ParkedCall(id, slot, CallerId.of("+4930123", "Customer <b>"), "101", "Sales",
                Instant.parse("2026-11-25T19:00:00Z"), 1, CallState.PARKED, null, 0,
                new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(45), Duration.ofSeconds(30),
                        3),
                "node-1", "leg-" + id, null, version);
    }

    static ApiRequest request(Caller caller, String method, Map<String, String> path, String body) {
        return new ApiRequest(caller, method, path, Map.of(),
                body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Validates with the directory's real rules; applies a valid candidate (no ConfigAdmin). */
    static final class Directories implements DirectoryService {
        volatile Directory current = demo();
        final List<Directory> updates = new ArrayList<>();

        @Override
        public Directory current() {
            return current;
        }

        @Override
        public List<ParkException.Violation> validate(Directory candidate) {
            return new DirectoryValidator().validate(candidate);
        }

        @Override
        public synchronized void update(Directory candidate) throws ParkException {
            List<ParkException.Violation> v = validate(candidate);
            if (!v.isEmpty()) {
                throw ParkException.invalid(v);
            }
            updates.add(candidate);
            current = candidate;
        }
    }

    /** Lists a fixed set of calls; ends calls on request. */
    static class Park implements CallParkService {
        @Override
        public java.util.Optional<org.callpark.api.ParkedCall> carry(String callId, long expectedVersion, String node,
                String leg, String session) {
            throw new UnsupportedOperationException("not used by these tests");
        }

        @Override
        public java.util.Optional<org.callpark.api.ParkedCall> carryAndEnd(String callId, long expectedVersion,
                String node, String leg, String session, org.callpark.api.Resolution how) {
            throw new UnsupportedOperationException("not used by these tests");
        }

        @Override
        public org.callpark.api.ParkedCall restore(org.callpark.api.ParkedCall call) {
            throw new UnsupportedOperationException("not used by these tests");
        }

        final List<ParkedCall> calls = new ArrayList<>();
        final List<String> ended = new ArrayList<>();

        @Override
        public ParkedCall park(ParkRequest request) throws ParkException {
            throw new UnsupportedOperationException();
        }

        @Override
        public ParkedCall retrieve(RetrieveRequest request) throws ParkException {
            throw new UnsupportedOperationException();
        }

        @Override
        public ParkedCall answerRecall(String callId, int attempt) throws ParkException {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized ParkedCall end(String callId, Resolution resolution) throws ParkException {
            ParkedCall c = find(callId).orElseThrow(() -> new ParkException(ParkException.Reason.NOT_FOUND, callId));
            calls.remove(c);
            ended.add(callId + ":" + resolution);
            return c.ended(resolution);
        }

        @Override
        public java.util.concurrent.CompletionStage<ParkedCall> sendTo(RetrieveRequest request, String extension,
                Duration ringFor) throws ParkException {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.CompletionStage<ParkedCall> sendToUri(RetrieveRequest request, String destination,
                Duration ringFor) {
            throw new UnsupportedOperationException("the web admin does not send calls outside the directory");
        }

        @Override
        public synchronized List<ParkedCall> list() {
            return List.copyOf(calls);
        }

        @Override
        public synchronized List<ParkedCall> list(TenantId tenant) {
            return calls.stream().filter(c -> c.tenant().equals(tenant)).toList();
        }

        @Override
        public synchronized List<ParkedCall> list(SlotId slot) {
            return calls.stream().filter(c -> c.slot().equals(slot)).toList();
        }

        @Override
        public synchronized Optional<ParkedCall> find(String callId) {
            return calls.stream().filter(c -> c.id().equals(callId)).findFirst();
        }
    }
}
