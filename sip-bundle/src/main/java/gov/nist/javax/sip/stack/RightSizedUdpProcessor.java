package gov.nist.javax.sip.stack;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.LinkedList;

import gov.nist.javax.sip.SipStackImpl;

/**
 * JAIN-SIP's UDP processor, receiving into one buffer instead of a new one per datagram.
 * <p>
 * The stack's {@link UDPMessageProcessor#run} allocates a fresh {@code byte[MAX_MESSAGE_SIZE]} (64 KiB here: the TCP
 * limit is the same property) for every datagram it receives, because the packet is handed to a channel thread while
 * the next one is received; a channel then copies the datagram's bytes into an array of their length before parsing.
 * At a few thousand SIP datagrams a second (a park/retrieve churn, a BLF storm, a flood of garbage) that was a quarter
 * of everything the server allocated (docs/BENCHMARKS.md, issue 17). This processor receives into one buffer of that
 * size, kept by its one receiving thread, and hands the channel a copy of the datagram's length. Everything else
 * (channels, queue, congestion control, stop) is the stack's.
 * <p>
 * It lives in the stack's package because its channels' constructors are not public; JAIN-SIP is embedded in this
 * bundle, so the package is one runtime package. Written against jain-sip-ri 1.3.0-91's {@code UDPMessageProcessor}:
 * an update of the stack must re-check it
 * ({@code SipMalformedRequestsTest#udp_aBurstOfRequestsOfMixedSizesIsAnsweredOneByOne}).
 */
public final class RightSizedUdpProcessor extends UDPMessageProcessor {

    private final int bufferSize;

    /** The UDP processor of {@code stack} on {@code address:port}, as the stack's own factories make it. */
    public static RightSizedUdpProcessor create(SIPTransactionStack stack, InetAddress address, int port)
            throws IOException {
        RightSizedUdpProcessor processor = new RightSizedUdpProcessor(address, stack, port);
        stack.udpFlag = true;
        return processor;
    }

    private RightSizedUdpProcessor(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
        super(address, stack, port);
        int max = stack.getMaxMessageSize();
        this.bufferSize = max > 0 && max < SipStackImpl.MAX_DATAGRAM_SIZE ? max : SipStackImpl.MAX_DATAGRAM_SIZE;
    }

    @Override
    public void run() {
        this.messageChannels = new LinkedList<>();
        if (sipStack.threadPoolSize != -1) {
            for (int i = 0; i < sipStack.threadPoolSize; i++) {
                messageChannels.add(new UDPMessageChannel(sipStack, this,
                        ((SipStackImpl) sipStack).getStackName() + "-UDPMessageChannelThread-" + i));
            }
        }
        byte[] buffer = new byte[bufferSize];
        DatagramPacket received = new DatagramPacket(buffer, buffer.length);
        int failures = 0;
        while (isRunning) {
            try {
                received.setData(buffer, 0, buffer.length);
                sock.receive(received);
                DatagramPacket packet = new DatagramPacket(Arrays.copyOf(buffer, received.getLength()),
                        received.getLength(), received.getAddress(), received.getPort());
                if (sipStack.threadPoolSize != -1) {
                    messageQueue.offer(new DatagramQueuedMessageDispatch(packet, System.currentTimeMillis()));
                } else {
                    new UDPMessageChannel(sipStack, this, packet);
                }
                failures = 0;
            } catch (SocketTimeoutException e) {
                // the stack's thread auditor: nothing to do here
            } catch (SocketException e) {
                if (!isRunning) {
                    return;
                }
                failures = report(e, failures);
            } catch (IOException | RuntimeException e) {
                failures = report(e, failures);
            }
        }
    }

    /** As the stack does: a few warnings, then silence until a datagram arrives again. */
    private int report(Exception e, int failures) {
        if (failures < 10) {
            sipStack.getStackLogger().logWarning("Caught '" + e.getClass().getSimpleName() + "' on UDP receive socket "
                    + getIpAddress().getHostAddress() + ":" + getPort() + ": " + e.getMessage()
                    + (failures == 9 ? " (no more receive errors are reported until one datagram gets through)" : ""));
        }
        return failures + 1;
    }
}
