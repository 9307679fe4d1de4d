package org.callpark.spi.json;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.callpark.api.RecallMode;
import org.callpark.api.TenantId;

/**
 * The property keys of the directory configuration (PID {@value #PID}), their defaults, and the words that name a
 * tenant, user or group in violation messages. Parser, validator and writer share them so that a violation's field is
 * always the key an administrator would edit.
 * <p>
 * In the api bundle (with {@link DirectoryParser} and {@link DirectoryWriter}) because a process outside the park
 * core reads the published directory with them ({@link DirectorySnapshot}); the park core's validator uses the same
 * keys and words. Not for other bundles to build on: the key names are the configuration's, documented in
 * the shipped {@code org.callpark.directory.cfg}.
 */
public final class DirectoryKeys {

    public static final String PID = "org.callpark.directory";

    public static final String DEFAULT_TENANT = "defaultTenant";
    public static final String TENANTS = "tenants";

    public static final String TENANT = "tenant";
    public static final String USER = "user";
    public static final String RING_GROUP = "ringgroup";
    public static final String PARK_GROUP = "parkgroup";
    public static final List<String> KINDS = List.of(TENANT, USER, RING_GROUP, PARK_GROUP);

    // tenant.<t>.<attr>
    public static final String NAME = "name";
    public static final String DOMAINS = "domains";
    public static final String XMPP_DOMAIN = "xmppDomain";
    public static final String RECALL_MODE = "recall.mode";
    public static final String RECALL_RING_GROUP = "recall.ringGroup";
    public static final String RECALL_RING_DURATION = "recall.ringDuration";
    public static final String RECALL_WAIT = "recall.waitBeforeRingGroup";
    public static final String RECALL_RETRIES = "recall.retries";
    /** BLF: the dialog state of a parked call, {@code confirmed} (default) or {@code early}. */
    public static final String BLF_STATE = "blf.state";
    /** BLF: whether the BroadWorks {@code <bw:callpark>} element is added, {@code true} or {@code false} (default). */
    public static final String BLF_BROADWORKS = "blf.broadworks";
    /** The SIP digest realm; empty: the first domain, else {@code callpark} ({@code Tenant.digestRealm()}). */
    public static final String REALM = "realm";
    /** The park code ({@code DialPlan.parkCode}); empty: {@code *68}. */
    public static final String PARK_CODE = "parkCode";
    /** The retrieve code ({@code DialPlan.retrieveCode}); empty: {@code *88}. */
    public static final String RETRIEVE_CODE = "retrieveCode";
    /** The group park code ({@code DialPlan.groupParkCode}); empty: {@code *58}. */
    public static final String GROUP_PARK_CODE = "groupParkCode";
    /** The Alert-Info of the tenant's recalls ({@code RecallLabels.alertInfo}); empty: the SIP configuration's. */
    public static final String RECALL_ALERT_INFO = "recall.alertInfo";
    /** The caller-ID prefix of the tenant's recalls ({@code RecallLabels.callerIdPrefix}); empty: {@code Parked:}. */
    public static final String RECALL_CALLER_ID_PREFIX = "recall.callerIdPrefix";
    /** The language of the tenant's prompts ({@code Tenant.language}, BCP 47); empty: the media bundle's default. */
    public static final String LANGUAGE = "language";
    /**
     * Where a call goes after its last unanswered recall ({@code Tenant.finalDestination}, a park group's
     * {@code ParkGroup.finalDestination}): {@code prompt-and-hangup}, an extension, {@code ringgroup:<name>} or
     * {@code sip:user@host[:port]}; empty: the tenant's, else {@code prompt-and-hangup}. Since 1.3.
     */
    public static final String FINAL_DESTINATION = "finalDestination";
    public static final List<String> TENANT_ATTRS = List.of(NAME, DOMAINS, XMPP_DOMAIN, RECALL_MODE, RECALL_RING_GROUP,
            RECALL_RING_DURATION, RECALL_WAIT, RECALL_RETRIES, BLF_STATE, BLF_BROADWORKS, REALM, PARK_CODE,
            RETRIEVE_CODE, GROUP_PARK_CODE, RECALL_ALERT_INFO, RECALL_CALLER_ID_PREFIX, LANGUAGE, FINAL_DESTINATION);

