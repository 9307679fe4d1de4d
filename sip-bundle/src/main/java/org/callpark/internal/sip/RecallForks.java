package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sip.ClientTransaction;
import javax.sip.SipException;
import javax.sip.message.Request;

import org.callpark.api.ParkedCall;
import org.callpark.spi.MediaController.MediaLeg;
import org.callpark.spi.RecallDialer.Failure;
import org.callpark.spi.RecallDialer.Outcome;
import org.callpark.spi.RecallDialer.Ringing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ringing state of the recall steps in flight: each step ({@link Recall}) with its forks ({@link Fork}, one INVITE
 * to one contact), and the forks still waiting for a final response by Call-ID, so that a response finds its fork.
 * A fork's state changes under its step's monitor; the SIP work a change calls for (CANCEL, closing media) is handed
 * back as actions to run outside it.
 * <p>
 * CANCEL follows RFC 3261 §9.1: only after a provisional response; a fork cancelled earlier is cancelled when its
 * first 1xx arrives. Media of a failed fork is closed at once, of a cancelled fork with its final response.
 */
final class RecallForks {

    private static final Logger LOG = LoggerFactory.getLogger(RecallForks.class);

    /** The failures in the order they tell the core most: a person's decision says more than a missing registration. */
    private static final Failure[] TELLING = { Failure.DECLINED, Failure.BUSY, Failure.ERROR, Failure.UNREACHABLE };

    private final SipMessages messages;
    /** Every fork with an INVITE in flight or a final answer still to come, by its Call-ID. */
    private final Map<String, Fork> byCallId = new ConcurrentHashMap<>();

    RecallForks(SipMessages messages) {
        this.messages = messages;
    }

    /** The fork that sent the INVITE with {@code callId}, or {@code null} if none waits for a response. */
    Fork get(String callId) {
        return byCallId.get(callId);
    }

    /** The fork's INVITE is about to go: its responses find it from now on. */
    void add(Fork fork) {
        byCallId.put(fork.leg.callId, fork);
    }

    /** The SIP server stops: forget every fork in flight and close its media (their transactions die too). */
    void dropAll() {
        for (Fork f : List.copyOf(byCallId.values())) {
            synchronized (f.recall) {
                f.recall.cancelled = true;
                if (f.state != Fork.State.ANSWERED) {
                    f.state = Fork.State.FAILED;
                }
            }
            f.closeMedia();
            f.forget();
        }
    }

    /** Forks of one parked call still waiting for a final response (tests, diagnostics). */
    int pending(String parkedCallId) {
        return (int) byCallId.values().stream().filter(f -> f.recall.call.id().equals(parkedCallId)).count();
    }

    /** One ringing step: its forks; every field guarded by this object's monitor. */
    static final class Recall implements Ringing {
        final ParkedCall call;
        final List<String> extensions;
        final Outcome outcome;
        final List<Fork> all = new ArrayList<>();
        boolean started;
        boolean cancelled;
        boolean reported;
        Fork winner;

        Recall(ParkedCall call, List<String> extensions, Outcome outcome) {
            this.call = call;
            this.extensions = extensions;
            this.outcome = outcome;
        }

        @Override
        public void cancel() {
            List<Runnable> actions = new ArrayList<>();
            synchronized (this) {
                cancelled = true;
                for (Fork f : all) {
                    if (f != winner) {
                        f.cancel(actions);
                    }
                }
            }
            actions.forEach(Runnable::run);
        }

        /** Under the monitor: the failure to report if every fork has failed and nothing else ended the step. */
        Failure allFailed() {
            if (reported || cancelled || winner != null || !started) {
                return null;
            }
            for (Fork f : all) {
                if (f.state != Fork.State.FAILED) {
                    return null;
                }
            }
            reported = true;
            for (Failure t : TELLING) {
                for (Fork f : all) {
                    if (f.failure == t) {
                        return t;
                    }
                }
            }
            return Failure.UNREACHABLE; // nobody at all to ring
        }

        @Override
        public String toString() {
            return "recall of " + call.id() + " attempt " + call.recallAttempt() + " " + call.recallTarget() + " "
                    + extensions;
        }
    }

    /** A fork of {@code recall} to {@code extension}, at {@code binding} ({@code null} with an outbound proxy). */
    Fork fork(Recall recall, String extension, Registrations.Binding binding) {
        return new Fork(recall, extension, binding);
    }

    /** One INVITE to one contact of one extension. Guarded by its recall's monitor. */
    final class Fork {
        enum State { NEW, CALLING, PROCEEDING, ANSWERED, FAILED, CANCELLED }

        final Recall recall;
        final String extension;
        final Registrations.Binding binding; // null with an outbound proxy
        State state = State.NEW;
        Failure failure;
        SipLeg leg;
        ClientTransaction invite;
        Request ack;
        boolean cancelSent;

        private Fork(Recall recall, String extension, Registrations.Binding binding) {
            this.recall = recall;
            this.extension = extension;
            this.binding = binding;
        }

        /**
         * Under the monitor: stop this fork; the SIP work is added to {@code actions}. Its media stays open until the
         * final response: a 2xx crossing the CANCEL is still offered to the core, which may give it the call (the
         * parker answering just as the step moves to the ring group, within the same attempt).
         */
        void cancel(List<Runnable> actions) {
            switch (state) {
                case NEW -> state = State.CANCELLED;
                case CALLING -> state = State.CANCELLED; // CANCEL when the first 1xx arrives (RFC 3261 §9.1)
                case PROCEEDING -> {
                    state = State.CANCELLED;
                    cancelSent = true;
                    actions.add(this::sendCancel);
                }
                default -> {
                    // answered, failed or cancelled already
                }
            }
        }

        /** Under the monitor: this fork failed; its media is closed and it is forgotten by the actions. */
        void fail(Failure why, List<Runnable> actions) {
            state = State.FAILED;
            failure = why;
            actions.add(this::closeMedia);
            actions.add(this::forget);
        }

        void closeMedia() {
            MediaLeg m = null;
            if (leg != null) {
                synchronized (leg) {
                    m = leg.media;
                    leg.media = null;
                }
            }
            SipLegs.close(m);
        }

        /** No response is awaited any more: a late one is not ours. */
        void forget() {
            if (leg != null) {
                byCallId.remove(leg.callId, this);
            }
        }

        void sendCancel() {
            try {
                Request cancel = invite.createCancel();
                ClientTransaction ct = messages.endpoint().provider.getNewClientTransaction(cancel);
                ct.sendRequest();
                LOG.debug("CANCEL sent to {} ({})", extension, leg.callId);
            } catch (SipException | RuntimeException e) {
                LOG.debug("CANCEL to {} failed: {}", extension, e.toString());
            }
        }

        @Override
        public String toString() {
            return "fork to " + extension + (binding == null ? "" : " at " + binding.contact()) + " " + state;
        }
    }
}
