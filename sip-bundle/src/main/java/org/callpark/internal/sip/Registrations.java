package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.callpark.api.TenantId;
import org.callpark.internal.shared.LocalCopy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

/**
 * Registered contacts, shared by the cluster: Hazelcast IMap {@value #MAP_NAME}, one entry per binding, key
 * {@code <tenant>/<extension>/<contact URI>}, value a JSON string, TTL = the binding's expiry. Only JDK types go into
 * Hazelcast, so no class of this bundle has to be known to other members (or survive a {@code bundle:update}).
 * <p>
 * {@link #lookup} answers from this node's copy of the map, kept by an entry listener (and by this node's own writes
 * at once): a lookup runs for every park by a phone that is not otherwise identified and for every recall, and a query
 * over the map's keys read every binding of the cluster each time (issue 17). The copy is made from the map when the
 * first lookup needs it and again whenever the member is another one; it follows another node's REGISTER within the
 * time its event takes to arrive ({@link LocalCopy}). {@link #close} removes the listener.
 */
public final class Registrations implements AutoCloseable {

    public static final String MAP_NAME = "callpark.registrations";

    /**
     * One registered contact.
     *
     * @param tenant    the tenant
     * @param extension the extension (the AOR's user)
     * @param contact   the contact URI
     * @param expiresAt when it expires, epoch milliseconds
     * @param source    where the REGISTER came from, {@code ip:port}
     * @param transport {@code udp} or {@code tcp}
     * @param callId    the REGISTER's Call-ID
     * @param cseq      the REGISTER's CSeq number
     */
    public record Binding(TenantId tenant, String extension, String contact, long expiresAt, String source,
            String transport, String callId, long cseq) {
        public Binding {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(extension, "extension");
            Objects.requireNonNull(contact, "contact");
        }

        /** The address of record, {@code <extension>@<tenant>}. */
        public String aor() {
            return extension + "@" + tenant.value();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<HazelcastInstance> hazelcast;
    private final LocalCopy<String, Binding> copy;

    /** @param hazelcast the running member (follows member restarts) */
    public Registrations(Supplier<HazelcastInstance> hazelcast) {
        this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        this.copy = new LocalCopy<>(hazelcast, MAP_NAME, Registrations::fromJson, (key, b) -> aorOf(key));
    }

    /** Stops following the map (a later lookup makes a new copy). */
    @Override
    public void close() {
        copy.close();
    }

    private IMap<String, String> map() {
        return hazelcast.get().getMap(MAP_NAME);
    }

    private static String prefix(TenantId tenant, String extension) {
        return tenant.value() + "/" + extension + "/";
    }

    /** Stores or refreshes a binding for {@code ttlSeconds}. */
    public void put(Binding binding, long ttlSeconds) {
        String key = prefix(binding.tenant(), binding.extension()) + binding.contact();
        map().put(key, toJson(binding), ttlSeconds, TimeUnit.SECONDS);
        copy.put(key, binding);
    }

    /** The number of bindings in the cluster now (expired ones are gone from the map). */
    public int size() {
        return map().size();
    }

    /** Removes one binding (nothing if absent). */
    public void remove(TenantId tenant, String extension, String contact) {
        String key = prefix(tenant, extension) + contact;
        map().delete(key);
        copy.remove(key);
    }

    /** Removes every binding of an AOR. */
    public void removeAll(TenantId tenant, String extension) {
        for (Binding b : lookup(tenant, extension)) {
            remove(tenant, extension, b.contact());
        }
    }

    /** The AOR's current bindings, the one that expires last first (the freshest contact for a recall). */
    public List<Binding> lookup(TenantId tenant, String extension) {
        // Tenant ids and extensions hold no LIKE wildcards ('%', '_'): the prefix matches literally.
        String prefix = prefix(tenant, extension);
        List<Binding> result = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Binding b : copy.group(prefix)) {
            if (b.expiresAt() > now) {
                result.add(b);
            }
        }
        result.sort(Comparator.comparingLong(Binding::expiresAt).reversed().thenComparing(Binding::contact));
        return result;
    }

    private static String aorOf(String key) {
        int second = key.indexOf('/', key.indexOf('/') + 1);
        return second < 0 ? key : key.substring(0, second + 1);
    }

    static String toJson(Binding b) {
        ObjectNode n = JSON.createObjectNode();
        n.put("tenant", b.tenant().value());
        n.put("extension", b.extension());
        n.put("contact", b.contact());
        n.put("expiresAt", b.expiresAt());
        n.put("source", b.source());
        n.put("transport", b.transport());
        n.put("callId", b.callId());
        n.put("cseq", b.cseq());
        return n.toString();
    }

    static Binding fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new Binding(TenantId.of(n.path("tenant").asText()), n.path("extension").asText(),
                    n.path("contact").asText(), n.path("expiresAt").asLong(), n.path("source").asText(),
                    n.path("transport").asText(), n.path("callId").asText(), n.path("cseq").asLong());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }
}
