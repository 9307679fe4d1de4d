package org.callpark.api;

/**
 * Who the parked party is, as their phone or trunk presented them. Both parts are untrusted text: escape them wherever
 * they are shown (HTML, XML, XMPP).
 *
 * @param number      the number or user part, may be empty but never null
 * @param displayName the display name, may be empty but never null
 */
public record CallerId(String number, String displayName) {

    public CallerId {
        number = number == null ? "" : number;
        displayName = displayName == null ? "" : displayName;
    }

    public static CallerId of(String number, String displayName) {
        return new CallerId(number, displayName);
    }

    /** Display name and number for people, e.g. {@code Customer <+4930123>}, or whichever of them is known. */
    public String describe() {
        if (displayName.isEmpty()) {
            return number.isEmpty() ? "unknown" : number;
        }
        return number.isEmpty() ? displayName : displayName + " <" + number + ">";
    }
}
