package org.callpark.internal.xmpp;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link RosterSubscriberStore} in this JVM only (tests, a single Openfire without the cluster). */
public final class InMemoryRosterSubscriberStore implements RosterSubscriberStore {

    private final Map<String, Map<String, State>> slots = new ConcurrentHashMap<>();

    @Override
    public Map<String, State> subscribers(String slotJid) {
        Map<String, State> users = slots.get(slotJid);
        return users == null ? Map.of() : Map.copyOf(users);
    }

    @Override
    public boolean offer(String slotJid, String userJid) {
        return slots.computeIfAbsent(slotJid, k -> new ConcurrentHashMap<>()).putIfAbsent(userJid, State.OFFERED) == null;
    }

    @Override
    public void set(String slotJid, String userJid, State state) {
        slots.computeIfAbsent(slotJid, k -> new ConcurrentHashMap<>()).put(userJid, state);
    }

    @Override
    public Set<String> slots() {
        return Set.copyOf(slots.keySet());
    }
}
