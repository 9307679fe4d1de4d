package org.callpark.internal.sip;

import java.io.IOException;
import java.nio.channels.SocketChannel;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;

/**
 * An accepted TCP connection that remembers since when it has been waiting for a complete SIP message: from the
 * moment it was opened, and from the first byte of each further message (CR/LF keep-alives between messages do not
 * count); a parsed message clears it. {@link GuardedTcpProcessor} closes connections that wait too long. The bytes
 * go through {@link TcpFramingHeaders} first, so that the stack's NIO reader frames messages whose Call-ID or
 * Content-Length is in compact form or has white space before the colon.
 */
final class GuardedTcpChannel extends NioTcpMessageChannel {

    private final GuardedTcpProcessor processor;
    private volatile long waitingSince = System.nanoTime();
    private final TcpFramingHeaders framing = new TcpFramingHeaders();

    GuardedTcpChannel(GuardedTcpProcessor processor, SocketChannel socket) throws IOException {
        super(processor, socket);
        this.processor = processor;
    }

    /** {@link System#nanoTime()} when the message now being received began, or 0 between messages. */
    long waitingSince() {
        return waitingSince;
    }

    @Override
    protected void addBytes(byte[] bytes) throws Exception {
        if (waitingSince == 0 && !onlyLineBreaks(bytes)) {
            waitingSince = System.nanoTime();
        }
        super.addBytes(framing.filter(bytes)); // compact i:/l: and LWS before the colon, see TcpFramingHeaders
    }

    @Override
    public void processMessage(SIPMessage message) throws Exception {
        waitingSince = 0;
        super.processMessage(message);
    }

    @Override
    protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
        processor.closed(this);
        super.close(removeSocket, stopKeepAliveTask);
    }

    private static boolean onlyLineBreaks(byte[] bytes) {
        for (byte b : bytes) {
            if (b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }
}
