package org.callpark.internal.sip;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.address.SipURI;
import javax.sip.message.Request;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallLabels;
import org.callpark.api.Tenant;
import org.callpark.internal.sip.RecallForks.Fork;
import org.callpark.internal.sip.RecallForks.Recall;
import org.callpark.spi.MediaController;
import org.callpark.spi.MediaController.Codec;
import org.callpark.spi.MediaController.MediaLeg;
import org.callpark.spi.RecallDialer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Rings recall targets over SIP for the park core (which decides every step, its timing and whom it rings, see
 * {@code RecallLadder}: a parker nobody verified is never among the extensions asked for). One {@link #ring} sends
 * one INVITE per registered contact of every extension at once (each its own Call-ID, dialog and media leg offering
 * the parked caller's codec first, built by {@link RecallInvite}), and keeps the step and its forks in
 * {@link RecallForks}. Their responses go to {@link RecallAnswers}: the first usable
 * 2xx is offered to the core and, if it gets the call, bridged by the {@link RecallBridge}; every other fork is
 * cancelled. When every fork failed, the core hears {@link Outcome#failed} once, with the most telling failure:
 * DECLINED before BUSY before ERROR before UNREACHABLE.
 * <p>
 * Nothing here blocks the core's timer thread: look-ups, media and sending run on the SIP server's own single worker
 * thread.
 */
final class SipRecallDialer implements RecallDialer {

    private static final Logger LOG = LoggerFactory.getLogger(SipRecallDialer.class);

    private final SipMessages messages;
    private final SipLegs legs;
    private final CoreAccess core;
    private final MediaController media;
    private final Registrations registrations;
    private final Executor async;
    private final RecallInvite invites;
    private final RecallForks forks;
    private final RecallAnswers answers;

    SipRecallDialer(SipMessages messages, SipIdentities identities, SipLegs legs, CoreAccess core,
            MediaController media, Registrations registrations, Executor async) {
        this.messages = messages;
        this.legs = legs;
        this.core = core;
        this.media = media;
        this.registrations = registrations;
        this.async = async;
        this.invites = new RecallInvite(messages, identities);
        this.forks = new RecallForks(messages);
        this.answers = new RecallAnswers(forks, new RecallBridge(legs));
    }

    @Override
    public Ringing ring(ParkedCall call, List<String> extensions, Duration timeout, Outcome outcome) {
        Recall recall = new Recall(call, List.copyOf(extensions), outcome);
        try {
            async.execute(() -> start(recall));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the SIP server is stopping", e);
        }
        return recall;
    }

    /** The SIP server stops: forget every fork in flight and close its media (their transactions die too). */
    void dropAll() {
        forks.dropAll();
    }

    /** Forks of one parked call still waiting for a final response (tests, diagnostics). */
    int pendingForks(String parkedCallId) {
        return forks.pending(parkedCallId);
    }

    /** A response on the stack's listener thread: {@code true} if it belongs to a recall INVITE. */
    boolean onResponse(ResponseEvent event) {
        return answers.onResponse(event);
    }

    /** The INVITE's transaction timed out (timer B): {@code true} if it was a recall INVITE's. */
    boolean onTimeout(ClientTransaction ct) {
        return answers.onTimeout(ct);
    }

    /** On the SIP worker thread: find the contacts, open media, send the INVITEs. */
    private void start(Recall recall) {
        ParkedCall call = recall.call;
        MDC.put("tenant", call.tenant().value());
        MDC.put("slot", call.slot().key());
        List<Runnable> actions = new ArrayList<>();
        try {
            SipSettings settings = messages.settings();
            boolean proxy = !settings.outboundProxy().isEmpty();
            List<Fork> created = new ArrayList<>();
            for (String ext : recall.extensions) {
                if (FinalUri.is(ext)) {
                    created.add(finalUriFork(recall, ext, settings));
                    continue;
                }
                if (proxy) {
                    created.add(forks.fork(recall, ext, null));
                    continue;
                }
                List<Registrations.Binding> bindings;
                try {
                    bindings = registrations.lookup(call.tenant(), ext);
                } catch (RuntimeException e) {
                    LOG.warn("Looking up the registrations of {} failed: {}", ext, e.toString());
                    bindings = List.of();
                }
                if (bindings.isEmpty()) {
                    Fork unreachable = forks.fork(recall, ext, null);
                    unreachable.state = Fork.State.FAILED;
                    unreachable.failure = Failure.UNREACHABLE;
                    created.add(unreachable);
                    LOG.debug("Recall of {}: {} is not registered", call.id(), ext);
                }
                for (Registrations.Binding b : bindings) {
                    created.add(forks.fork(recall, ext, b));
                }
            }
            synchronized (recall) {
                recall.all.addAll(created);
                recall.started = true;
                if (recall.cancelled) {
                    created.forEach(f -> f.cancel(actions)); // cancelled before anything was sent
                }
            }
            Directory dir = core.directory().current();
            Optional<Tenant> tenant = dir.tenant(call.tenant());
            String domain = tenant.flatMap(Tenant::sipDomain).orElse(settings.advertisedAddress());
            RecallLabels labels = RecallInvite.labels(call.parkGroup().isEmpty() ? RecallLabels.INHERIT
                    : dir.parkGroup(call.tenant(), call.parkGroup()).map(ParkGroup::recallLabels)
                            .orElse(RecallLabels.INHERIT),
                    tenant.map(Tenant::recallLabels).orElse(RecallLabels.INHERIT), settings);
            List<Codec> offer = RecallInvite.offer(media.codecs(), legs.codecOf(call.leg()));
            for (Fork fork : created) {
                synchronized (recall) {
                    if (fork.state != Fork.State.NEW) {
                        continue; // unreachable, or cancelled before it was sent
                    }
                }
                send(fork, settings, labels, domain, offer, actions);
                actions.forEach(Runnable::run);
                actions.clear();
            }
            Failure failed;
            synchronized (recall) {
                failed = recall.allFailed();
            }
            if (failed != null) {
                LOG.debug("Recall of {}: every fork failed at once ({})", call.id(), failed);
                recall.outcome.failed(failed);
            }
        } catch (RuntimeException e) {
            LOG.warn("Starting the {} failed: {}", recall, e.toString());
            LOG.debug("Starting the recall failed", e);
            boolean report;
            synchronized (recall) {
                recall.all.forEach(f -> {
                    if (f.state == Fork.State.NEW) {
                        f.fail(Failure.ERROR, actions);
                    }
                });
                recall.started = true;
                report = recall.allFailed() != null;
            }
            actions.forEach(Runnable::run);
            if (report) {
                recall.outcome.failed(Failure.ERROR);
            }
        } finally {
            MDC.remove("tenant");
            MDC.remove("slot");
        }
    }

    /**
     * The fork to a final destination's SIP URI: sent to the URI itself (through the outbound proxy if one is set, as
     * every recall INVITE), as if it were a registered contact; failed at once if the URI is this server's own
     * listening point, which would only loop back into it.
     */
    private Fork finalUriFork(Recall recall, String uri, SipSettings settings) {
        Fork fork = forks.fork(recall, uri, FinalUri.binding(recall.call.tenant(), uri));
        Failure refused = null;
        try {
            if (FinalUri.isOwnListeningPoint((SipURI) messages.addresses().createURI(uri), settings)) {
                LOG.warn("Final destination {} of call {} is this server's own address; it is not called",
                        uri, recall.call.id());
                refused = Failure.UNREACHABLE;
            }
        } catch (ParseException | ClassCastException e) {
            LOG.warn("Final destination {} of call {} is not a SIP URI: {}", uri, recall.call.id(), e.getMessage());
            refused = Failure.ERROR;
        }
        if (refused != null) {
            fork.state = Fork.State.FAILED;
            fork.failure = refused;
        }
        return fork;
    }

    /** Opens the fork's media and sends its INVITE; a fork that cannot be sent fails (its clean-up in actions). */
    private void send(Fork fork, SipSettings settings, RecallLabels labels, String domain, List<Codec> offer,
            List<Runnable> actions) {
        Recall recall = fork.recall;
        ParkedCall call = recall.call;
        SipEndpoint ep = messages.endpoint();
        String legId = "sip-" + UUID.randomUUID();
        MediaLeg m = null;
        try {
            m = media.open(legId, offer, null);
            String transport = RecallInvite.transport(fork.binding, settings);
            Request invite = invites.build(call, labels, fork.extension, fork.binding, domain,
                    ep.provider.getNewCallId().getCallId(), transport, m.localAddress().getPort(), offer);
            ClientTransaction ct = ep.provider.getNewClientTransaction(invite);
            Dialog dialog = ep.provider.getNewDialog(ct);
            SipLeg leg = new SipLeg(legId, SipMessages.callIdOf(invite), null, dialog, transport,
                    SipLeg.Role.RECALLED);
            leg.media = m;
            leg.answerSdp = SipMessages.bodyOf(invite);
            ct.setApplicationData(fork);
            synchronized (recall) {
                if (fork.state != Fork.State.NEW) {
                    m.close();
                    return; // cancelled meanwhile
                }
                fork.leg = leg;
                fork.invite = ct;
                fork.state = Fork.State.CALLING;
            }
            forks.add(fork);
            ct.sendRequest();
            LOG.debug("Recall INVITE of {} to {} ({})", call.id(), invite.getRequestURI(), leg.callId);
        } catch (ParkException e) {
            LOG.debug("Recall of {} to {}: no media: {}", call.id(), fork.extension, e.getMessage());
            synchronized (recall) {
                fork.fail(Failure.ERROR, actions);
            }
        } catch (SipException e) {
            // no route, TCP connect refused, ...
            LOG.debug("Recall INVITE of {} to {} could not be sent: {}", call.id(), fork.extension, e.toString());
            SipLegs.close(m);
            synchronized (recall) {
                fork.fail(Failure.UNREACHABLE, actions);
            }
        } catch (ParseException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("Recall INVITE of {} to {} could not be built: {}", call.id(), fork.extension, e.toString());
            SipLegs.close(m);
            synchronized (recall) {
                fork.fail(Failure.ERROR, actions);
            }
        }
    }
}
