package org.callpark.internal.sip;

import org.callpark.api.Tenant;
import org.callpark.api.TenantId;

/**
 * The prompts this bundle plays, named for the media bundle in the language of the call's tenant
 * ({@code tenant.<t>.language}): {@code de/nobody-available}, or the bare name for a tenant without a language
 * (the media bundle's default language). The media bundle falls back from there (region, language, default,
 * shipped) and says once when a language lacks a file; nothing here knows which files exist.
 */
final class Prompts {

    /** A retrieve found nothing to take (or the caller went away meanwhile). */
    static final String NOTHING_PARKED = "nothing-parked";
    /** The last recall went unanswered: played before the hang-up. */
    static final String NOBODY_AVAILABLE = "nobody-available";

    private Prompts() {
    }

    /** {@code prompt} in {@code tenant}'s language ({@code null}: the default language). */
    static String in(Tenant tenant, String prompt) {
        return tenant == null || tenant.language().isEmpty() ? prompt : tenant.language() + "/" + prompt;
    }

    /**
     * {@code prompt} in the language of the tenant with id {@code tenant} in the current directory; the default
     * language if the tenant is gone or the core is away (a prompt in the wrong language beats no prompt).
     */
    static String in(CoreAccess core, TenantId tenant, String prompt) {
        try {
            return in(core.currentDirectory().tenant(tenant).orElse(null), prompt);
        } catch (CoreAwayException e) {
            return prompt;
        }
    }
}
