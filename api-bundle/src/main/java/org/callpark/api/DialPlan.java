package org.callpark.api;

/**
 * A tenant's feature codes: what its users dial to park on their own slot (or on an extension's: the code followed by
 * it), to retrieve (the code alone: one's own slot; followed by an extension or a park group's number), and to park on
 * their park group's slot. Sites moving from FreePBX keep {@code 70}/{@code 71}; the defaults are the seed's
 * {@code *68}, {@code *88}, {@code *58}. {@code park+<x>} is the same in every tenant. An INVITE to the retrieve code
 * with a slot (or to {@code park+<x>}) that carries {@code Referred-By} is a one-touch park into that slot (the SIP
 * bundle's {@code OneTouchPark}).
 * <p>
 * The directory validates a plan as a whole (the codes must not be prefixes of each other, nor of the tenant's
 * extensions and park group numbers): this record only holds the text.
 *
 * @param parkCode      park code ({@code *68}); followed by an extension: park on that extension's slot
 * @param retrieveCode  retrieve code ({@code *88}); followed by an extension or a group number: retrieve from there
 * @param groupParkCode park on one's park group's slot ({@code *58}); never followed by anything
 */
public record DialPlan(String parkCode, String retrieveCode, String groupParkCode) {

    /** The seed's codes. */
    public static final DialPlan DEFAULT = new DialPlan("*68", "*88", "*58");

    /** Empty or {@code null} codes take the default's. */
    public DialPlan {
        parkCode = parkCode == null || parkCode.isBlank() ? "*68" : parkCode.trim();
        retrieveCode = retrieveCode == null || retrieveCode.isBlank() ? "*88" : retrieveCode.trim();
        groupParkCode = groupParkCode == null || groupParkCode.isBlank() ? "*58" : groupParkCode.trim();
    }
}
