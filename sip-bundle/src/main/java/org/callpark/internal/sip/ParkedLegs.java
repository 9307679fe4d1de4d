package org.callpark.internal.sip;

import java.util.Optional;
import java.util.function.Supplier;

import javax.sip.Dialog;

import org.callpark.api.ParkEvent;
import org.callpark.api.ParkException;
import org.callpark.api.ParkedCall;
import org.callpark.spi.MediaController.MediaLeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What happens to the parked callers this stack carries when something other than their own dialog decides: a park
 * event (an admin hang-up, a time-out, the call carried by another node now), the stack going away, the node stopping.
 * The cluster record, not this stack's bookkeeping, says who carries a call, so a leg whose call is carried elsewhere
 * is let go quietly (media closed, no BYE: the dialog goes on there). It also keeps this node's {@link SessionJournal}
 * in step with the park events.
 */
final class ParkedLegs {

    private static final Logger LOG = LoggerFactory.getLogger(ParkedLegs.class);

    private final SipLegs legs;
    private final CoreAccess core;
    private final Supplier<String> localNode;
    private final Takeovers takeovers;
    /** Where the calls this node carries are recorded for a restart ({@code null}: not recorded). */
    private final SessionJournal journal;

    ParkedLegs(SipLegs legs, CoreAccess core, Supplier<String> localNode, Takeovers takeovers,
            SessionJournal journal) {
        this.legs = legs;
        this.core = core;
        this.localNode = localNode;
        this.takeovers = takeovers;
        this.journal = journal;
    }

    /**
     * The stack goes away but the node stays (a new revision of this bundle, a restarted stack, a SIP feature
     * uninstalled): parked callers stay parked in the cluster and are re-INVITEd by whoever carries them next; bridged
     * and prompt legs, which only this stack can continue, are hung up (BYE) while the stack can still send it.
     */
    void detach(String why) {
        int kept = 0;
        for (SipLeg leg : legs.all()) {
            boolean parked;
            synchronized (leg) {
                if (leg.state == SipLeg.State.ENDED) {
                    continue;
                }
                parked = leg.parkedCallId != null && leg.session != null;
                if (parked) {
                    leg.end(false);
                }
            }
            if (parked) {
                // the media leg keeps playing: the next stack takes it up (MediaController.find) without a gap
                legs.forget(leg);
                kept++;
            } else {
                legs.hangUp(leg); // only this stack can continue its dialog
            }
        }
        if (kept > 0) {
            LOG.info("{}: {} parked caller(s) stay parked (music goes on); the next SIP stack takes them up", why,
                    kept);
        }
    }

    /**
     * Hangs up every parked caller this stack still carries (BYE; the calls end FAILED): nobody can carry them on. A
     * leg whose call another node carries now (drained a moment ago, its MOVED event not handled yet) is let go
     * quietly instead: the record, not this stack's bookkeeping, says who carries a call.
     */
    void hangUpParked(String why) {
        int n = 0;
        for (SipLeg leg : legs.all()) {
            String callId;
            synchronized (leg) {
                callId = leg.state == SipLeg.State.ENDED ? null : leg.parkedCallId;
            }
            if (callId == null) {
                continue;
            }
            Optional<ParkedCall> now;
            try {
                now = core.service().find(callId);
            } catch (ParkException | CoreAwayException e) {
                now = Optional.empty();
            }
            if (now.isPresent() && (!localNode.get().equals(now.get().node()) || !leg.id.equals(now.get().leg()))) {
                letGo(now.get());
                continue;
            }
            legs.hangUp(leg);
            n++;
        }
        if (n > 0) {
            LOG.info("{}: hung up {} parked caller(s)", why, n);
        }
    }

