package org.callpark.internal.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TooManyListenersException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.ObjectInUseException;
import javax.sip.PeerUnavailableException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;

/**
 * One running JAIN-SIP stack: its listening points (one per transport, same address and port) on one provider, and
 * the factories. The NIST classes are instantiated directly, not through {@code SipFactory}'s reflective path-name
 * lookup and its JVM-wide cache of stacks, so every activation gets a fresh stack and nothing survives a stop.
 * <p>
 * Stack properties and why:
 * <ul>
 * <li>{@code javax.sip.STACK_NAME}: unique per activation.</li>
 * <li>{@code javax.sip.AUTOMATIC_DIALOG_SUPPORT=off}: this is a B2BUA that only creates dialogs for the INVITEs it
 * answers ({@code getNewDialog}); REGISTER, OPTIONS, SUBSCRIBE and junk create no dialog state, and a retransmitted
 * or forked INVITE cannot make the stack invent one behind our back.</li>
 * <li>{@code gov.nist.javax.sip.REENTRANT_LISTENER=true} + {@code THREAD_POOL_SIZE=8}: requests are handled in
 * parallel on 8 threads (the handlers call the cluster store); per-dialog state is guarded in {@link SipLeg}.</li>
 * <li>{@code gov.nist.javax.sip.MAX_MESSAGE_SIZE=65536}: TCP peers cannot make us buffer without limit.</li>
 * <li>{@code gov.nist.javax.sip.STACK_LOGGER}: {@link Slf4jStackLogger}, quiet unless {@code gov.nist} is turned up.</li>
 * <li>{@code gov.nist.javax.sip.SERVER_LOGGER}: {@link SipTraceLogger}, the run-time message trace
 * ({@code park:sip-trace}); {@code TRACE_LEVEL}/{@code LOG_MESSAGE_CONTENT} below only concern the stack's own
 * {@code ServerLog}, which is not used.</li>
 * <li>{@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}: {@link GuardedTcpFactory}, NIO TCP (one selector thread,
 * not two threads per connection) with a connection limit and a deadline for complete messages
 * ({@link SipSettings.Tcp}); UDP as before.</li>
 * <li>{@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}: {@link SafeMessageParserFactory}, the stack's parser with
 * clean 400 reason phrases and RFC 3261 §18.3 Content-Length on datagrams (excess bytes discarded).</li>
 * <li>{@code gov.nist.javax.sip.SIP_MESSAGE_VALVE}: {@link ViaTransportValve}, a request whose top Via names another
 * transport than the one it came on is answered 400 before any transaction (the stack would look for a listening
 * point of that transport and fail).</li>
 * </ul>
 */
final class SipEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(SipEndpoint.class);
    private static final AtomicInteger ACTIVATIONS = new AtomicInteger();
    /** The largest SIP message (bytes) the stack takes; over TCP also the largest Content-Length (TcpFramingHeaders). */
    static final int MAX_MESSAGE_SIZE = 65_536;

    final SipSettings settings;
    final SipStackImpl stack;
    final SipProvider provider;
    final MessageFactory messages;
    final HeaderFactory headers;
    final AddressFactory addresses;

    private SipEndpoint(SipSettings settings, SipStackImpl stack, SipProvider provider) {
        this.settings = settings;
        this.stack = stack;
        this.provider = provider;
        this.messages = new MessageFactoryImpl();
        this.headers = new HeaderFactoryImpl();
        this.addresses = new AddressFactoryImpl();
    }

    static Properties stackProperties(SipSettings settings) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "callpark-sip-" + settings.port() + "-"
                + ACTIVATIONS.incrementAndGet());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "8");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(MAX_MESSAGE_SIZE));
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", SipTraceLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "ERROR");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", GuardedTcpFactory.class.getName());
        p.setProperty(GuardedTcpFactory.IDLE_MILLIS, Long.toString(settings.tcp().idleTimeoutSeconds() * 1000L));
        p.setProperty(GuardedTcpFactory.MAX_CONNECTIONS, Integer.toString(settings.tcp().maxConnections()));
        p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", SafeMessageParserFactory.class.getName());
        p.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", ViaTransportValve.class.getName());
        return p;
    }

    /**
     * Starts a stack listening on every configured transport.
     *
     * @throws IllegalStateException if a listening point cannot be opened (port in use, address not local)
     */
    static SipEndpoint start(SipSettings settings, SipListener listener) {
        SipStackImpl stack;
        try {
            stack = new SipStackImpl(stackProperties(settings));
        } catch (PeerUnavailableException e) {
            throw new IllegalStateException("cannot create the SIP stack: " + e.getMessage(), e);
        }
        List<ListeningPoint> points = new ArrayList<>();
        try {
            for (String transport : settings.transports()) {
                ListeningPoint lp = stack.createListeningPoint(settings.bindAddress(), settings.port(), transport);
                if (!settings.advertisedAddress().equals(settings.bindAddress())) {
                    lp.setSentBy(settings.advertisedAddress() + ":" + settings.port());
                }
                points.add(lp);
            }
            SipProvider provider = stack.createSipProvider(points.get(0));
            for (int i = 1; i < points.size(); i++) {
                provider.addListeningPoint(points.get(i));
            }
            provider.addSipListener(listener);
            stack.start();
            LOG.info("SIP listening on {}:{} ({}), advertised as {}", settings.bindAddress(), settings.port(),
                    String.join(",", settings.transports()), settings.advertisedAddress());
            return new SipEndpoint(settings, stack, provider);
        } catch (InvalidArgumentException | TooManyListenersException | java.text.ParseException | javax.sip.SipException e) {
            stop(stack);
            throw new IllegalStateException("cannot listen on " + settings.bindAddress() + ":" + settings.port() + " ("
                    + String.join(",", settings.transports()) + "): " + e.getMessage(), e);
        }
    }

    void stop() {
        stop(stack);
        LOG.info("SIP stopped listening on {}:{}", settings.bindAddress(), settings.port());
    }

    private static void stop(SipStackImpl stack) {
        try {
            List<SipProvider> providers = new ArrayList<>();
            stack.getSipProviders().forEachRemaining(p -> providers.add((SipProvider) p));
            for (SipProvider p : providers) {
                try {
                    stack.deleteSipProvider(p);
                } catch (ObjectInUseException e) {
                    LOG.debug("Deleting a SIP provider failed: {}", e.getMessage());
                }
            }
            List<ListeningPoint> points = new ArrayList<>();
            stack.getListeningPoints().forEachRemaining(lp -> points.add((ListeningPoint) lp));
            for (ListeningPoint lp : points) {
                try {
                    stack.deleteListeningPoint(lp);
                } catch (ObjectInUseException e) {
                    LOG.debug("Deleting a listening point failed: {}", e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Removing listening points failed", e);
        }
        stack.stop();
    }
}