    // user.<t>.<ext>.<attr>
    public static final String PASSWORD = "password";
    public static final String JID = "jid";
    /** MD5(ext:realm:password) in hex, instead of {@value #PASSWORD}: what the cluster's maps carry. */
    public static final String HA1 = "ha1";
    /** The web user (Karaf JAAS user name) linked to the extension ({@code User.login}); optional. */
    public static final String LOGIN = "login";
    public static final List<String> USER_ATTRS = List.of(NAME, PASSWORD, JID, HA1, LOGIN);

    // ringgroup.<t>.<name>.<attr>
    public static final String MEMBERS = "members";
    public static final List<String> RING_GROUP_ATTRS = List.of(MEMBERS);

    // parkgroup.<t>.<name>.<attr>
    public static final String NUMBER = "number";
    public static final String RECALL_TO = "recallTo";
    public static final String RING_GROUP_NAME = "ringGroup";
    public static final String RING_DURATION = "ringDuration";
    public static final String WAIT = "waitBeforeRingGroup";
    public static final String RETRIES = "retries";
    /** The Alert-Info of the group's recalls; empty: the tenant's. */
    public static final String ALERT_INFO = "alertInfo";
    /** The caller-ID prefix of the group's recalls; empty: the tenant's. */
    public static final String CALLER_ID_PREFIX = "callerIdPrefix";
    public static final List<String> PARK_GROUP_ATTRS = List.of(NUMBER, MEMBERS, RECALL_TO, RING_GROUP_NAME,
            RING_DURATION, WAIT, RETRIES, ALERT_INFO, CALLER_ID_PREFIX, FINAL_DESTINATION);

    /** Recall defaults for a tenant's users outside park groups and for unset park group settings. */
    public static final RecallMode DEFAULT_MODE = RecallMode.USER_ONLY;
    public static final Duration DEFAULT_RING_DURATION = Duration.ofSeconds(45);
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 3;

    /** The ConfigAdmin/FileInstall key that names the file a configuration came from. */
    public static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private DirectoryKeys() {
    }

    /** ConfigAdmin, FileInstall and DS bookkeeping, never part of the directory. */
    public static boolean isBookkeeping(String key) {
        return key.startsWith("service.") || key.startsWith("felix.") || key.startsWith("component.")
                || key.startsWith("osgi.");
    }

    public static String tenantKey(String tenant, String attr) {
        return TENANT + "." + tenant + "." + attr;
    }

    public static String userKey(String tenant, String extension, String attr) {
        return USER + "." + tenant + "." + extension + "." + attr;
    }

    public static String ringGroupKey(String tenant, String name, String attr) {
        return RING_GROUP + "." + tenant + "." + name + "." + attr;
    }

    public static String parkGroupKey(String tenant, String name, String attr) {
        return PARK_GROUP + "." + tenant + "." + name + "." + attr;
    }

    public static String tenantKey(TenantId tenant, String attr) {
        return tenantKey(tenant.value(), attr);
    }

    public static String userKey(TenantId tenant, String extension, String attr) {
        return userKey(tenant.value(), extension, attr);
    }

    public static String ringGroupKey(TenantId tenant, String name, String attr) {
        return ringGroupKey(tenant.value(), name, attr);
    }

    public static String parkGroupKey(TenantId tenant, String name, String attr) {
        return parkGroupKey(tenant.value(), name, attr);
    }

    // --- words for messages ---

    public static String tenantWords(String tenant) {
        return "tenant '" + tenant + "'";
    }

    public static String userWords(String tenant, String extension) {
        return tenantWords(tenant) + ", user " + extension;
    }

    public static String ringGroupWords(String tenant, String name) {
        return tenantWords(tenant) + ", ring group '" + name + "'";
    }

    public static String parkGroupWords(String tenant, String name) {
        return tenantWords(tenant) + ", park group '" + name + "'";
    }

    public static String recallDefaultsWords(String tenant) {
        return tenantWords(tenant) + ", recall defaults";
    }

    /**
     * The closest of {@code candidates} to a misspelt word (at most two edits, ignoring case), or {@code null}.
     */
    public static String suggest(String word, List<String> candidates) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best;
    }

    /** Levenshtein distance with adjacent transpositions (so {@code retires} is one edit from {@code retries}). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
