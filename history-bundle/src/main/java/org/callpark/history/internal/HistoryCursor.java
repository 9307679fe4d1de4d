package org.callpark.history.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page of history ended: the last record's {@code (ended_at, call_id)}, the keyset the next (older) page
 * continues below. Opaque to clients (URL-safe Base64 of {@code <epoch ms>:<call id>}), so that the paging stays
 * stable while new calls are written and no offset is ever scanned.
 */
record HistoryCursor(Instant endedAt, String callId) {

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((endedAt.toEpochMilli() + ":" + callId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws IllegalArgumentException if {@code text} is not a cursor this class made
     */
    static HistoryCursor decode(String text) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new IllegalArgumentException("malformed");
            }
            return new HistoryCursor(Instant.ofEpochMilli(Long.parseLong(s.substring(0, colon))),
                    s.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid history cursor '" + text + "'", e);
        }
    }
}
