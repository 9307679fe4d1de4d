package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.List;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.internal.sip.RecallForks.Fork;
import org.callpark.internal.sip.RecallForks.Recall;
import org.callpark.spi.RecallDialer.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The responses to recall INVITEs. A 1xx lets a fork cancelled before it be cancelled now (RFC 3261 §9.1). Every 2xx
 * is ACKed (again, when the callee retransmits it because our ACK was lost); the first one with a usable answer wins
 * the step and goes to the {@link RecallBridge}, a 2xx that lost (another fork won, the fork failed) is hung up there.
 * A 2xx that crosses our CANCEL is offered to the core like any answer: it refuses it unless the same attempt is still
 * ringing. A final failure (or timer B) fails the fork; when every fork failed, the core hears
 * {@code Outcome.failed} once, with the most telling failure.
 */
final class RecallAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(RecallAnswers.class);

    private final RecallForks forks;
    private final RecallBridge bridge;

    RecallAnswers(RecallForks forks, RecallBridge bridge) {
        this.forks = forks;
        this.bridge = bridge;
    }

    /** A response on the stack's listener thread: {@code true} if it belongs to a recall INVITE. */
    boolean onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        CallIdHeader callIdHeader = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
        if (cseq == null || callIdHeader == null || !Request.INVITE.equals(cseq.getMethod())) {
            return false; // CANCEL and BYE responses: nothing to do
        }
        Fork fork = forks.get(callIdHeader.getCallId());
        if (fork == null) {
            return false;
        }
        MDC.put("tenant", fork.recall.call.tenant().value());
        MDC.put("slot", fork.recall.call.slot().key());
        try {
            int status = response.getStatusCode();
            if (status < 200) {
                provisional(fork);
            } else if (status < 300) {
                answered(fork, event);
            } else {
                finalFailure(fork, status);
            }
        } finally {
            MDC.remove("tenant");
            MDC.remove("slot");
        }
        return true;
    }

    /** The INVITE's transaction timed out (no final response within 32 s, timer B): unreachable. */
    boolean onTimeout(ClientTransaction ct) {
        if (ct == null || !(ct.getApplicationData() instanceof Fork fork) || fork.leg == null) {
            return false;
        }
        if (Request.INVITE.equals(ct.getRequest().getMethod())) {
            finalFailure(fork, 408);
        }
        return true;
    }

    /** 486/600 busy, 603 declined, 404/408/480/503 unreachable, anything else an error. */
    static Failure failureOf(int status) {
        return switch (status) {
            case 486, 600 -> Failure.BUSY;
            case 603 -> Failure.DECLINED;
            case 404, 408, 480, 503 -> Failure.UNREACHABLE;
            default -> Failure.ERROR;
        };
    }

    private void provisional(Fork fork) {
        boolean cancel;
        synchronized (fork.recall) {
            if (fork.state == Fork.State.CALLING) {
                fork.state = Fork.State.PROCEEDING;
            }
            cancel = fork.state == Fork.State.CANCELLED && !fork.cancelSent;
            fork.cancelSent |= cancel;
        }
        if (cancel) {
            fork.sendCancel(); // cancelled before any 1xx: now it may go (RFC 3261 §9.1)
        }
    }

    private void answered(Fork fork, ResponseEvent event) {
        Recall recall = fork.recall;
        Response response = event.getResponse();
        long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
        boolean retransmission;
        boolean lost;
        Sdp answer = null;
        String unusable = null;
        List<Runnable> actions = new ArrayList<>();
        Failure failed = null;
        synchronized (recall) {
            retransmission = fork.ack != null;
            // A cancelled fork's 2xx still goes to the core (it refuses it if the call was resolved otherwise or
            // the attempt is over); only a fork that failed or lost to another fork's answer is hung up here.
            lost = !retransmission && (fork.state == Fork.State.FAILED || recall.winner != null);
            if (!retransmission && !lost) {
                try {
                    answer = Sdp.parseOffer(response.getRawContent());
                } catch (Sdp.Unusable e) {
                    unusable = e.getMessage();
                }
                if (answer != null) {
                    recall.winner = fork;
                    fork.state = Fork.State.ANSWERED;
                } else {
                    fork.fail(Failure.ERROR, actions);
                    failed = recall.allFailed();
                }
            }
        }
        Dialog dialog = event.getDialog() != null ? event.getDialog() : fork.leg.dialog;
        if (retransmission) {
            sendAck(fork, dialog, cseq); // our ACK was lost: the callee retransmits its 2xx
            return;
        }
        sendAck(fork, dialog, cseq);
        if (lost || answer == null) {
            if (unusable != null) {
                LOG.debug("Recall answer from {} has unusable SDP: {}", fork.extension, unusable);
            } else {
                LOG.debug("Recall answer from {} came too late: hanging up", fork.extension);
            }
            bridge.hangUp(fork, actions);
            if (failed != null) {
                recall.outcome.failed(failed);
            }
            return;
        }
        bridge.take(fork, answer);
    }

    private void sendAck(Fork fork, Dialog dialog, long cseq) {
        try {
            Request ack;
            synchronized (fork.recall) {
                ack = fork.ack;
            }
            if (ack == null) {
                ack = dialog.createAck(cseq);
                synchronized (fork.recall) {
                    fork.ack = ack;
                }
            }
            dialog.sendAck(ack);
        } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.debug("ACK to {} failed: {}", fork.extension, e.toString());
        }
    }

    private void finalFailure(Fork fork, int status) {
        Recall recall = fork.recall;
        List<Runnable> actions = new ArrayList<>();
        Failure failed = null;
        synchronized (recall) {
            switch (fork.state) {
                case NEW, CALLING, PROCEEDING -> {
                    fork.fail(failureOf(status), actions);
                    failed = recall.allFailed();
                }
                case CANCELLED -> {
                    fork.state = Fork.State.FAILED; // the 487 to our CANCEL, a failure that crossed it, timer B
                    fork.failure = failureOf(status);
                    actions.add(fork::closeMedia);
                    actions.add(fork::forget);
                }
                default -> {
                    // answered (a late failure of another branch) or failed already
                }
            }
        }
        actions.forEach(Runnable::run);
        LOG.debug("Recall fork to {} ended with {}", fork.extension, status);
        if (failed != null) {
            LOG.debug("Recall of {}: every fork failed ({})", recall.call.id(), failed);
            recall.outcome.failed(failed);
        }
    }
}
