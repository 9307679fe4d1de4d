package org.callpark.internal.sip;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import javax.sip.InvalidArgumentException;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderAddress;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPMessage;

/**
 * How this server answers and what it reads from requests: every response it sends is built here (a To tag on final
 * responses, the Server header, a Warning with the reason), as are our Contact and the Allow list, and the small
 * accessors for the headers every handler reads (Call-ID, Request-URI user and host, transport, source address).
 * <p>
 * It follows the running stack ({@link #attach}) and the settings that change without a new one ({@link #apply}), so
 * that the handlers, the BLF notifier, the recall dialer and the handover all answer with the same Server header and
 * the same Contact. The factories are the stack's stateless NIST ones, created here, so that responses and the
 * requests of unit tests can be built without a stack.
 */
final class SipMessages {

    private final SipStats stats = new SipStats();

    private static final Logger LOG = LoggerFactory.getLogger(SipMessages.class);

    /** The methods we answer, in the Allow header of our responses and of our INVITEs. */
    static final String ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, SUBSCRIBE, INFO, UPDATE";

    private final MessageFactory messages = new MessageFactoryImpl();
    private final HeaderFactory headers = new HeaderFactoryImpl();
    private final AddressFactory addresses = new AddressFactoryImpl();
    private volatile SipEndpoint endpoint;
    private volatile SipSettings settings;

    SipMessages(SipSettings settings) {
        this.settings = settings;
    }

    /** The figures of the metrics (requests, responses, latencies): counted here, read by {@link SipMeters}. */
    SipStats stats() {
        return stats;
    }

    /** A (new) stack runs: its provider sends from now on, with its settings. */
    void attach(SipEndpoint endpoint) {
        this.endpoint = endpoint;
        this.settings = endpoint.settings;
    }

    /** Applies settings that need no new stack (trusted proxies, realm, outbound proxy, user agent). */
    void apply(SipSettings settings) {
        this.settings = settings;
    }

    SipSettings settings() {
        return settings;
    }

    /** The running stack; {@code null} before the first one started. */
    SipEndpoint endpoint() {
        return endpoint;
    }

    HeaderFactory headers() {
        return headers;
    }

    AddressFactory addresses() {
        return addresses;
    }

    /** The request's server transaction, created if the stack has none; {@code null} for a known retransmission. */
    ServerTransaction serverTransaction(RequestEvent event) throws SipException {
        ServerTransaction st = event.getServerTransaction();
        if (st != null) {
            return st;
        }
        try {
            return endpoint.provider.getNewServerTransaction(event.getRequest());
        } catch (TransactionAlreadyExistsException e) {
            return null;
        }
    }

    /** A response with a To tag (final responses), the Server header and, if given, a Warning. */
    Response response(Request request, int status, String warning) throws ParseException, InvalidArgumentException {
        SipSettings s = settings;
        Response r = messages.createResponse(status, request);
        stats.response(status);
        if (status >= 200) {
            ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
            if (to != null && to.getTag() == null) {
                to.setTag(newTag());
            }
        }
        List<String> product = new ArrayList<>();
        product.add(s.userAgent());
        r.setHeader(headers.createServerHeader(product));
        if (warning != null && !warning.isEmpty()) {
            r.setHeader(headers.createWarningHeader(s.advertisedAddress(), 399, SipErrors.warningText(warning)));
        }
        return r;
    }

    /** Sends a final response with a Warning on the request's own transaction. */
    void reject(ServerTransaction st, int status, String warning) throws Exception {
        st.sendResponse(response(st.getRequest(), status, warning));
    }

    /** As {@link #reject} with a {@code Retry-After} (a 503 that a later attempt or another node may not get). */
    void rejectForAWhile(ServerTransaction st, int status, String warning, int retryAfterSeconds) throws Exception {
        Response r = response(st.getRequest(), status, warning);
        r.setHeader(headers.createRetryAfterHeader(retryAfterSeconds));
        st.sendResponse(r);
    }

    /** The {@code Retry-After} of a 503 while the park core is away (a {@code bundle:update} takes a few seconds). */
    static final int CORE_AWAY_RETRY_SECONDS = 5;

    /** {@code 503 Service Unavailable} with {@code Retry-After}: the park core is away ({@link CoreAwayException}). */
    Response unavailable(Request request) throws ParseException, InvalidArgumentException {
        Response r = response(request, 503, "the park service is restarting, try again shortly");
        r.setHeader(headers.createRetryAfterHeader(CORE_AWAY_RETRY_SECONDS));
        return r;
    }

    /** Adds to a response before it is sent. */
    @FunctionalInterface
    interface Decorator {
        void decorate(Response r) throws ParseException;
    }

    /** Answers a request that needs no state of ours (OPTIONS, a refused method). */
    void respond(RequestEvent event, int status, String warning, Decorator decorator) throws Exception {
        ServerTransaction st = serverTransaction(event);
        Response r = response(event.getRequest(), status, warning);
        if (decorator != null) {
            decorator.decorate(r);
        }
        if (st != null) {
            st.sendResponse(r);
        }
    }

    /** One Allow header per method we answer. */
    void addAllow(Message m) throws ParseException {
        for (String method : ALLOW.split(", ")) {
            m.addHeader(headers.createAllowHeader(method));
        }
    }

