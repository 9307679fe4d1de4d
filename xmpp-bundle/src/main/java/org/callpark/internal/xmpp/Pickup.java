package org.callpark.internal.xmpp;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.callpark.api.ParkException;
import org.callpark.api.RetrieveRequest;
import org.callpark.api.RetrieveTarget;
import org.callpark.internal.xmpp.SlotAccess.SlotView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xmpp.packet.JID;
import org.xmpp.packet.PacketError;

/**
 * A pickup from chat or the ad-hoc command: rings the user's own extension and connects the call parked on the slot
 * there ({@link ParkBackend#sendTo}), with the same retrieve request a phone's {@code *88} builds. Its end is reported
 * on the component's thread ({@code thread}).
 */
final class Pickup {

    /** How long a pickup rings the user's phone. */
    static final Duration RING_FOR = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(Pickup.class);

    /** How a pickup went: at once (accepted or refused), then, if accepted, its end. */
    interface Outcome {
        void accepted(String text);

        /** @param condition the stanza error, or {@code null} for a refusal that is an answer, not an error */
        void refused(PacketError.Condition condition, String text);

        void finished(String text);
    }

    private final ParkBackend backend;
    private final SlotAccess access;
    private final Executor thread;

    Pickup(ParkBackend backend, SlotAccess access, Executor thread) {
        this.backend = backend;
        this.access = access;
        this.thread = thread;
    }

    /** Picks up the call on {@code slotNode} for the user {@code from}. */
    void run(JID from, String slotNode, Outcome outcome) {
        if (!backend.available()) {
            outcome.refused(PacketError.Condition.service_unavailable,
                    "Pickup failed: " + ParkBackend.RESTARTING + ".");
            return;
        }
        SlotView view;
        RetrieveRequest request;
        try {
            view = access.view(backend.directory(), from, slotNode);
            RetrieveTarget target = view.group() != null ? RetrieveTarget.group(view.group().name())
                    : RetrieveTarget.extension(view.slot().name());
            request = new RetrieveRequest(view.tenant().id(), view.user().extension(), target);
        } catch (ParkException e) {
            outcome.refused(condition(e), e.getMessage());
            return;
        }
        String ext = view.user().extension();
        try {
            backend.sendTo(request, ext, RING_FOR).whenComplete((call, failure) -> thread.execute(() -> {
                if (failure == null) {
                    outcome.finished("Connected: the call from " + SlotPresence.describe(call)
                            + " is on your phone (" + ext + ").");
                } else {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    outcome.finished("Pickup failed: " + (cause instanceof ParkException pe ? pe.getMessage()
                            : "internal error") + ". The call stays parked on " + view.label() + ".");
                }
            }));
        } catch (ParkException e) {
            outcome.refused(condition(e), "Pickup failed: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.warn("pickup on {} for {}: {}", view.slot(), ext, e.toString(), e);
            outcome.refused(PacketError.Condition.internal_server_error, "Pickup failed: internal error");
            return;
        }
        outcome.accepted("Ringing your phone (" + ext + "): answer it to take the call parked on " + view.label()
                + ".");
    }

    /** The stanza error for a refused request, or {@code null} where the refusal is just an answer. */
    static PacketError.Condition condition(ParkException e) {
        return switch (e.reason()) {
            case NOT_PERMITTED -> PacketError.Condition.forbidden;
            case NOT_FOUND -> PacketError.Condition.item_not_found;
            case INVALID_ARGUMENT -> PacketError.Condition.bad_request;
            case STORE_UNAVAILABLE, MEDIA_CAPACITY -> PacketError.Condition.service_unavailable;
            // Nothing parked any more, the user's phone cannot be called: an answer, not a protocol error.
            case SLOT_EMPTY, CONFLICT, UNREACHABLE, NO_FREE_SLOT, SLOT_OCCUPIED, MEDIA_FAILURE -> null;
        };
    }
}
