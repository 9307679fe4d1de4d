package org.callpark.internal.xmpp;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.api.Tenant;
import org.callpark.api.User;
import org.xmpp.packet.JID;

/**
 * Who may see which slot: the requesting bare JID is looked up in the directory ({@link User#jid()}) and the slot JID's
 * node resolved in <em>that</em> user's tenant by the retrieve rules ({@link Directory#slotFor}), so nobody ever sees
 * another tenant's calls. An extension's slot is visible to every user of the tenant, a group's slot to its members.
 * Used on the component's one thread only (the JID index is rebuilt when the directory changes, unsynchronised).
 */
final class SlotAccess {

    /** A user's view of one slot JID: the slot in the user's tenant and whether the user may see it. */
    record SlotView(User user, Tenant tenant, SlotId slot, String node, String label, ParkGroup group) {
    }

    private final Supplier<String> domain;
    private Directory indexed;
    private Map<String, User> usersByJid = Map.of();

    /**
     * @param domain the component's domain, for the hint in a refusal
     */
    SlotAccess(Supplier<String> domain) {
        this.domain = domain;
    }

    private Optional<User> user(Directory dir, JID jid) {
        if (jid == null || jid.getNode() == null) {
            return Optional.empty();
        }
        if (dir != indexed) {
            Map<String, User> byJid = new HashMap<>();
            for (User u : dir.allUsers()) {
                String bare = bare(u.jid());
                if (bare != null) {
                    byJid.putIfAbsent(bare, u);
                }
            }
            usersByJid = byJid;
            indexed = dir;
        }
        return Optional.ofNullable(usersByJid.get(jid.toBareJID().toLowerCase(Locale.ROOT)));
    }

    /** The bare JID in lower case, or {@code null} for none or one that is not a JID. */
    static String bare(String jid) {
        if (jid == null || jid.isBlank()) {
            return null;
        }
        try {
            return new JID(jid.trim()).toBareJID().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Resolves {@code slotNode} in the tenant of {@code requester}.
     *
     * @throws ParkException {@code NOT_PERMITTED} for a requester the directory does not know or a group the
     *                       requester is not a member of; {@code NOT_FOUND} for a slot the requester's tenant lacks
     */
    SlotView view(Directory dir, JID requester, String slotNode) throws ParkException {
        User user = user(dir, requester).orElseThrow(() -> new ParkException(ParkException.Reason.NOT_PERMITTED,
                "your address " + (requester == null ? "" : requester.toBareJID()) + " is not in the directory"));
        Tenant tenant = dir.tenant(user.tenant()).orElseThrow(
                () -> new ParkException(ParkException.Reason.NOT_FOUND, "no tenant " + user.tenant()));
        if (slotNode == null || slotNode.isEmpty()) {
            throw new ParkException(ParkException.Reason.NOT_FOUND, "address a slot, e.g. 102@" + domain.get());
        }
        if (dir.user(tenant.id(), slotNode).isPresent()) {
            return new SlotView(user, tenant, SlotId.extension(tenant.id(), slotNode), slotNode, slotNode, null);
        }
        SlotId slot;
        try {
            slot = dir.slotFor(tenant.id(), user.extension(), RetrieveTarget.group(slotNode)); // the retrieve rules
        } catch (ParkException e) {
            // the same refusal, in chat words
            throw new ParkException(e.reason(), e.reason() == ParkException.Reason.NOT_FOUND
                    ? "no park slot '" + slotNode + "'"
                    : "only members of park group " + dir.parkGroup(tenant.id(), slotNode).map(ParkGroup::name)
                            .orElse(slotNode) + " may see or pick up its calls");
        }
        ParkGroup group = dir.parkGroup(tenant.id(), slot.name()).orElseThrow();
        return new SlotView(user, tenant, slot, slotNode, group.name(), group);
    }

    /** The user's view of {@code node} if it is {@code slot} (same tenant, allowed). */
    Optional<SlotView> visible(Directory dir, String userJid, String node, SlotId slot) {
        try {
            SlotView view = view(dir, new JID(userJid), node);
            return view.slot().equals(slot) ? Optional.of(view) : Optional.empty();
        } catch (ParkException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
