package org.callpark.internal.blf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class InMemoryDialogSubscriptionStoreTest extends DialogSubscriptionStoreContract {

    @Override
    DialogSubscriptionStore store() {
        return new InMemoryDialogSubscriptionStore();
    }

    @Test
    void expiredSubscriptionsVanishAfterTheGrace() {
        AtomicLong now = new AtomicLong(System.currentTimeMillis());
        InMemoryDialogSubscriptionStore s = new InMemoryDialogSubscriptionStore(now::get);
        Subscription a = sub("c1", "default/ext/101");
        s.put(a);
        now.set(a.expiresAt() + HazelcastDialogSubscriptionStore.GRACE_MILLIS + 1);
        assertTrue(s.get(a.id()).isEmpty());
    }
}