    /** Admin hang-up and time-out of calls whose caller this node holds; moves; the journal. */
    void onParkEvent(ParkEvent event) {
        ParkedCall call = event.call();
        if (call == null) {
            return;
        }
        SessionJournal j = journal;
        if (j != null && !call.session().isEmpty()) {
            // Written and removed here only: park events come in order per call, so a removal is never overtaken by
            // a late write, and no file I/O runs on the SIP threads.
            if (event.type().isFinal() || !localNode.get().equals(call.node())) {
                j.remove(call.id());
            } else {
                j.write(call); // parked, restored, moved here, a recall step: what a restart continues from
            }
        }
        if (event.type() == ParkEvent.Type.MOVED) {
            onMoved(call);
            return;
        }
        if (!localNode.get().equals(call.node())) {
            if (event.type().isFinal()) {
                letGo(call); // it ended on the node that carried it last; a leg of ours for it is stale
            }
            return;
        }
        SipLeg leg = legs.byLegId(call.leg());
        if (leg == null) {
            return;
        }
        MDC.put("call-id", leg.callId);
        MDC.put("tenant", call.tenant().value());
        MDC.put("slot", call.slot().key());
        try {
            switch (event.type()) {
                case FORCED, FAILED -> {
                    leg.unpark(call.id());
                    legs.hangUp(leg);
                }
                case TIMED_OUT -> {
                    MediaLeg m;
                    synchronized (leg) {
                        if (leg.parkedCallId == null || !leg.parkedCallId.equals(call.id())) {
                            return;
                        }
                        leg.parkedCallId = null;
                        m = leg.media;
                    }
                    if (m != null) {
                        m.prompt(Prompts.in(core, call.tenant(), Prompts.NOBODY_AVAILABLE), () -> legs.hangUp(leg));
                    } else {
                        legs.hangUp(leg);
                    }
                }
                default -> {
                    // PARKED, RECALLING: the core rings through the RecallDialer (SipRecallDialer); ABANDONED,
                    // RETRIEVED and RECALLED were done by us
                }
            }
        } finally {
            MDC.remove("call-id");
            MDC.remove("tenant");
            MDC.remove("slot");
        }
    }

    /**
     * Another node (or leg) carries the call now: the caller accepted its re-INVITE, so our leg is let go quietly —
     * media closed, no BYE (the dialog goes on elsewhere).
     */
    private void onMoved(ParkedCall event) {
        if (takeovers != null) {
            takeovers.onMoved(event);
        }
        if (localNode.get().equals(event.node()) && legs.holds(event.leg()) || !legs.holdsLegFor(event.id())) {
            return; // carried here by the leg it names, or nothing of ours to let go: no need to read the record
        }
        // Events arrive after the fact and may be overtaken (a claim's event after our own commit): decide on the
        // record as it is now.
        ParkedCall call;
        try {
            call = core.service().find(event.id()).orElse(null);
        } catch (ParkException e) {
            LOG.debug("Reading call {} after a move: {}", event.id(), e.getMessage());
            return;
        }
        if (call == null || localNode.get().equals(call.node()) && legs.holds(call.leg())) {
            return; // ended (its final event decides) or carried here
        }
        letGo(call);
    }

    /** Lets go, quietly, of every leg of ours parked for {@code call} that is not the one carrying it now. */
    private void letGo(ParkedCall call) {
        for (SipLeg leg : legs.all()) {
            SipLeg.Ending e;
            Dialog dialog;
            synchronized (leg) {
                if (!call.id().equals(leg.parkedCallId)
                        || leg.id.equals(call.leg()) && localNode.get().equals(call.node())
                        || leg.carriedSince > call.version()) {
                    continue; // the one carrying it, or taken over after the record we decide on was read
                }
                e = leg.end(false);
                dialog = leg.dialog;
            }
            legs.forget(leg);
            SipLegs.close(e == null ? null : e.media());
            if (dialog != null) {
                try {
                    dialog.delete();
                } catch (RuntimeException x) {
                    LOG.debug("Deleting the dialog of {}: {}", leg, x.toString());
                }
            }
            LOG.debug("Call {} is carried by node {} now: let go of {}", call.id(), call.node(), leg);
        }
    }
}
