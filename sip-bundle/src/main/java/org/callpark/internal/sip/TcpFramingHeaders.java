package org.callpark.internal.sip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentLengthHeader;

import gov.nist.javax.sip.parser.Lexer;

/**
 * Gives JAIN-SIP's NIO TCP reader the two header names it frames by, in the form it understands.
 * <p>
 * {@code NioPipelineParser.readMessageSipHeaderLines} (jain-sip-ri 1.3.0-91) cuts messages out of a TCP stream before
 * any parser runs, by testing each header line with {@code toLowerCase().startsWith("content-length")} /
 * {@code startsWith("call-id")} and taking the value after {@code name.length() + 1} characters. So the compact forms
 * {@code l:} and {@code i:} (RFC 3261 §7.3.3) are not seen (no Call-ID: "received message with no Call-ID", an
 * IOException, and the connection is closed) and white space before the colon ({@code Content-Length   : 150},
 * RFC 3261 §7.3.1 / §25.1 {@code HCOLON}) leaves ": 150" to {@code Integer.parseInt} (a NumberFormatException, the
 * connection is closed). That method is private; this filter sits in front of it
 * ({@link GuardedTcpChannel#addBytes}) and rewrites just the name of those two headers, on the first line of a header
 * field, to {@code Call-ID:} / {@code Content-Length:}, an equivalent spelling. The header name is found as JAIN-SIP's
 * own header parsers find it ({@link Lexer#getHeaderName}: up to the colon, trimmed), compared case-insensitively.
 * Every other byte passes unchanged; message bodies pass untouched, counted by the Content-Length read here.
 * <p>
 * A message without Content-Length (RFC 3261 §18.3/§20.14 require one over TCP) gets {@code Content-Length: 0}: the
 * NIO reader, as the stack runs it (with its self-routing executor), does not reset its count between messages, so
 * such a message would take the previous one's length and swallow the next message(s) as its body (RFC 4475
 * {@code dblreq}: the bytes after the INVITE's 150-byte body). Zero is what JAIN-SIP's blocking TCP reader
 * ({@code PipelinedMsgParser}, in use before {@code GuardedTcpFactory}) took for a missing Content-Length.
 * <p>
 * Two limits the stack's reader lacks end the connection (an {@link IOException} out of {@code addBytes}, which the
 * stack answers by closing it): a header line longer than {@link #MAX_LINE} bytes, and a Content-Length beyond
 * {@link SipEndpoint#MAX_MESSAGE_SIZE} (or negative). The reader allocates {@code new byte[contentLength]} before it
 * checks any size, so one unauthenticated {@code Content-Length: 2000000000} line would otherwise make the selector
 * thread allocate 2 GB.
 */
final class TcpFramingHeaders {

    static final int MAX_LINE = 8192;
    private static final byte[] NO_LENGTH = (ContentLengthHeader.NAME + ": 0\r\n").getBytes(StandardCharsets.US_ASCII);

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean inHeaders; // past a start line, before the empty line
    private boolean startLine = true; // the next line is a message's first (or a keep-alive CRLF)
    private int contentLength;
    private boolean sawLength;
    private int bodyLeft;

    /**
     * The bytes to hand to the stack for {@code bytes} received (may be held back until a line is complete).
     *
     * @throws IOException when the peer went past a limit: the connection is to be closed
     */
    byte[] filter(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 32);
        int i = 0;
        while (i < bytes.length) {
            if (bodyLeft > 0) {
                int n = Math.min(bodyLeft, bytes.length - i);
                out.write(bytes, i, n);
                bodyLeft -= n;
                i += n;
                continue;
            }
            byte b = bytes[i++];
            line.write(b);
            if (b == '\n') {
                endOfLine(out);
            } else if (line.size() > MAX_LINE) {
                throw new IOException("SIP over TCP: a line longer than " + MAX_LINE + " bytes; closing the connection");
            }
        }
        return out.toByteArray();
    }

    private void endOfLine(ByteArrayOutputStream out) throws IOException {
        byte[] raw = line.toByteArray();
        line.reset();
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        boolean empty = s.equals("\r\n") || s.equals("\n");
        if (empty) {
            if (inHeaders) { // end of the headers: the body follows
                if (!sawLength) {
                    out.writeBytes(NO_LENGTH);
                }
                inHeaders = false;
                sawLength = false;
                startLine = true;
                bodyLeft = contentLength;
                contentLength = 0;
            }
            out.writeBytes(raw);
            return;
        }
        if (startLine) {
            startLine = false;
            inHeaders = true;
            out.writeBytes(raw);
            return;
        }
        char first = s.charAt(0);
        String name = first == ' ' || first == '\t' ? null : Lexer.getHeaderName(s); // not a folded continuation
        String canonical = name == null ? null
                : name.equalsIgnoreCase(CallIdHeader.NAME) || name.equalsIgnoreCase("i") ? CallIdHeader.NAME
                : name.equalsIgnoreCase(ContentLengthHeader.NAME) || name.equalsIgnoreCase("l")
                        ? ContentLengthHeader.NAME
                        : null;
        if (canonical == null) {
            out.writeBytes(raw);
            return;
        }
        String value = s.substring(s.indexOf(':') + 1);
        if (canonical == ContentLengthHeader.NAME) {
            sawLength = true;
            try {
                contentLength = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                contentLength = 0; // the stack fails on it too and closes the connection
            }
            if (contentLength < 0 || contentLength > SipEndpoint.MAX_MESSAGE_SIZE) {
                throw new IOException("SIP over TCP: Content-Length " + value.trim() + " outside 0.."
                        + SipEndpoint.MAX_MESSAGE_SIZE + "; closing the connection");
            }
        }
        out.writeBytes((canonical + ":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
    }
}
