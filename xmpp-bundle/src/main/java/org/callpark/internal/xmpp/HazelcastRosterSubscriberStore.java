package org.callpark.internal.xmpp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

/**
 * The cluster-wide {@link RosterSubscriberStore}: the Hazelcast map {@value #MAP} from slot JID to a JSON object
 * {@code {"bob@example.com":"SUBSCRIBED", …}} (plain strings: no class of ours enters Hazelcast). Changes are
 * compare-and-set ({@code putIfAbsent}/{@code replace(key, old, new)}) retried until they win, so two nodes offering
 * the same slot at once send one {@code subscribe} between them.
 */
public final class HazelcastRosterSubscriberStore implements RosterSubscriberStore {

    /** The map's name. */
    public static final String MAP = "callpark.xmpp.subscribers";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, State>> TYPE = new TypeReference<>() {
    };

    private final Supplier<HazelcastInstance> hazelcast;

    /** @param hazelcast the member (or client) to use, looked up at each call (it may be restarted) */
    public HazelcastRosterSubscriberStore(Supplier<HazelcastInstance> hazelcast) {
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
    }

    private IMap<String, String> map() {
        return hazelcast.get().getMap(MAP);
    }

    @Override
    public Map<String, State> subscribers(String slotJid) {
        return decode(map().get(slotJid));
    }

    @Override
    public boolean offer(String slotJid, String userJid) {
        boolean[] offered = {false};
        update(slotJid, users -> {
            offered[0] = !users.containsKey(userJid);
            if (offered[0]) {
                users.put(userJid, State.OFFERED);
            }
            return users;
        });
        return offered[0];
    }

    @Override
    public void set(String slotJid, String userJid, State state) {
        Objects.requireNonNull(state, "state");
        update(slotJid, users -> {
            users.put(userJid, state);
            return users;
        });
    }

    @Override
    public Set<String> slots() {
        return Set.copyOf(map().keySet());
    }

    private void update(String slotJid, UnaryOperator<Map<String, State>> change) {
        IMap<String, String> map = map();
        while (true) {
            String old = map.get(slotJid);
            Map<String, State> users = new TreeMap<>(decode(old));
            String next = encode(change.apply(users));
            if (next.equals(old)) {
                return;
            }
            if (old == null ? map.putIfAbsent(slotJid, next) == null : map.replace(slotJid, old, next)) {
                return;
            }
        }
    }

    private static Map<String, State> decode(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            Map<String, State> users = new LinkedHashMap<>(JSON.readValue(json, TYPE));
            users.values().removeIf(Objects::isNull);
            return users;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable subscriber record: " + e.getOriginalMessage(), e);
        }
    }

    private static String encode(Map<String, State> users) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(users));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
