package org.callpark.internal.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Properties;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.RightSizedUdpProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * The stack's {@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}: JAIN-SIP's NIO processors (one selector thread for
 * every TCP connection instead of the default processor's two threads per connection), with TCP wrapped in a
 * {@link GuardedTcpProcessor} that caps the accepted connections and closes those that do not deliver a complete
 * message in time. UDP is the stack's processor receiving into one buffer ({@link RightSizedUdpProcessor}) instead of
 * a new 64 KiB array per datagram. Loaded by name by the stack (so public, with a no-argument
 * constructor); the limits come from the stack properties {@value #IDLE_MILLIS} and {@value #MAX_CONNECTIONS}.
 */
public final class GuardedTcpFactory implements MessageProcessorFactory {

    static final String IDLE_MILLIS = "org.callpark.sip.TCP_IDLE_TIMEOUT_MILLIS";
    static final String MAX_CONNECTIONS = "org.callpark.sip.TCP_MAX_CONNECTIONS";

    private final NioMessageProcessorFactory nio = new NioMessageProcessorFactory();

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
            String transport) throws IOException {
        if ("udp".equalsIgnoreCase(transport)) {
            return RightSizedUdpProcessor.create(stack, address, port);
        }
        if (!"tcp".equalsIgnoreCase(transport)) {
            return nio.createMessageProcessor(stack, address, port, transport);
        }
        Properties p = ((SipStackImpl) stack).getConfigurationProperties();
        long idle = Long.parseLong(p.getProperty(IDLE_MILLIS, "30000"));
        int max = Integer.parseInt(p.getProperty(MAX_CONNECTIONS, "1000"));
        return new GuardedTcpProcessor(address, stack, port, idle, max);
    }
}
