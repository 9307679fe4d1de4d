package org.callpark.internal.sip;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sip.InvalidArgumentException;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.Lexer;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;

/**
 * The stack's own {@link StringMsgParser}, with two corrections at its edge (no parsing of our own):
 * <ul>
 * <li><b>Clean error text</b> (issue 14, D3). The UDP channel answers an unparsable request with
 * {@code 400 Bad Request (<the parser's exception message>)}. Those messages carry bare line feeds, Java identities
 * ({@code [C@5c9f44c9}) and pieces of the request, so the status line was malformed and echoed what the peer sent.
 * Every {@link ParseException} leaving this parser has a fixed text instead: {@code malformed <header> header}
 * for the header the stack rejected (one of a fixed list of names, never the peer's bytes), {@code malformed
 * request line}, {@code malformed message}, or the Content-Length error below. The request itself still goes back
 * as the {@code message/sipfrag} body, as the stack does. When the stack's 400 would copy headers across broken line
 * ends (its copy assumes CRLF before each), the request is dropped instead (see {@link #stackCanQuote}).</li>
 * <li><b>Content-Length on datagrams</b> (D4, RFC 3261 §18.3): when the whole message is in one buffer (UDP;
 * {@code readBody}), the body is the first Content-Length bytes after the header; bytes beyond it are discarded
 * (the stack took the whole rest of the packet as the body and rewrote Content-Length to match). A packet that ends
 * before Content-Length bytes is an error ({@code Content-Length larger than the body}: 400 for a request, a response
 * is dropped). Stream transports read the body by Content-Length already and are passed through unchanged.</li>
 * <li><b>The request line's shape</b> (RFC 3261 §25.1: {@code Method SP Request-URI SP SIP-Version CRLF}, and
 * §19.1.1: no headers in a SIP Request-URI). The stack's request-line parser tolerates runs of spaces, trailing
 * spaces, other SIP versions and {@code ?headers} in the Request-URI (RFC 4475 {@code lwsstart}, {@code trws},
 * {@code badvers}, {@code escruri}); such a request is refused here as {@code malformed request line}. This is one
 * regular expression over the first line, the parsing stays the stack's.</li>
 * <li><b>Header grammar the stack's header parsers do not enforce</b> (RFC 4475 {@code baddate}, {@code baddn},
 * {@code badaspec}, {@code regbadct}): each header line of a request, as the stack hands it to its header parser,
 * goes through {@link HeaderRules}; the first defect refuses the request with its fixed text (e.g. {@code malformed
 * Date header}). Responses are not checked: we only ever receive them from peers we called, and dropping one for a
 * grammar nit would hang the call.</li>
 * <li><b>RFC 2543 requests</b> (RFC 4475 §3.4 {@code inv2543}: to be accepted by elements that keep backwards
 * compatibility). A datagram without a Content-Length header has the rest of the datagram as its body (RFC 3261
 * §20.14 makes the header mandatory on stream transports only; the stack left such a body out, so an INVITE's SDP
 * was lost: 488). A request without Max-Forwards gets {@code Max-Forwards: 70}, as a proxy adds it (RFC 3261 §16.6
 * step 3): the stack refuses a server transaction without one, so such an INVITE went unanswered; we never forward
 * requests and read the header nowhere. (An INVITE also needs a Contact for us to answer it; {@code inv2543} has
 * none and stays a 400, see docs/security/malformed-sip.md.)</li>
 * </ul>
 * Installed by {@link SafeMessageParserFactory} through the stack property
 * {@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}. Stateless, so one instance serves the whole stack.
 */
final class SafeMessageParser implements MessageParser {

    static final String CONTENT_LENGTH_TOO_LARGE = "Content-Length larger than the body";

    /** The headers whose parse errors the stack's channels treat as fatal, by their names on the wire. */
    private static final Map<Class<?>, String> FATAL = Map.of(From.class, "From header", To.class, "To header",
            CSeq.class, "CSeq header", Via.class, "Via header", CallID.class, "Call-ID header", ContentLength.class,
            "Content-Length header", RequestLine.class, "request line", StatusLine.class, "status line");

    /** Method SP Request-URI SP SIP/2.0, single spaces, no {@code ?headers} in a sip/sips Request-URI. */
    private static final Pattern REQUEST_LINE = Pattern.compile(
            "[!-~]+ (?!(?i:sips?):(?:[^ @]*@)?+[^ @?]*\\?)[!-~]+ SIP/2\\.0");

