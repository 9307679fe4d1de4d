package org.callpark.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tenant: a company on the shared server, with its own extensions, groups and slots.
 *
 * @param id             the identifier
 * @param name           a name for people
 * @param domains        the SIP domains it claims (lower case); the default tenant also serves every unclaimed domain
 * @param xmppDomain     the XMPP domain its users' JIDs live in (may be empty)
 * @param recallDefaults the recall rules for calls parked by users who are in no park group
 * @param blf            how BLF keys are told about parked calls ({@link BlfOptions#DEFAULT} if {@code null})
 * @param realm          the configured SIP digest realm, or empty (see {@link #digestRealm()})
 * @param dialPlan       the feature codes its users dial ({@link DialPlan#DEFAULT} if {@code null})
 * @param recallLabels   the Alert-Info and caller-ID prefix of its recalls ({@link RecallLabels#INHERIT} if
 *                       {@code null}); a park group's own override them
 * @param language       the language of the prompts its callers hear, a BCP 47 tag such as {@code de} or
 *                       {@code pt-BR} ({@link #isLanguageTag}), or empty for the media bundle's default language
 * @param finalDestination where a call goes when every recall attempt went unanswered, for calls of park groups that
 *                       set none and of users in no park group (syntax: {@link ParkGroup#finalDestination()}); empty:
 *                       {@value RecallPolicy#PROMPT_AND_HANGUP}
 * @since 1.7 {@code language}, {@code finalDestination}
 */
public record Tenant(TenantId id, String name, List<String> domains, String xmppDomain, RecallPolicy recallDefaults,
        BlfOptions blf, String realm, DialPlan dialPlan, RecallLabels recallLabels, String language,
        String finalDestination) {

    /** A tenant whose calls end in the final prompt unless their park group sets a final destination. */
    public Tenant(TenantId id, String name, List<String> domains, String xmppDomain, RecallPolicy recallDefaults,
            BlfOptions blf, String realm, DialPlan dialPlan, RecallLabels recallLabels, String language) {
        this(id, name, domains, xmppDomain, recallDefaults, blf, realm, dialPlan, recallLabels, language, "");
    }

    /** The realm of a tenant that configures none and claims no domain. */
    public static final String DEFAULT_REALM = "callpark";

    /**
     * A language tag as prompts are looked up by ({@code prompts/<tag>/}): a BCP 47 language subtag of 2 or 3 letters,
     * optionally a script (4 letters) and a region (2 letters or 3 digits), e.g. {@code de}, {@code pt-BR},
     * {@code zh-Hant-TW}, {@code es-419}. Case does not matter. Also a safe directory name (no dot, no slash).
     */
    private static final Pattern LANGUAGE_TAG = Pattern
            .compile("(?i)[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?");

    /** A tenant with the media bundle's default prompt language. */
    public Tenant(TenantId id, String name, List<String> domains, String xmppDomain, RecallPolicy recallDefaults,
            BlfOptions blf, String realm, DialPlan dialPlan, RecallLabels recallLabels) {
        this(id, name, domains, xmppDomain, recallDefaults, blf, realm, dialPlan, recallLabels, "");
    }

    /** A tenant with the default feature codes ({@link DialPlan#DEFAULT}) and recall labels inherited. */
    public Tenant(TenantId id, String name, List<String> domains, String xmppDomain, RecallPolicy recallDefaults,
            BlfOptions blf, String realm) {
        this(id, name, domains, xmppDomain, recallDefaults, blf, realm, DialPlan.DEFAULT, RecallLabels.INHERIT);
    }

    /** A tenant whose realm derives from its domains. */
    public Tenant(TenantId id, String name, List<String> domains, String xmppDomain, RecallPolicy recallDefaults,
            BlfOptions blf) {
        this(id, name, domains, xmppDomain, recallDefaults, blf, "");
    }

    /** A tenant with the default BLF options. */
    public Tenant(TenantId id, String name, List<String> domains, String xmppDomain, RecallPolicy recallDefaults) {
        this(id, name, domains, xmppDomain, recallDefaults, BlfOptions.DEFAULT);
    }

    public Tenant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(recallDefaults, "recallDefaults");
        blf = blf == null ? BlfOptions.DEFAULT : blf;
        name = name == null || name.isBlank() ? id.value() : name;
        domains = domains == null ? List.of() : List.copyOf(domains);
        xmppDomain = xmppDomain == null ? "" : xmppDomain;
        realm = realm == null ? "" : realm.trim();
        dialPlan = dialPlan == null ? DialPlan.DEFAULT : dialPlan;
        recallLabels = recallLabels == null ? RecallLabels.INHERIT : recallLabels;
        language = language == null ? "" : language.trim();
        finalDestination = finalDestination == null ? "" : finalDestination.trim();
    }

    /**
     * Whether {@code tag} is a language tag prompts can be kept under: language (2 or 3 letters), optional script (4
     * letters), optional region (2 letters or 3 digits), separated by {@code -}; e.g. {@code de}, {@code pt-BR}.
     *
     * @since 1.7
     */
    public static boolean isLanguageTag(String tag) {
        return tag != null && LANGUAGE_TAG.matcher(tag).matches();
    }

    /**
     * This tenant with other settings an administrator edits as "tenant settings" (REST, web admin); every other
     * component stays as it is.
     *
     * @since 1.7
     */
    public Tenant withSettings(DialPlan dialPlan, RecallLabels recallLabels, String language) {
        return withSettings(dialPlan, recallLabels, language, finalDestination);
    }

    /**
     * This tenant with all the settings an administrator edits as "tenant settings", the final destination included.
     *
     * @since 1.7
     */
    public Tenant withSettings(DialPlan dialPlan, RecallLabels recallLabels, String language,
            String finalDestination) {
        return new Tenant(id, name, domains, xmppDomain, recallDefaults, blf, realm, dialPlan, recallLabels,
                language, finalDestination);
    }

    /**
     * The SIP digest realm of this tenant's users, the one rule for it: the configured {@code realm}, else the first
     * domain it claims, else {@value #DEFAULT_REALM}. A fact of the directory alone (never the request's host), so
     * that the HA1 of a user can be computed when the directory is written.
     */
    public String digestRealm() {
        if (!realm.isEmpty()) {
            return realm;
        }
        return sipDomain().orElse(DEFAULT_REALM);
    }

    /**
     * The tenant's SIP domain: the first domain it claims, which is where its users, slots and feature codes live
     * ({@code sip:*88102@<domain>}). Empty for a tenant that claims none (the default tenant may serve only unclaimed
     * domains and IP literals): the caller then knows best (the request's host, the advertised address).
     */
    public Optional<String> sipDomain() {
        return domains.isEmpty() ? Optional.empty() : Optional.of(domains.get(0));
    }
}
