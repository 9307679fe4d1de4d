package org.callpark.internal.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * JAIN-SIP's NIO TCP processor with two guards the stack lacks (its NIO accept has no connection limit, and its idle
 * timer restarts on every byte, so a peer trickling one byte now and then keeps a connection forever):
 * <ul>
 * <li>at most {@code maxConnections} accepted connections; one more is closed at once;</li>
 * <li>a connection must deliver a complete SIP message within {@code idleMillis} of being opened or of starting a
 * message ({@link GuardedTcpChannel#waitingSince()}); else it is closed. A connection between messages (a phone's
 * registration flow, CRLF keep-alives) is left to the stack's own idle timer.</li>
 * </ul>
 * One daemon thread checks the connections, a quarter of the timeout apart (at most a second).
 */
final class GuardedTcpProcessor extends NioTcpMessageProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedTcpProcessor.class);

    private final long idleNanos;
    private final int maxConnections;
    private final Set<GuardedTcpChannel> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private ScheduledExecutorService auditor;

    GuardedTcpProcessor(InetAddress address, SIPTransactionStack stack, int port, long idleMillis,
            int maxConnections) {
        super(address, stack, port);
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        this.maxConnections = maxConnections;
    }

    @Override
    public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
            throws IOException {
        if (nioHandler.getMessageChannel(client) == null) {
            if (accepted.size() >= maxConnections) {
                refused.incrementAndGet();
                client.close();
                throw new IOException("TCP connection limit (" + maxConnections + ") reached: closed "
                        + client);
            }
            GuardedTcpChannel channel = new GuardedTcpChannel(this, client);
            nioHandler.putMessageChannel(client, channel); // the stack's own lookup now finds ours
            accepted.add(channel);
        }
        return super.createMessageChannel(processor, client);
    }

    void closed(GuardedTcpChannel channel) {
        accepted.remove(channel);
    }

    /** Accepted connections now open. */
    int connections() {
        return accepted.size();
    }

    @Override
    public void start() throws IOException {
        super.start();
        auditor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "callpark-sip-tcp-guard-" + getPort());
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(50, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4));
        auditor.scheduleWithFixedDelay(this::closeStalled, every, every, TimeUnit.MILLISECONDS);
    }

    private void closeStalled() {
        long now = System.nanoTime();
        for (GuardedTcpChannel c : accepted) {
            long since = c.waitingSince();
            if (since != 0 && now - since > idleNanos) {
                timedOut.incrementAndGet();
                LOG.debug("Closing TCP connection from {}:{}: no complete SIP message within {} ms",
                        c.getPeerAddress(), c.getPeerPort(), TimeUnit.NANOSECONDS.toMillis(idleNanos));
                accepted.remove(c);
                c.close();
            }
        }
    }

    @Override
    public void stop() {
        if (auditor != null) {
            auditor.shutdownNow();
        }
        if (refused.get() + timedOut.get() > 0) {
            LOG.info("SIP TCP on port {}: {} connections refused over the limit of {}, {} closed without a complete"
                    + " message", getPort(), refused.get(), maxConnections, timedOut.get());
        }
        super.stop();
    }
}
