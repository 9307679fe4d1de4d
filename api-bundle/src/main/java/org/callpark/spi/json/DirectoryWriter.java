package org.callpark.spi.json;

import static org.callpark.spi.json.DirectoryKeys.*;

import java.util.LinkedHashMap;
import java.util.Map;

import org.callpark.api.DialPlan;
import org.callpark.api.Directory;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallPolicy;
import org.callpark.api.RingGroup;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;

/**
 * Writes a directory as the flat configuration {@link DirectoryParser} reads, every key explicit except empty optional
 * ones (xmppDomain, jid, number, realm), all values strings
 * (lists comma-separated) so that the {@code .cfg} file FileInstall writes back stays readable. Disabled park groups
 * are runtime state and are not written. For a valid directory {@code parse(write(d))} equals {@code d}.
 * <p>
 * A user is written with {@code password} if the password is known, else with {@code ha1}. What leaves the node (the
 * Hazelcast maps, and so the other nodes' files) is {@link #writePublished}: never a password.
 */
public final class DirectoryWriter {

    public Map<String, String> write(Directory directory) {
        return write(DirectoryModel.of(directory));
    }

    /** As {@link #write(Directory)}, every password replaced by its HA1 in the tenant's realm. */
    public Map<String, String> writePublished(Directory directory) {
        return writePublished(DirectoryModel.of(directory));
    }

    /**
     * As {@link #write(DirectoryModel)}, every password replaced by its HA1 in the tenant's realm
     * ({@code Tenant.digestRealm()}): the form the directory takes in the cluster's maps.
     */
    public Map<String, String> writePublished(DirectoryModel m) {
        Map<String, String> realms = new java.util.HashMap<>();
        m.tenants().forEach(t -> realms.put(t.id().value(), t.digestRealm()));
        return write(new DirectoryModel(m.defaultTenant(), m.tenants(), m.users().stream()
                .map(u -> u.withHa1Only(realms.getOrDefault(u.tenant().value(), Tenant.DEFAULT_REALM))).toList(),
                m.ringGroups(), m.parkGroups()));
    }

    public Map<String, String> write(DirectoryModel m) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(DEFAULT_TENANT, m.defaultTenant().value());
        p.put(TENANTS, String.join(", ", m.tenants().stream().map(t -> t.id().value()).toList()));
        for (Tenant t : m.tenants()) {
            TenantId id = t.id();
            RecallPolicy r = t.recallDefaults();
            p.put(tenantKey(id, NAME), t.name());
            p.put(tenantKey(id, DOMAINS), String.join(", ", t.domains()));
            putOptional(p, tenantKey(id, XMPP_DOMAIN), t.xmppDomain());
            p.put(tenantKey(id, RECALL_MODE), r.mode().name());
            p.put(tenantKey(id, RECALL_RING_GROUP), r.ringGroup() == null ? "" : r.ringGroup());
            p.put(tenantKey(id, RECALL_RING_DURATION), Durations.format(r.ringDuration()));
            p.put(tenantKey(id, RECALL_WAIT), Durations.format(r.waitBeforeRingGroup()));
            p.put(tenantKey(id, RECALL_RETRIES), Integer.toString(r.retries()));
            p.put(tenantKey(id, BLF_STATE), t.blf().state().name().toLowerCase(java.util.Locale.ROOT));
            p.put(tenantKey(id, BLF_BROADWORKS), Boolean.toString(t.blf().broadWorks()));
            putOptional(p, tenantKey(id, REALM), t.realm());
            putOptional(p, tenantKey(id, RECALL_ALERT_INFO), t.recallLabels().alertInfo());
            putOptional(p, tenantKey(id, RECALL_CALLER_ID_PREFIX), t.recallLabels().callerIdPrefix());
            putOptional(p, tenantKey(id, LANGUAGE), t.language());
            putOptional(p, tenantKey(id, FINAL_DESTINATION), t.finalDestination());
            if (!t.dialPlan().equals(DialPlan.DEFAULT)) { // the seed's codes stay out of the file, as before
                p.put(tenantKey(id, PARK_CODE), t.dialPlan().parkCode());
                p.put(tenantKey(id, RETRIEVE_CODE), t.dialPlan().retrieveCode());
                p.put(tenantKey(id, GROUP_PARK_CODE), t.dialPlan().groupParkCode());
            }
        }
        for (User u : m.users()) {
            p.put(userKey(u.tenant(), u.extension(), NAME), u.displayName());
            if (u.ha1().isEmpty() || !u.sipPassword().isEmpty()) {
                p.put(userKey(u.tenant(), u.extension(), PASSWORD), u.sipPassword());
            }
            putOptional(p, userKey(u.tenant(), u.extension(), HA1), u.ha1());
            putOptional(p, userKey(u.tenant(), u.extension(), JID), u.jid());
            putOptional(p, userKey(u.tenant(), u.extension(), LOGIN), u.login());
        }
        for (RingGroup g : m.ringGroups()) {
            p.put(ringGroupKey(g.tenant(), g.name(), MEMBERS), String.join(", ", g.members()));
        }
        for (ParkGroup g : m.parkGroups()) {
            if (g.disabled()) {
                continue;
            }
            putOptional(p, parkGroupKey(g.tenant(), g.name(), NUMBER), g.number());
            p.put(parkGroupKey(g.tenant(), g.name(), MEMBERS), String.join(", ", g.members()));
            p.put(parkGroupKey(g.tenant(), g.name(), RECALL_TO), g.recallTo().name());
            p.put(parkGroupKey(g.tenant(), g.name(), RING_GROUP_NAME), g.ringGroup());
            p.put(parkGroupKey(g.tenant(), g.name(), RING_DURATION), Durations.format(g.ringDuration()));
            p.put(parkGroupKey(g.tenant(), g.name(), WAIT), Durations.format(g.waitBeforeRingGroup()));
            p.put(parkGroupKey(g.tenant(), g.name(), RETRIES), Integer.toString(g.retries()));
            putOptional(p, parkGroupKey(g.tenant(), g.name(), ALERT_INFO), g.recallLabels().alertInfo());
            putOptional(p, parkGroupKey(g.tenant(), g.name(), CALLER_ID_PREFIX), g.recallLabels().callerIdPrefix());
            putOptional(p, parkGroupKey(g.tenant(), g.name(), FINAL_DESTINATION), g.finalDestination());
        }
        return p;
    }

    /** The optional settings (xmppDomain, jid, number, realm, ha1) are left out when empty; they read back as empty. */
    private static void putOptional(Map<String, String> p, String key, String value) {
        if (!value.isEmpty()) {
            p.put(key, value);
        }
    }
}
