package org.callpark.internal.sip;

import java.text.ParseException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;

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
 * {@code Min-SE}), else our {@code sessionExpires}. Who refreshes (RFC 4028 §9): the one the request named in its
 * {@code refresher} parameter; if it named none, the caller when it supports timers (so that it notices our crash),
 * else we (a caller without timer support cannot be the refresher). {@code Require: timer} only to a caller that
 * supports timers. Every park 200 says {@code Supported: timer}.
 * <p>
 * When we refresh ({@code refresher=uas}), the node carrying the dialog sends an UPDATE without body (the caller
 * allows UPDATE) or a re-INVITE with our unchanged SDP (same {@code o=} version, RFC 3264 §8) at half the interval,
 * built from the cluster record (so a survivor of a takeover goes on the same way), its CSeq written to the record
 * first. A 2xx refreshes the session; a 491 is retried after 0–2 s (RFC 3261 §14.1, we do not own the Call-ID); any
 * other final response or no answer within 32 s ends the call {@link Resolution#ABANDONED} with our BYE.
 */
final class SessionTimers {

    private static final Logger LOG = LoggerFactory.getLogger(SessionTimers.class);

    /** How long our refresh may wait for its final response: 64·T1, the INVITE transaction's own limit. */
    static final long REFRESH_TIMEOUT_MS = 32_000;

    private final SipMessages messages;
    private final SipLegs legs;
    private final ScheduledExecutorService timer;
    private final Executor async;
    private final SessionRecords records;
    /** Our refreshes waiting for their final response, by Call-ID. */
    private final InFlightRequests<Refresh> pending;

    /** One refresh of ours in flight. */
    private record Refresh(SipLeg leg, String method, long cseq, SipSession session) {
    }

    SessionTimers(SipMessages messages, SipLegs legs, ScheduledExecutorService timer, Executor async,
            SessionRecords records) {
        this.messages = messages;
        this.legs = legs;
        this.timer = timer;
        this.async = async;
        this.records = records;
        this.pending = new InFlightRequests<>(timer);
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

    /** The request's {@code refresher} parameter ({@code uac}/{@code uas}, lower case), empty if none. */
    static String refresherAsked(Request request) {
        Header h = request.getHeader(SessionExpiresHeader.NAME);
        if (h instanceof SessionExpiresHeader se && se.getRefresher() != null) {
            return se.getRefresher().trim().toLowerCase(java.util.Locale.ROOT);
        }
        return "";
    }

    /** Whether the request's {@code Allow} lists UPDATE (then our refresh is an UPDATE, RFC 4028 §7.4). */
    static boolean allowsUpdate(Request request) {
        var it = request.getHeaders("Allow");
        while (it != null && it.hasNext()) {
            for (String method : SipMessages.valueOf((Header) it.next()).split(",")) {
                if (method.trim().equalsIgnoreCase(Request.UPDATE)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The session interval a park INVITE gets: the caller's (checked), else ours ({@code sessionExpires}; 0 there: no
     * session timer unless the caller asks).
     *
     * @return -1 if the caller's interval is below {@code minSessionExpires} (answer 422)
     */
    int intervalFor(Request request) {
        SipSettings s = messages.settings();
        int asked = requested(request);
        if (asked > 0) {
            return asked < s.minSessionExpires() ? -1 : asked;
        }
        return Math.max(0, s.sessionExpires());
    }

    /**
     * Who refreshes a session of {@code interval} the request (a park INVITE or a refresh) agrees to (RFC 4028 §9):
     * empty for the caller, else the method we refresh with (UPDATE if the caller allows it, else INVITE).
     */
    static String ourRefresh(Request request, int interval) {
        if (interval <= 0) {
            return "";
        }
        String asked = refresherAsked(request);
        boolean we = asked.equals("uas") || asked.isEmpty() && !supportsTimer(request);
        if (!we) {
            return "";
        }
        return allowsUpdate(request) ? Request.UPDATE : Request.INVITE;
    }

    /** {@code 422 Session Interval Too Small} with our {@code Min-SE} (RFC 4028 §6). */
    Response tooSmall(Request request) throws Exception {
        Response r = messages.response(request, 422, "Session-Expires below Min-SE "
                + messages.settings().minSessionExpires());
        r.setHeader(messages.headers().createHeader("Min-SE", Integer.toString(messages.settings()
                .minSessionExpires())));
        return r;
    }

    /**
     * Adds {@code Supported: timer} and, for a session with timers, its Session-Expires with the refresher and, if the
     * request supports timers, {@code Require: timer} (RFC 4028 §9: never to a UAC without them).
     */
    void decorate(Message response, Request request, int interval, String ourRefresh) throws ParseException {
        response.addHeader(messages.headers().createHeader("Supported", "timer"));
        if (interval > 0) {
            response.setHeader(messages.headers().createHeader(SessionExpiresHeader.NAME, interval
                    + (ourRefresh.isEmpty() ? ";refresher=uac" : ";refresher=uas")));
            if (supportsTimer(request)) {
                response.setHeader(messages.headers().createHeader("Require", "timer"));
            }
        }
    }

    /**
     * Under the leg's monitor: a refresh of the caller set {@code interval} and {@code ourRefresh}; if either changed,
     * the leg and its record take them (the record in the cluster asynchronously).
     */
    void agreed(SipLeg leg, int interval, String ourRefresh) {
        if (interval == leg.sessionInterval && ourRefresh.equals(leg.ourRefresh)) {
            return;
        }
        leg.sessionInterval = interval;
        leg.ourRefresh = ourRefresh;
        if (leg.session != null) {
            leg.session = leg.session.withTimer(interval, ourRefresh);
            String callId = leg.parkedCallId;
            long cseq = leg.session.localCseq();
            if (callId != null) {
                async.execute(() -> records.timerChanged(callId, leg.id, interval, ourRefresh, cseq));
            }
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
        if (!leg.ourRefresh.isEmpty()) {
            leg.sessionTimer = timer.schedule(() -> refreshDue(leg), interval * 1000L / 2, TimeUnit.MILLISECONDS);
            return;
        }
        long millis = interval * 1000L - Math.min(32_000L, interval * 1000L / 3);
        leg.sessionTimer = timer.schedule(() -> expired(leg), millis, TimeUnit.MILLISECONDS);
    }

    /** Our refresh is due (timer thread): the rest, with the cluster write, on the async executor. */
    private void refreshDue(SipLeg leg) {
        synchronized (leg) {
            if (leg.state == SipLeg.State.ENDED || leg.sessionTimer == null) {
                return;
            }
            leg.sessionTimer = null;
        }
        async.execute(() -> sendRefresh(leg));
    }

    /** Sends our refresh: the next CSeq goes into the record first (a survivor must never reuse it). */
    private void sendRefresh(SipLeg leg) {
        MDC.put("call-id", leg.callId);
        Refresh refresh;
        String parkedCallId;
        try {
            synchronized (leg) {
                if (leg.state == SipLeg.State.ENDED || leg.session == null || leg.ourRefresh.isEmpty()) {
                    return;
                }
                SipSession s = leg.session.withLocalCseq(leg.session.localCseq() + 1);
                leg.session = s;
                refresh = new Refresh(leg, leg.ourRefresh, s.localCseq(), s);
                leg.refreshing = Request.INVITE.equals(refresh.method);
                parkedCallId = leg.parkedCallId;
            }
            if (parkedCallId != null) {
                records.timerChanged(parkedCallId, leg.id, leg.sessionInterval, refresh.method, refresh.cseq);
            }
            Request r = refreshRequest(leg, refresh);
            ClientTransaction ct = messages.endpoint().provider.getNewClientTransaction(r);
            pending.put(leg.callId, refresh, REFRESH_TIMEOUT_MS, () -> failed(refresh, "no answer"));
            LOG.debug("Refreshing the session of {} by {} (CSeq {})", leg, refresh.method, refresh.cseq);
            ct.sendRequest();
        } catch (Exception | LinkageError e) {
            LOG.debug("Sending our session refresh to {} failed: {}", leg, e.toString());
            legs.hangUp(leg, Resolution.ABANDONED);
        } finally {
            MDC.remove("call-id");
        }
    }

    private Request refreshRequest(SipLeg leg, Refresh refresh) throws Exception {
        Request r = DialogRequests.request(messages.endpoint(), messages.settings(), refresh.session, refresh.method,
                refresh.cseq);
        r.setHeader(messages.contactHeader(refresh.session.transport()));
        r.setHeader(messages.headers().createHeader(SessionExpiresHeader.NAME, leg.sessionInterval
                + ";refresher=uas"));
        r.setHeader(messages.headers().createHeader("Supported", "timer"));
        messages.addAllow(r);
        if (Request.INVITE.equals(refresh.method)) {
            String sdp;
            synchronized (leg) {
                sdp = leg.answerSdp;
            }
            r.setContent(sdp, messages.headers().createContentTypeHeader("application", "sdp"));
        }
        return r;
    }

    /**
     * A response on the stack's listener thread: {@code true} if it answers one of our refreshes. A 2xx restarts the
     * timer (a re-INVITE's 2xx gets its ACK; retransmissions are ACKed again by {@link SipLegs#reAck}).
     */
    boolean onResponse(ResponseEvent event) {
        Response r = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
        CallIdHeader callId = (CallIdHeader) r.getHeader(CallIdHeader.NAME);
        if (cseq == null || callId == null) {
            return false;
        }
        Refresh p = pending.get(callId.getCallId());
        if (p == null || p.cseq != cseq.getSeqNumber() || !p.method.equals(cseq.getMethod())) {
            return false;
        }
        if (r.getStatusCode() < 200) {
            return true;
        }
        if (!pending.remove(callId.getCallId(), p)) {
            return true;
        }
        SipLeg leg = p.leg;
        int status = r.getStatusCode();
        if (status >= 300) {
            if (status == 491) {
                synchronized (leg) {
                    leg.refreshing = false;
                    if (leg.state != SipLeg.State.ENDED) {
                        leg.sessionTimer = timer.schedule(() -> refreshDue(leg),
                                ThreadLocalRandom.current().nextLong(2_000), TimeUnit.MILLISECONDS);
                    }
                }
                return true;
            }
            failed(p, "the caller answered " + status);
            return true;
        }
        try {
            Request ack = Request.INVITE.equals(p.method) ? legs.dialogs().ack(p.session) : null;
            synchronized (leg) {
                leg.refreshing = false;
                if (ack != null) {
                    leg.lastAck = ack;
                }
                int interval = requestedIn(r);
                if (interval > 0 && interval != leg.sessionInterval) {
                    agreed(leg, interval, leg.ourRefresh);
                }
                refreshed(leg);
            }
        } catch (Exception | LinkageError e) {
            failed(p, e.toString());
        }
        return true;
    }

    private static int requestedIn(Message m) {
        Header h = m.getHeader(SessionExpiresHeader.NAME);
        return h instanceof SessionExpiresHeader se ? Math.max(0, se.getExpires()) : 0;
    }

    private void failed(Refresh p, String why) {
        MDC.put("call-id", p.leg.callId);
        try {
            synchronized (p.leg) {
                p.leg.refreshing = false;
                if (p.leg.state == SipLeg.State.ENDED) {
                    return; // it ended meanwhile (a BYE, a retrieve's end, a takeover elsewhere)
                }
            }
            LOG.info("Our session refresh of {} failed ({}): hanging up", p.leg, why);
            legs.hangUp(p.leg, Resolution.ABANDONED);
        } finally {
            MDC.remove("call-id");
        }
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
