package org.callpark.internal.sip;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import javax.sip.message.Request;

/**
 * Park INVITEs in progress per source IP: from the moment one is taken on until its caller ACKs our 200 (or the leg
 * ends without it). Each one holds a media port and a parked call, and an unauthenticated sender needs nothing but UDP
 * to start them, so one source may only have {@link SipSettings#parksInProgressPerSource()} at once; the next is
 * refused before anything is opened. Trusted proxies carry many phones' calls and are not counted.
 * <p>
 * A leg remembers the source it counts against ({@link SipLeg#inProgressFrom}, under its monitor), so that leaving
 * happens exactly once whichever way the leg goes on (ACK, BYE, CANCEL, refusal, dialog time-out).
 */
final class ParksInProgress {

    private final Supplier<SipSettings> settings;
    private final Map<String, Integer> bySource = new ConcurrentHashMap<>();

    ParksInProgress(Supplier<SipSettings> settings) {
        this.settings = settings;
    }

    /**
     * Counts a new park INVITE against its source.
     *
     * @return the key it counts under ({@code ""}: not counted, a trusted proxy), or {@code null} if the source has
     *         its limit of parks in progress already (refuse it)
     */
    String enter(Request request) {
        SipSettings s = settings.get();
        String ip = SipMessages.sourceIp(request);
        if (ip == null || s.trusted(ip)) {
            return "";
        }
        int limit = s.parksInProgressPerSource();
        boolean[] admitted = {false};
        bySource.compute(ip, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0] ? ip : null;
    }

    /** The leg's park is no longer in progress (acknowledged or ended); nothing if it was not counted or left. */
    void leave(SipLeg leg) {
        String ip;
        synchronized (leg) {
            ip = leg.inProgressFrom;
            leg.inProgressFrom = null;
        }
        if (ip != null && !ip.isEmpty()) {
            bySource.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Parks in progress from {@code ip} now (tests, diagnostics). */
    int from(String ip) {
        return bySource.getOrDefault(ip, 0);
    }
}
