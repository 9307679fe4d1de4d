package org.callpark.internal.blf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class InMemorySubscriptionStoreTest extends SubscriptionStoreContract {

    @Override
    SubscriptionStore store() {
        return new InMemorySubscriptionStore();
    }

    @Test
    void expiredSubscriptionsVanishAfterTheGrace() {
        AtomicLong now = new AtomicLong(System.currentTimeMillis());
        InMemorySubscriptionStore s = new InMemorySubscriptionStore(now::get);
        Subscription a = sub("c1", "default/ext/101");
        s.put(a);
        now.set(a.expiresAt() + HazelcastSubscriptionStore.GRACE_MILLIS + 1);
        assertTrue(s.get(a.id()).isEmpty());
    }
}
