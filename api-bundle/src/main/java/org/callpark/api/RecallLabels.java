package org.callpark.api;

/**
 * How a recall presents itself on the phone that rings, per park group and per tenant (BroadWorks sets them per
 * group): a park group's labels override its tenant's, the tenant's override the SIP configuration's global ones. An
 * empty value inherits.
 *
 * @param alertInfo      the {@code Alert-Info} header value of recall INVITEs ({@code <uri>;params}, comma-separated),
 *                       {@value #NO_ALERT_INFO} for none, or empty to inherit
 * @param callerIdPrefix the text before the parked caller's name in the recall's caller ID ({@code Parked:} gives
 *                       {@code "Parked: Customer"}; a space always follows it), or empty to inherit
 */
public record RecallLabels(String alertInfo, String callerIdPrefix) {

    /** Inherits both. */
    public static final RecallLabels INHERIT = new RecallLabels("", "");
    /** The {@code alertInfo} that sends no Alert-Info even when a wider level sets one. */
    public static final String NO_ALERT_INFO = "none";
    /** The prefix when no level sets one: the seed's. */
    public static final String DEFAULT_PREFIX = "Parked:";

    public RecallLabels {
        alertInfo = alertInfo == null ? "" : alertInfo.trim();
        callerIdPrefix = callerIdPrefix == null ? "" : callerIdPrefix.trim();
    }

    /** These labels, each empty one taken from {@code wider} (the tenant's for a group, the global for a tenant). */
    public RecallLabels over(RecallLabels wider) {
        return new RecallLabels(alertInfo.isEmpty() ? wider.alertInfo : alertInfo,
                callerIdPrefix.isEmpty() ? wider.callerIdPrefix : callerIdPrefix);
    }
}
