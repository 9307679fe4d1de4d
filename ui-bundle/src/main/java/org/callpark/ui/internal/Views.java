package org.callpark.ui.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.callpark.api.Directory;
import org.callpark.api.ParkEvent;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RingGroup;
import org.callpark.api.SlotId;
import org.callpark.api.SlotKind;
import org.callpark.api.Tenant;
import org.callpark.api.User;
import org.callpark.api.history.HistoryRecord;

/**
 * API values → JSON shapes. Pure; never exposes SIP passwords or call legs, nor node names of live calls (the history
 * names the node that resolved a call: an operator's question after the fact).
 */
public final class Views {

    private Views() {
    }

    public static Dtos.TenantDto tenant(Tenant t) {
        return new Dtos.TenantDto(t.id().value(), t.name(), t.domains(), t.xmppDomain());
    }

    public static Dtos.TenantSettingsDto tenantSettings(Tenant t) {
        return new Dtos.TenantSettingsDto(t.dialPlan().parkCode(), t.dialPlan().retrieveCode(),
                t.dialPlan().groupParkCode(), t.recallLabels().alertInfo(), t.recallLabels().callerIdPrefix(),
                t.language(), t.finalDestination());
    }

    public static Dtos.UserDto user(Directory d, User u) {
        String group = d.parkGroupOf(u.tenant(), u.extension()).map(ParkGroup::name).orElse(null);
        return new Dtos.UserDto(u.extension(), u.displayName(), u.jid(), group);
    }

    public static Dtos.RingGroupDto ringGroup(RingGroup g) {
        return new Dtos.RingGroupDto(g.name(), g.members());
    }

    /** @param parkedCalls live calls in the group's slot, or {@code null} if unknown (store unreachable) */
    public static Dtos.ParkGroupDto parkGroup(ParkGroup g, Integer parkedCalls) {
        return new Dtos.ParkGroupDto(g.name(), g.number(), g.recallTo().name(),
                g.ringGroup().isEmpty() ? null : g.ringGroup(), g.ringDuration().toSeconds(),
                g.waitBeforeRingGroup().toSeconds(), g.retries(), g.members(), g.disabled(), parkedCalls,
                g.recallLabels().alertInfo(), g.recallLabels().callerIdPrefix(), g.finalDestination());
    }

    public static Dtos.CallDto call(Directory d, ParkedCall c) {
        return new Dtos.CallDto(c.id(), c.tenant().value(), slot(d, c.slot()),
                new Dtos.CallerDto(c.caller().displayName(), c.caller().number()), emptyToNull(c.parkedBy()),
                c.parkerVerified(), emptyToNull(c.parkGroup()), c.parkedAt().toString(), c.state().name(), c.recallAttempt(),
                c.recall().retries(), c.recallTarget() == null ? null : c.recallTarget().name(), c.version(),
                NextStep.at(c) == null ? null : NextStep.at(c).toString(), NextStep.of(c),
                emptyToNull(c.recall().ringGroup()), c.recall().ringDuration().toSeconds(),
                c.recall().waitBeforeRingGroup().toSeconds());
    }

    public static List<Dtos.CallDto> calls(Directory d, List<ParkedCall> calls) {
        return calls.stream().map(c -> call(d, c)).toList();
    }

    public static Dtos.EventDto event(Directory d, ParkEvent e) {
        return new Dtos.EventDto(e.type().name(), call(d, e.call()));
    }

    /**
     * The slot: an extension slot is named by its number and labelled {@code 101 Bob}; a group slot is named and
     * labelled with the directory's spelling of the group ({@code Sales}), or the lower-case slot name if the group
     * is gone.
     */
    public static Dtos.SlotDto slot(Directory d, SlotId slot) {
        if (slot.kind() == SlotKind.GROUP) {
            Optional<ParkGroup> g = d.parkGroups(slot.tenant()).stream()
                    .filter(p -> p.name().toLowerCase(Locale.ROOT).equals(slot.name())).findFirst();
            String name = g.map(ParkGroup::name).orElse(slot.name());
            return new Dtos.SlotDto(SlotKind.GROUP.name(), name, name);
        }
        String label = d.user(slot.tenant(), slot.name()).filter(u -> !u.displayName().isEmpty())
                .map(u -> slot.name() + " " + u.displayName()).orElse(slot.name());
        return new Dtos.SlotDto(SlotKind.EXTENSION.name(), slot.name(), label);
    }

    /**
     * An ended call of the history, the slot labelled as {@link #slot} does (with today's directory). Empty texts
     * become {@code null} except the caller's, which the live calls show as they are.
     *
     * @param steps with the record's steps (the detail), or without (a list)
     */
    public static Dtos.HistoryDto history(Directory d, HistoryRecord r, boolean steps) {
        return new Dtos.HistoryDto(r.callId(), r.slot().tenant().value(), slot(d, r.slot()),
                new Dtos.CallerDto(r.caller().displayName(), r.caller().number()), emptyToNull(r.parkedBy()),
                emptyToNull(r.parkGroup()), r.parkedAt().toString(), r.endedAt().toString(),
                Math.max(0, r.waited().toSeconds()), r.resolution().name(), emptyToNull(r.resolvedBy()),
                r.recallAttempts(), emptyToNull(r.node()), steps ? r.steps().stream().map(s -> new Dtos.HistoryStepDto(
                        s.at().toString(), s.type().name(), emptyToNull(s.detail()), emptyToNull(s.node()))).toList()
                        : null);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
