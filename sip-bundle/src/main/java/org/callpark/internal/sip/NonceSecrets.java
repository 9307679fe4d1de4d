package org.callpark.internal.sip;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
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
 * The secrets digest nonces are signed with, one per hour ({@link #ROTATION}) and the same on every node of the
 * cluster, so that a phone challenged by node A may answer node B (issue 14 S2). A nonce carries the time it was issued,
 * which names its hour, so checking needs no state of its own: the secret of that hour.
 * <p>
 * The secret of an hour is created by the first node that issues a nonce in it ({@code putIfAbsent} in the Hazelcast
 * IMap {@value #MAP_NAME}, key the hour number, value 32 random bytes, TTL two hours plus the nonce lifetime, so the
 * previous hour's nonces stay valid for their lifetime) and cached per node: an hour's secret never changes once set.
 * Without a running member (unit tests, a member that went away) the node signs with secrets of its own; nonces
 * issued then are only valid at this node, which answers the others' with a new challenge.
 * <p>
 * Anyone who can read the cluster's maps can read the secrets (Hazelcast Community has no authentication); they can
 * forge nonces with it, which buys nothing without a password — nonces only bound the lifetime of a response.
 */
final class NonceSecrets {

    private static final Logger LOG = LoggerFactory.getLogger(NonceSecrets.class);

    static final String MAP_NAME = "callpark.nonce-secrets";
    static final Duration ROTATION = Duration.ofHours(1);

    private final Supplier<HazelcastInstance> hazelcast;
    private final SecureRandom random = new SecureRandom();
    /** Secrets read from or written to the cluster, by hour. */
    private final ConcurrentMap<Long, byte[]> cluster = new ConcurrentHashMap<>();
    /** Secrets of this node alone while there is no member, by hour. */
    private final ConcurrentMap<Long, byte[]> local = new ConcurrentHashMap<>();

    /** @param hazelcast the running member, or a supplier of {@code null} for node-local secrets */
    NonceSecrets(Supplier<HazelcastInstance> hazelcast) {
        this.hazelcast = hazelcast;
    }

    static long hourOf(long millis) {
        return Math.floorDiv(millis, ROTATION.toMillis());
    }

    /** The secret to sign a nonce issued at {@code millis} with, created if this hour has none yet. */
    byte[] forIssuing(long millis) {
        long hour = hourOf(millis);
        byte[] known = cluster.get(hour);
        if (known != null) {
            return known;
        }
        IMap<Long, byte[]> map = map();
        if (map != null) {
            try {
                byte[] fresh = newSecret();
                byte[] existing = map.putIfAbsent(hour, fresh, ROTATION.multipliedBy(2).plus(DigestAuth.NONCE_LIFETIME)
                        .toMillis(), TimeUnit.MILLISECONDS);
                byte[] secret = existing != null ? existing : fresh;
                prune(hour);
                byte[] raced = cluster.putIfAbsent(hour, secret);
                return raced != null ? raced : secret;
            } catch (HazelcastException | IllegalStateException e) {
                LOG.debug("No cluster nonce secret ({}); signing with this node's own", e.toString());
            }
        }
        return local.computeIfAbsent(hour, h -> newSecret());
    }

    /** The secrets a nonce issued at {@code millis} may be signed with: the cluster's, then this node's own. */
    Optional<byte[]> clusterSecret(long millis) {
        long hour = hourOf(millis);
        byte[] known = cluster.get(hour);
        if (known != null) {
            return Optional.of(known);
        }
        IMap<Long, byte[]> map = map();
        if (map == null) {
            return Optional.empty();
        }
        try {
            byte[] secret = map.get(hour);
            if (secret != null) {
                cluster.putIfAbsent(hour, secret);
            }
            return Optional.ofNullable(secret);
        } catch (HazelcastException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    Optional<byte[]> localSecret(long millis) {
        return Optional.ofNullable(local.get(hourOf(millis)));
    }

    private IMap<Long, byte[]> map() {
        HazelcastInstance hz = hazelcast.get();
        if (hz == null || !hz.getLifecycleService().isRunning()) {
            return null;
        }
        return hz.getMap(MAP_NAME);
    }

    private byte[] newSecret() {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return secret;
    }

    /** Forgets the secrets of hours whose nonces have all expired. */
    private void prune(long current) {
        cluster.keySet().removeIf(h -> h < current - 1);
        local.keySet().removeIf(h -> h < current - 1);
    }
}
