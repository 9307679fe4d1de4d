package org.callpark.internal.sip;

import javax.sip.Dialog;
import javax.sip.header.CSeqHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;

import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPServerTransaction;

/**
 * Counts an ACK for its dialog when JAIN-SIP did not: the ACK of a 200 OK that crossed it on the wire.
 * <p>
 * JAIN-SIP 1.3.0-91 sends an INVITE's 2xx and only then starts the dialog's retransmission timer, whose task is where
 * the dialog finds its INVITE transaction ({@code SIPDialog.getInviteTransaction()}). An ACK processed in between (a
 * phone on the same LAN answers within a fraction of a millisecond) is handed to us, but {@code ackReceived} finds no
 * transaction and records nothing; the timer then re-sends the 200 OK after T1 (500 ms), the phone ACKs again, and
 * that second ACK is handed to us too. Measured before this: about 3 of 25 fast-ACKing calls got the 200 OK again.
 * <p>
 * We answer every INVITE under the leg's monitor, so once the listener holds it the 200 was sent and the timer
 * started; an ACK of this leg's dialog (its tags, the CSeq of the INVITE being answered) that the dialog has not
 * counted is then counted through the dialog's own {@link SIPDialog#handleAck}, which stops the timer. An ACK the
 * dialog did count is left alone, as is one of another dialog with the same Call-ID.
 */
final class CrossedAcks {

    private CrossedAcks() {
    }

    /**
     * Call after taking and releasing the leg's monitor for {@code ack}. Returns {@code true} if the ACK had not been
     * counted and is now.
     */
    static boolean count(Dialog dialog, Request ack) {
        if (!(dialog instanceof SIPDialog d) || d.isAckSeen()) {
            return false;
        }
        SIPServerTransaction invite = d.getInviteTransaction();
        CSeqHeader cseq = (CSeqHeader) ack.getHeader(CSeqHeader.NAME);
        FromHeader from = (FromHeader) ack.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) ack.getHeader(ToHeader.NAME);
        if (invite == null || cseq == null || from == null || to == null || invite.getCSeq() != cseq.getSeqNumber()
                || !same(from.getTag(), d.getRemoteTag()) || !same(to.getTag(), d.getLocalTag())) {
            return false;
        }
        return d.handleAck(invite);
    }

    private static boolean same(String a, String b) {
        return a != null && a.equals(b);
    }
}
