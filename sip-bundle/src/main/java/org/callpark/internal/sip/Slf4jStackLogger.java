package org.callpark.internal.sip;

import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.core.StackLogger;

/**
 * Routes the NIST stack's own logging to SLF4J (logger {@code gov.nist.javax.sip}) instead of its log4j file writer.
 * The stack asks {@link #isLoggingEnabled(int)} before building expensive messages, so this follows the SLF4J level:
 * quiet unless someone turns {@code gov.nist} up, except that message logging ({@code TRACE_MESSAGES}) is enabled while
 * {@link SipTrace} is on, so that the stack hands each message to {@link SipTraceLogger}. Errors of the stack (unparsable messages from peers, peers gone) are
 * logged at debug: they are the peers' business, not the operator's.
 * <p>
 * Loaded by name through the stack property {@code gov.nist.javax.sip.STACK_LOGGER}; needs a public no-arg
 * constructor.
 */
public final class Slf4jStackLogger implements StackLogger {

    private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");

    private volatile boolean enabled = true;

    public Slf4jStackLogger() {
    }

    @Override
    public void logStackTrace() {
        // the stack calls this to show where it is; nothing useful for operators
    }

    @Override
    public void logStackTrace(int traceLevel) {
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable ex) {
        if (enabled) {
            LOG.debug("SIP stack exception", ex);
        }
    }

    @Override
    public void logDebug(String message) {
        if (enabled) {
            LOG.debug(message);
        }
    }

    @Override
    public void logDebug(String message, Exception ex) {
        if (enabled) {
            LOG.debug(message, ex);
        }
    }

    @Override
    public void logTrace(String message) {
        if (enabled) {
            LOG.trace(message);
        }
    }

    @Override
    public void logFatalError(String message) {
        if (enabled) {
            LOG.warn(message);
        }
    }

    @Override
    public void logError(String message) {
        if (enabled) {
            LOG.debug(message);
        }
    }

    @Override
    public void logError(String message, Exception ex) {
        if (enabled) {
            LOG.debug(message, ex);
        }
    }

    @Override
    public boolean isLoggingEnabled() {
        return enabled && LOG.isDebugEnabled();
    }

    @Override
    public boolean isLoggingEnabled(int logLevel) {
        if (!enabled) {
            return false;
        }
        if (logLevel >= TRACE_TRACE) {
            return LOG.isTraceEnabled();
        }
        if (logLevel == TRACE_MESSAGES && SipTrace.isOn()) {
            return true; // the stack then hands each message to SipTraceLogger
        }
        if (logLevel >= TRACE_INFO) {
            return LOG.isDebugEnabled();
        }
        return logLevel > TRACE_NONE;
    }

    @Override
    public void logWarning(String message) {
        if (enabled) {
            LOG.debug(message);
        }
    }

    @Override
    public void logInfo(String message) {
        if (enabled) {
            LOG.debug(message);
        }
    }

    @Override
    public void disableLogging() {
        enabled = false;
    }

    @Override
    public void enableLogging() {
        enabled = true;
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
    }

    @Override
    public String getLoggerName() {
        return LOG.getName();
    }
}