    /** Our Contact for dialogs over {@code transport}: the advertised address and port. */
    String contactUri(String transport) {
        SipSettings s = settings;
        String host = s.advertisedAddress().indexOf(':') >= 0 ? "[" + s.advertisedAddress() + "]"
                : s.advertisedAddress();
        return "<sip:park@" + host + ":" + s.port() + ";transport=" + transport + ">";
    }

    /** Our Contact header for dialogs over {@code transport}. */
    ContactHeader contactHeader(String transport) throws ParseException {
        return headers.createContactHeader(addresses.createAddress(contactUri(transport)));
    }

    /** A request this server originates (NOTIFY, recall INVITE) with a body. */
    Request createRequest(URI target, String method, CallIdHeader callId, CSeqHeader cseq, FromHeader from,
            ToHeader to, List<ViaHeader> vias, MaxForwardsHeader maxForwards, ContentTypeHeader type, String body)
            throws ParseException {
        return messages.createRequest(target, method, callId, cseq, from, to, vias, maxForwards, type, body);
    }

    /** The Via of a request this server originates over {@code transport} (the stack adds the branch). */
    ViaHeader via(String transport) throws ParseException, InvalidArgumentException {
        SipSettings s = settings;
        return headers.createViaHeader(s.advertisedAddress(), s.port(), transport, null);
    }

    /**
     * Adds the Route to the outbound proxy, if one is configured, to a request this server originates to
     * {@code host:port} without a dialog's route set (a NOTIFY whose SUBSCRIBE had no Record-Route, a recall INVITE).
     */
    void addProxyRoute(Request request, String host, int port, String transport) throws ParseException {
        Optional<String> proxy = NextHop.of(settings, host, port, transport).route();
        if (proxy.isPresent()) {
            request.addHeader(headers.createHeader("Route", proxy.get()));
        }
    }

    /** The User-Agent of the requests this server originates. */
    Header userAgentHeader() throws ParseException {
        return headers.createUserAgentHeader(List.of(settings.userAgent()));
    }

    /** A fresh tag for a dialog we answer or start. */
    static String newTag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    static boolean inDialog(Request request) {
        return ((ToHeader) request.getHeader(ToHeader.NAME)).getTag() != null;
    }

    static String callIdOf(Message message) {
        return ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
    }

    static String requestUser(Request request) {
        URI uri = request.getRequestURI();
        return uri instanceof SipURI sip ? sip.getUser() : null;
    }

    static String requestHost(Request request) {
        URI uri = request.getRequestURI();
        return uri instanceof SipURI sip ? sip.getHost() : null;
    }

    /** The transport the request came over (its top Via), lower case; UDP if it does not say. */
    static String transportOf(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return via == null || via.getTransport() == null ? "udp" : via.getTransport().toLowerCase();
    }

    /** The address the request (or response) came from, or {@code null} if the stack did not record it. */
    static String sourceIp(Message message) {
        if (message instanceof SIPMessage m && m.getRemoteAddress() != null) {
            return m.getRemoteAddress().getHostAddress();
        }
        return null;
    }

    /** The address and port the request came from, or empty. */
    static String sourceOf(Request request) {
        if (request instanceof SIPMessage m && m.getRemoteAddress() != null) {
            return m.getRemoteAddress().getHostAddress() + ":" + m.getRemotePort();
        }
        return "";
    }

    /** A header's value without its name. */
    static String valueOf(Header h) {
        String s = h.toString().trim();
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(colon + 1).trim();
    }

    static String bodyOf(Request request) {
        byte[] raw = request.getRawContent();
        return raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
    }

    static ContactHeader contact(Request request) {
        return (ContactHeader) request.getHeader(ContactHeader.NAME);
    }

    /** The address in header {@code name} (P-Asserted-Identity, Referred-By), or empty if absent or unparsable. */
    Optional<Address> headerAddress(Request request, String name) {
        Header h = request.getHeader(name);
        if (h == null) {
            return Optional.empty();
        }
        if (h instanceof HeaderAddress ha && ha.getAddress() != null) {
            return Optional.of(ha.getAddress());
        }
        try {
            return Optional.of(addresses.createAddress(valueOf(h)));
        } catch (ParseException e) {
            LOG.debug("Unparsable {} header: {}", name, valueOf(h));
            return Optional.empty();
        }
    }

    /** The user part of a SIP URI (percent-decoded) or the number of a tel URL; {@code null} if there is none. */
    static String userOf(Address address) {
        URI uri = address.getURI();
        if (uri instanceof SipURI sip) {
            return sip.getUser() == null ? null : FeatureCode.percentDecode(sip.getUser());
        }
        if (uri instanceof TelURL tel) {
            return (tel.isGlobal() ? "+" : "") + tel.getPhoneNumber();
        }
        return null;
    }

    /** The Record-Route addresses of a dialog-creating request, in order: the dialog's route set. */
    static List<String> recordRoutes(Request request) {
        List<String> routes = new ArrayList<>();
        for (ListIterator<?> it = request.getHeaders(RecordRouteHeader.NAME); it.hasNext();) {
            routes.add(((RecordRouteHeader) it.next()).getAddress().toString());
        }
        return routes;
    }
}
