package org.callpark.internal.sip;

import java.util.Optional;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkException.Reason;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkTarget;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.TenantId;

/**
 * One-touch park: a Yealink/Fanvil BLF key of a slot ({@code *88102}, {@code park+102}, {@code park+Sales}) pressed
 * during a call blind-transfers the other party to the key's URI, so the customer's phone INVITEs the retrieve code
 * with {@code Referred-By} naming our user (RFC 3892). Such an INVITE is a park of the customer into that slot, by the
 * transferor, not a retrieve by the customer (who has no credentials and would fail digest). Without Referred-By the
 * same URI stays a retrieve. The parker and whether to believe it are decided exactly as for {@code *68<ext>}
 * ({@code SipIdentities.parker}: Referred-By, verified by digest, registered Contact or trusted proxy); an unverified
 * transferor still parks, but recalls never ring it.
 * <p>
 * The slot: an extension of the tenant parks on that extension's slot (the park service checks as for
 * {@code *68<ext>}); a park group's name or number parks on the group's slot, for the group's members only (what
 * {@code *58} allows them); anything else is left to the park service, which answers 404. Pure.
 */
final class OneTouchPark {

    private OneTouchPark() {
    }

    /**
     * The park target a one-touch transfer to {@code retrieve} means, for the transferor {@code parker}; empty for a
     * retrieve of one's own slot ({@code *88} alone names no slot to park on).
     *
     * @throws ParkException {@code NOT_PERMITTED} when the slot is a park group the parker is not a member of
     */
    static Optional<ParkTarget> target(Directory dir, TenantId tenant, String parker, RetrieveTarget retrieve)
            throws ParkException {
        if (retrieve.kind() != RetrieveTarget.Kind.EXTENSION && retrieve.kind() != RetrieveTarget.Kind.GROUP) {
            return Optional.empty();
        }
        String value = retrieve.value();
        if (retrieve.kind() == RetrieveTarget.Kind.EXTENSION && dir.user(tenant, value).isPresent()) {
            return Optional.of(ParkTarget.extension(value));
        }
        Optional<ParkGroup> group = dir.parkGroup(tenant, value);
        if (group.isEmpty()) {
            return Optional.of(ParkTarget.extension(value)); // the park service answers: no such extension
        }
        if (parker == null || !group.get().hasMember(parker)) {
            throw new ParkException(Reason.NOT_PERMITTED, "extension " + parker + " is not a member of park group '"
                    + group.get().name() + "'");
        }
        return Optional.of(ParkTarget.group(group.get().name()));
    }
}
