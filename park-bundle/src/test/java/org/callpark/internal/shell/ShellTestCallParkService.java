package org.callpark.internal.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.callpark.api.CallParkService;
import org.callpark.api.ParkException;
import org.callpark.api.ParkRequest;
import org.callpark.api.ParkedCall;
import org.callpark.api.Resolution;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;

/** A hand-written CallParkService for the shell tests: a list of live calls, recording every {@code end}. */
public class ShellTestCallParkService implements CallParkService {
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


    /** One {@code end(callId, resolution)} the shell made. */
    public record EndCall(String callId, Resolution resolution) {
    }

    private final List<ParkedCall> live = new ArrayList<>();
    public final List<EndCall> ends = new ArrayList<>();
    /** When set, every method throws it (e.g. the cluster store is down). */
    public ParkException failure;
    /** When set, {@code end} throws it (e.g. the call was retrieved in the meantime). */
    public ParkException endFailure;

    public ShellTestCallParkService(List<ParkedCall> calls) {
        live.addAll(calls);
    }

    private void check() throws ParkException {
        if (failure != null) {
            throw failure;
        }
    }

    private List<ParkedCall> oldestFirst(java.util.function.Predicate<ParkedCall> which) {
        return live.stream().filter(which)
                .sorted(Comparator.comparing(ParkedCall::parkedAt).thenComparingLong(ParkedCall::sequence))
                .collect(Collectors.toList());
    }

    @Override
    public ParkedCall park(ParkRequest request) {
        throw new UnsupportedOperationException("the shell does not park");
    }

    @Override
    public ParkedCall retrieve(RetrieveRequest request) {
        throw new UnsupportedOperationException("the shell does not retrieve");
    }

    @Override
    public java.util.concurrent.CompletionStage<ParkedCall> sendTo(RetrieveRequest request, String extension,
            java.time.Duration ringFor) {
        throw new UnsupportedOperationException("the shell does not send calls");
    }

    @Override
    public java.util.concurrent.CompletionStage<ParkedCall> sendToUri(RetrieveRequest request, String destination,
            java.time.Duration ringFor) {
        throw new UnsupportedOperationException("the shell does not send calls");
    }

    @Override
    public ParkedCall answerRecall(String callId, int attempt) {
        throw new UnsupportedOperationException("the shell does not answer recalls");
    }

    @Override
    public ParkedCall end(String callId, Resolution resolution) throws ParkException {
        check();
        ends.add(new EndCall(callId, resolution));
        if (endFailure != null) {
            throw endFailure;
        }
        ParkedCall call = live.stream().filter(c -> c.id().equals(callId)).findFirst()
                .orElseThrow(() -> new ParkException(ParkException.Reason.NOT_FOUND, "no live call " + callId));
        live.remove(call);
        return call.ended(resolution);
    }

    @Override
    public List<ParkedCall> list() throws ParkException {
        check();
        return oldestFirst(c -> true);
    }

    @Override
    public List<ParkedCall> list(TenantId tenant) throws ParkException {
        check();
        return oldestFirst(c -> c.tenant().equals(tenant));
    }

    @Override
    public List<ParkedCall> list(SlotId slot) throws ParkException {
        check();
        return oldestFirst(c -> c.slot().equals(slot));
    }

    @Override
    public Optional<ParkedCall> find(String callId) throws ParkException {
        check();
        return live.stream().filter(c -> c.id().equals(callId)).findFirst();
    }
}
