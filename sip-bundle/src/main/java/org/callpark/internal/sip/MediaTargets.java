package org.callpark.internal.sip;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Which SDP address a media leg may send to before that party's own RTP arrives (docs/sip.md "Media safety"): kept in
 * one place for the park INVITE ({@link ParkFlows}), a takeover's answer ({@link Handover}) and a re-INVITE that moves
 * a bridged party's media ({@link InDialogHold}).
 */
final class MediaTargets {

    private MediaTargets() {
    }

    /** {@code sdp} if it names {@code sourceIp} or that is a trusted proxy, else {@code null} (wait for RTP). */
    static InetSocketAddress vouched(InetSocketAddress sdp, String sourceIp, SipSettings settings) {
        if (sdp == null || sourceIp == null || sdp.isUnresolved()) {
            return null;
        }
        if (settings.trusted(sourceIp)) {
            return sdp;
        }
        try {
            return sdp.getAddress().equals(InetAddress.getByName(sourceIp)) ? sdp : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
