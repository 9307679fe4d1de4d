package org.callpark.internal.sip;

import java.util.Properties;
import java.util.function.Consumer;

import javax.sip.SipStack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;

/**
 * JAIN-SIP's message log hook (stack property {@code gov.nist.javax.sip.SERVER_LOGGER}), writing each SIP message
 * sent or received to the logger {@value #LOGGER} while {@link SipTrace} is on; the shipped logging configuration sends
 * that logger to {@code data/log/sip-trace.log} only. The stack calls this only when {@link Slf4jStackLogger} says
 * message logging is enabled, i.e. while the trace is on (or {@code gov.nist} is at DEBUG), so a message is formatted
 * only when it will be written.
 * <p>
 * What is written is the message as on the wire: SIP carries no passwords (digest {@code Authorization} holds a
 * response hash, which is fine to show); this server's secrets (passwords, HA1, nonce secrets) never enter a message.
 * Needs a public no-arg constructor (loaded by name).
 */
public final class SipTraceLogger implements ServerLogger {

    static final String LOGGER = "org.callpark.sip.trace";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    /** Where lines go; tests replace it. */
    static volatile Consumer<String> out = line -> LOG.info(line);

    public SipTraceLogger() {
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        write(message, from, to, null, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        write(message, from, to, status, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        write(message, from, to, status, sender);
    }

    private static void write(SIPMessage message, String from, String to, String status, boolean sender) {
        SipTrace.Filter filter = SipTrace.current();
        if (filter == null || message == null || !filter.matches(message)) {
            return;
        }
        String text = message.encode().replace("\r\n", "\n");
        out.accept((sender ? "sent " : "received ") + from + " -> " + to
                + (status == null || status.isEmpty() ? "" : " (" + status + ")") + "\n" + text.stripTrailing()
                + "\n");
    }

    @Override
    public void closeLogFile() {
    }

    @Override
    public void logException(Exception ex) {
        // the stack's exceptions go through Slf4jStackLogger
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
    }

    @Override
    public void setSipStack(SipStack sipStack) {
    }
}
