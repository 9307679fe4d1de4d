package org.callpark.internal.sip;

import java.io.IOException;
import java.text.ParseException;
import java.time.Duration;

import javax.sip.SipStack;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;

/**
 * Refuses a request whose top Via names a transport other than the one it arrived on (RFC 3261 §18.1.1: the sender
 * puts the transport it uses into the top Via), before the stack makes a transaction for it.
 * <p>
 * Why: the stack answers a request over the transport its top Via names. A UDP request saying {@code SIP/2.0/TLS}
 * (or SCTP, WS) sent the stack looking for a TLS listening point this server does not have: a
 * {@code NullPointerException} in the handler per packet, no answer, and a WARN line each (issue 14, D2). Here such a
 * request gets a stateless {@code 400 Via transport does not match} back to where the packet came from, over the
 * transport it came on (an ACK is dropped), and the handlers never see it. A log line (INFO) at most once a minute
 * counts them.
 * <p>
 * Loaded by the stack by name from the property {@code gov.nist.javax.sip.SIP_MESSAGE_VALVE} ({@link SipEndpoint});
 * needs a public no-arg constructor. One instance per stack.
 */
public final class ViaTransportValve implements SIPMessageValve {

    private static final Logger LOG = LoggerFactory.getLogger(ViaTransportValve.class);

    private final LogLimiter logs = new LogLimiter(Duration.ofMinutes(1));

    public ViaTransportValve() {
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        Via via = request.getTopmostVia();
        String arrived = channel.getTransport();
        if (via == null || via.getTransport() == null || via.getTransport().equalsIgnoreCase(arrived)) {
            return true;
        }
        long suppressed = logs.admit();
        if (suppressed >= 0) {
            LOG.info("Refused a {} request from {}:{} whose top Via names {} (400; {} more since the last such line)",
                    arrived.toUpperCase(), channel.getPeerPacketSourceAddress().getHostAddress(),
                    channel.getPeerPacketSourcePort(), via.getTransport(), suppressed);
        }
        if (!Request.ACK.equals(request.getMethod())) {
            try {
                SIPResponse response = request.createResponse(Response.BAD_REQUEST, "Via transport does not match");
                if (response.getTo() != null && response.getToTag() == null) {
                    response.getTo().setTag("badvia");
                }
                channel.sendMessage(response, channel.getPeerPacketSourceAddress(),
                        channel.getPeerPacketSourcePort());
            } catch (IOException | ParseException | RuntimeException e) {
                LOG.debug("Could not answer the request with the wrong Via transport: {}", e.toString());
            }
        }
        return false;
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        return true;
    }

    @Override
    public void init(SipStack stack) {
    }

    @Override
    public void destroy() {
    }
}