    @Override
    public SIPMessage parseSIPMessage(byte[] bytes, boolean readBody, boolean strict, ParseExceptionListener listener)
            throws ParseException {
        Culprit culprit = listener == null ? null : new Culprit(listener);
        SIPMessage message;
        Checked delegate = new Checked();
        try {
            // the header part only: the body is cut below by Content-Length
            message = delegate.parseSIPMessage(bytes, false, strict, culprit);
        } catch (ParseException | RuntimeException e) {
            String what = culprit == null || culprit.header == null ? null : FATAL.get(culprit.header);
            return refuse(what == null ? "malformed message" : "malformed " + what, bytes, listener);
        }
        if (message instanceof SIPRequest && !REQUEST_LINE.matcher(firstLine(bytes)).matches()) {
            return refuse("malformed request line", bytes, listener);
        }
        if (delegate.defect != null) {
            return refuse(delegate.defect, bytes, listener);
        }
        if (message instanceof SIPRequest request && request.getMaxForwards() == null) {
            request.setHeader(maxForwards()); // RFC 2543 requests; see the class comment
        }
        if (message == null || !readBody) {
            return message;
        }
        if (!delegate.sawContentLength) { // RFC 2543 / 3261 §20.14: optional on datagrams, the body is the rest
            int start = message.getSize();
            if (start < bytes.length) {
                message.setMessageContent(Arrays.copyOfRange(bytes, start, bytes.length));
            }
            return message;
        }
        if (message.getContentLength() == null) {
            return message;
        }
        int declared = message.getContentLength().getContentLength();
        int start = message.getSize();
        if (declared == 0) {
            return message;
        }
        if (declared > bytes.length - start) {
            return refuse(CONTENT_LENGTH_TOO_LARGE, bytes, listener);
        }
        message.setMessageContent(Arrays.copyOfRange(bytes, start, start + declared));
        return message;
    }

    private static MaxForwards maxForwards() {
        try {
            return new MaxForwards(70);
        } catch (InvalidArgumentException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Refuses the message: a {@link ParseException} with {@code reason} (the UDP channel answers 400 with it), or
     * {@code null} — the channel drops a message that parses to nothing — when the stack's 400 would be malformed.
     */
    private static SIPMessage refuse(String reason, byte[] bytes, ParseExceptionListener listener)
            throws ParseException {
        if (listener != null && !stackCanQuote(bytes)) {
            return null;
        }
        throw new ParseException(reason, 0);
    }

    /**
     * Whether the UDP channel's automatic 400 ({@code MessageChannel.createBadReqRes}) would be well-formed for these
     * bytes. It copies Via, CSeq, Call-ID, From and To from the raw text, each from two characters before the name
     * (assumed CRLF) to the next CRLF; when the line ends around them are broken (a lone CR or LF, another byte in
     * place of the CR) that copy puts a bare LF or junk right after our status line. Such a request is dropped
     * instead. Mirrors the stack's own look-ups, including its decoding of the datagram with the default charset.
     */
    private static boolean stackCanQuote(byte[] bytes) {
        String raw = new String(bytes, Charset.defaultCharset());
        for (int at = raw.indexOf("Via"); at != -1; at = raw.indexOf("Via", at + 1)) {
            if (!quotable(raw, at)) {
                return false;
            }
        }
        for (String name : new String[] {"CSeq", "Call-ID", "From", "To"}) {
            int at = raw.indexOf(name);
            if (at != -1 && !quotable(raw, at)) {
                return false;
            }
        }
        return true;
    }

    private static boolean quotable(String raw, int at) {
        int end = raw.indexOf("\r\n", at);
        if (end == -1) {
            return true; // the stack gives up on the 400 itself
        }
        if (at < 2 || !raw.startsWith("\r\n", at - 2)) {
            return false;
        }
        for (int i = at; i < end; i++) {
            char c = raw.charAt(i);
            if (c == '\r' || c == '\n') {
                return false;
            }
        }
        return true;
    }

    /** The first line, after the CR/LF and other control bytes the stack skips before a message. */
    private static String firstLine(byte[] bytes) {
        int start = 0;
        while (start < bytes.length && (bytes[start] & 0xff) < 0x20) {
            start++;
        }
        int end = start;
        while (end < bytes.length && bytes[end] != '\r' && bytes[end] != '\n') {
            end++;
        }
        return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * The stack's parser, one per message: after the stack has parsed each header line of a request, the line goes
     * through {@link HeaderRules}; the first defect is kept for {@link #parseSIPMessage} to refuse the request with.
     */
    private static final class Checked extends StringMsgParser {

        private String defect;
        private boolean sawContentLength;

        @Override
        protected void processHeader(String header, SIPMessage message, ParseExceptionListener listener, byte[] raw)
                throws ParseException {
            super.processHeader(header, message, listener, raw);
            if (header != null && header.indexOf(':') > 0) {
                String name = Lexer.getHeaderName(header);
                sawContentLength |= name != null && (ContentLength.NAME.equalsIgnoreCase(name.trim())
                        || "l".equalsIgnoreCase(name.trim()));
            }
            if (defect == null && message instanceof SIPRequest && header != null) {
                defect = HeaderRules.defect(header);
            }
        }
    }

    /** Passes the stack's listener every header error and remembers the kind of the last one it rethrew. */
    private static final class Culprit implements ParseExceptionListener {

        private final ParseExceptionListener listener;
        private Class<?> header;

        Culprit(ParseExceptionListener listener) {
            this.listener = listener;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public void handleException(ParseException ex, SIPMessage message, Class headerClass, String headerText,
                String messageText) throws ParseException {
            try {
                listener.handleException(ex, message, headerClass, headerText, messageText);
            } catch (ParseException e) {
                header = headerClass;
                throw e;
            }
        }
    }
}
