package org.callpark.internal.sip;

import java.text.ParseException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.sip.header.Header;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.Resolution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import gov.nist.javax.sip.header.extensions.SessionExpiresHeader;

/**
 * RFC 4028 session timers on the dialogs of parked callers: a caller that supports them refreshes its session
 * (re-INVITE or UPDATE) within the interval, so a caller whose park server died notices (its refresh fails) and hangs
 * up instead of listening to silence for ever; and a caller that stops refreshing is hung up by us (BYE, its call
 * ends {@link Resolution#ABANDONED}), never left silently in a slot.
 * <p>
 * The interval: the caller's {@code Session-Expires} if it sent one (below our {@code minSessionExpires}: 422 with
 * {@code Min-SE}), else our {@code sessionExpires} if the caller lists {@code timer} in {@code Supported}; the caller is
 * always the refresher ({@code refresher=uac}, with {@code Require: timer}). A caller that does not support timers
 * gets none (we do not refresh ourselves). Every park 200 says {@code Supported: timer}.
 */
final class SessionTimers {

    private static final Logger LOG = LoggerFactory.getLogger(SessionTimers.class);

    private final SipMessages messages;
    private final SipLegs legs;
    private final ScheduledExecutorService timer;

    SessionTimers(SipMessages messages, SipLegs legs, ScheduledExecutorService timer) {
        this.messages = messages;
        this.legs = legs;
        this.timer = timer;
    }

    /** The caller's requested interval in seconds, 0 if it asked for none. */
    static int requested(Request request) {
        Header h = request.getHeader(SessionExpiresHeader.NAME);
        if (h instanceof SessionExpiresHeader se) {
            return Math.max(0, se.getExpires());
        }
        return 0;
    }

    /** Whether the request lists {@code timer} in a Supported (or Require) header. */
    static boolean supportsTimer(Request request) {
        for (String name : new String[] {"Supported", "Require"}) {
            var it = request.getHeaders(name);
            while (it != null && it.hasNext()) {
                String v = SipMessages.valueOf((Header) it.next());
                for (String option : v.split(",")) {
                    if (option.trim().equalsIgnoreCase("timer")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The session interval a park INVITE gets: the caller's (checked), else ours if it supports timers, else 0.
     *
     * @return -1 if the caller's interval is below {@code minSessionExpires} (answer 422)
     */
    int intervalFor(Request request) {
        SipSettings s = messages.settings();
        int asked = requested(request);
        if (asked > 0) {
            return asked < s.minSessionExpires() ? -1 : asked;
        }
        return supportsTimer(request) ? s.sessionExpires() : 0;
    }

    /** {@code 422 Session Interval Too Small} with our {@code Min-SE} (RFC 4028 §6). */
    Response tooSmall(Request request) throws Exception {
        Response r = messages.response(request, 422, "Session-Expires below Min-SE "
                + messages.settings().minSessionExpires());
        r.setHeader(messages.headers().createHeader("Min-SE", Integer.toString(messages.settings()
                .minSessionExpires())));
        return r;
    }

    /** Adds {@code Supported: timer} and, for a session with timers, its Session-Expires and Require. */
    void decorate(Message response, int interval) throws ParseException {
        response.addHeader(messages.headers().createHeader("Supported", "timer"));
        if (interval > 0) {
            response.setHeader(messages.headers().createHeader(SessionExpiresHeader.NAME, interval
                    + ";refresher=uac"));
            response.setHeader(messages.headers().createHeader("Require", "timer"));
        }
    }

    /**
     * Under the leg's monitor: the session was (re)established or refreshed now; the leg is hung up unless the next
     * refresh arrives within the interval minus min(32 s, interval / 3) (RFC 4028 §10).
     */
    void refreshed(SipLeg leg) {
        if (leg.sessionTimer != null) {
            leg.sessionTimer.cancel(false);
            leg.sessionTimer = null;
        }
        int interval = leg.sessionInterval;
        if (interval <= 0 || leg.state == SipLeg.State.ENDED) {
            return;
        }
        long millis = interval * 1000L - Math.min(32_000L, interval * 1000L / 3);
        leg.sessionTimer = timer.schedule(() -> expired(leg), millis, TimeUnit.MILLISECONDS);
    }

    /** Under the leg's monitor: the leg ends, its timer with it. */
    static void stop(SipLeg leg) {
        ScheduledFuture<?> f = leg.sessionTimer;
        leg.sessionTimer = null;
        if (f != null) {
            f.cancel(false);
        }
    }

    private void expired(SipLeg leg) {
        synchronized (leg) {
            if (leg.state == SipLeg.State.ENDED || leg.sessionTimer == null) {
                return;
            }
            leg.sessionTimer = null;
        }
        MDC.put("call-id", leg.callId);
        try {
            LOG.debug("Session of {} expired without a refresh ({} s): hanging up", leg, leg.sessionInterval);
            legs.hangUp(leg, Resolution.ABANDONED);
        } finally {
            MDC.remove("call-id");
        }
    }
}
