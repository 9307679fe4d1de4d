package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.List;

import org.callpark.internal.sip.RecallForks.Fork;
import org.callpark.internal.sip.RecallForks.Recall;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.RecallDialer.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of a recall callee whose 2xx has been ACKed. The winner's media is connected and the answer offered to
 * the core ({@code Outcome.answered}); if the core gives it the call, every other fork of the step is cancelled and the
 * callee is bridged to the parked caller through {@link SipLegs#bridgeRecall}, after which it is an ordinary bridged
 * call. A callee that lost (another fork won, the core refused it, its media could not connect) is hung up at once.
 */
final class RecallBridge {

    private static final Logger LOG = LoggerFactory.getLogger(RecallBridge.class);

    private final SipLegs legs;

    RecallBridge(SipLegs legs) {
        this.legs = legs;
    }

    /** The step's winner {@code fork} answered with {@code answer}: connect, ask the core, bridge or hang up. */
    void take(Fork fork, Sdp answer) {
        Recall recall = fork.recall;
        Codec chosen = answer.codecs().get(0);
        try {
            fork.leg.media.connect(answer.remote(), chosen);
        } catch (RuntimeException e) {
            LOG.warn("Recall answer from {}: media cannot connect to {}: {}", fork.extension, answer.remote(),
                    e.toString());
            List<Runnable> actions = new ArrayList<>();
            Failure failed;
            synchronized (recall) {
                recall.winner = null;
                fork.fail(Failure.ERROR, actions);
                failed = recall.allFailed();
            }
            hangUp(fork, actions);
            if (failed != null) {
                recall.outcome.failed(failed);
            }
            return;
        }
        boolean ours = recall.outcome.answered(fork.extension);
        if (!ours) {
            LOG.debug("Recall answer from {} refused by the park service (resolved otherwise): hanging up",
                    fork.extension);
            hangUp(fork, List.of());
            return;
        }
        fork.forget();
        recall.cancel(); // every other fork; the winner is left alone
        synchronized (fork.leg) {
            fork.leg.state = SipLeg.State.ANSWERED;
            fork.leg.acked = true;
            fork.leg.sdpRemote = answer.remote();
            fork.leg.music = ParkFlows.musicFor(recall.call); // the caller's music, if one of them holds
            fork.leg.user = fork.extension; // may transfer the call on (InCallTransfer)
            fork.leg.bridgedCall = recall.call;
        }
        if (legs.bridgeRecall(recall.call, fork.leg)) {
            LOG.debug("Recall of {} answered by {}: bridged", recall.call.id(), fork.extension);
        } else {
            LOG.debug("Recall of {} answered by {}, but the caller is gone: hanging up", recall.call.id(),
                    fork.extension);
            legs.hangUp(fork.leg);
        }
    }

    /**
     * A callee that lost, ACKed already: runs {@code actions} (closing a failed fork's media), forgets the fork, and
     * sends the BYE and closes the media through the legs' hang-up.
     */
    void hangUp(Fork fork, List<Runnable> actions) {
        actions.forEach(Runnable::run);
        fork.forget();
        synchronized (fork.leg) {
            fork.leg.state = SipLeg.State.ANSWERED;
            fork.leg.acked = true;
        }
        legs.hangUp(fork.leg);
    }
}
