package org.callpark.internal.store;

import org.callpark.spi.SlotStore;

/** The in-memory fake passes the contract: both "nodes" are the same store. */
class InMemorySlotStoreTest extends SlotStoreContract {

    private final InMemorySlotStore store = new InMemorySlotStore("node-a");

    @Override
    protected SlotStore nodeA() {
        return store;
    }

    @Override
    protected SlotStore nodeB() {
        return store;
    }
}
