package org.callpark.internal.sip;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

/**
 * The highest nonce-count (RFC 2617 {@code nc}) each nonce was used with for REGISTER, so that a captured REGISTER
 * replayed within the nonce lifetime (another Contact, same Authorization) is refused (issue 14 R4): every use of a
 * nonce must carry a higher {@code nc} than the last; a response without {@code qop} (RFC 2069, no {@code nc}) counts
 * as {@code nc=1}, so its nonce is good for one REGISTER.
 * <p>
 * Shared by the cluster (Hazelcast IMap {@value #MAP_NAME}, key {@code user + " " + nonce}, value the count, TTL the
 * nonce lifetime) so that a replay to another node is refused too; raised with {@code putIfAbsent} and
 * {@code replace(key, old, new)}, so two nodes cannot both accept the same count. Without a running member the counts
 * are this node's own.
 */
final class NonceCounts {

    private static final Logger LOG = LoggerFactory.getLogger(NonceCounts.class);

    static final String MAP_NAME = "callpark.nonce-counts";

    private final Supplier<HazelcastInstance> hazelcast;
    /** Node-local counts: {@code {nc, expires-at millis}}. */
    private final ConcurrentMap<String, long[]> local = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    /** @param hazelcast the running member, or a supplier of {@code null} for node-local counts */
    NonceCounts(Supplier<HazelcastInstance> hazelcast) {
        this.hazelcast = hazelcast;
    }

    /**
     * Records {@code nc} for {@code nonce} if it is higher than every count used with it so far.
     *
     * @return whether it was (the request is fresh); {@code false} for a replay
     */
    boolean advance(String user, String nonce, long nc) {
        String key = user + " " + nonce;
        long ttl = DigestAuth.NONCE_LIFETIME.toMillis() + 1_000;
        HazelcastInstance hz = hazelcast.get();
        if (hz != null && hz.getLifecycleService().isRunning()) {
            try {
                IMap<String, Long> map = hz.getMap(MAP_NAME);
                for (int attempt = 0; attempt < 16; attempt++) {
                    Long seen = map.putIfAbsent(key, nc, ttl, TimeUnit.MILLISECONDS);
                    if (seen == null) {
                        return true;
                    }
                    if (seen >= nc) {
                        return false;
                    }
                    if (map.replace(key, seen, nc)) {
                        map.setTtl(key, ttl, TimeUnit.MILLISECONDS);
                        return true;
                    }
                }
                return false;
            } catch (HazelcastException | IllegalStateException e) {
                LOG.debug("No cluster nonce counts ({}); counting at this node", e.toString());
            }
        }
        long now = System.currentTimeMillis();
        sweep(now);
        boolean[] fresh = {false};
        local.compute(key, (k, seen) -> {
            fresh[0] = seen == null || seen[1] < now || seen[0] < nc;
            return fresh[0] ? new long[] {nc, now + ttl} : seen;
        });
        return fresh[0];
    }

    /** Drops node-local counts whose nonces have expired, at most once a second. */
    private void sweep(long now) {
        if (now - lastSweep > 1_000) {
            lastSweep = now;
            local.values().removeIf(v -> v[1] < now);
        }
    }
}
