package org.callpark.internal.sip;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;

import javax.sip.InvalidArgumentException;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.TenantId;
import org.callpark.internal.sip.Registrations.Binding;

/**
 * REGISTER (RFC 3261 §10) for the tenant's users, after digest authentication: a user registers only their own AOR.
 * Expiry: {@value #MIN_EXPIRES}..{@value #MAX_EXPIRES} s (shorter → 423 with Min-Expires, longer → cut to the
 * maximum), default {@value #DEFAULT_EXPIRES} s; {@code Expires: 0} removes a contact; {@code Contact: *} with expires
 * 0 removes every contact. The 200 OK lists the AOR's current bindings with their remaining time.
 */
final class Registrar {

    static final int MIN_EXPIRES = 60;
    static final int MAX_EXPIRES = 3600;
    static final int DEFAULT_EXPIRES = 3600;

    private final SipEndpoint endpoint;
    private final Registrations registrations;

    Registrar(SipEndpoint endpoint, Registrations registrations) {
        this.endpoint = endpoint;
        this.registrations = registrations;
    }

    Response register(Request request, TenantId tenant, String user, String source, String transport)
            throws ParseException, InvalidArgumentException {
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        String aorUser = to.getAddress().getURI() instanceof SipURI sip ? sip.getUser() : null;
        if (aorUser == null || !aorUser.equals(user)) {
            return refuse(request, 403, "'" + user + "' may only register its own address, not '" + aorUser + "'");
        }
        ExpiresHeader expiresHeader = (ExpiresHeader) request.getHeader(ExpiresHeader.NAME);
        int defaultExpires = expiresHeader != null ? expiresHeader.getExpires() : DEFAULT_EXPIRES;
        List<ContactHeader> contacts = new ArrayList<>();
        for (ListIterator<?> it = request.getHeaders(ContactHeader.NAME); it.hasNext();) {
            contacts.add((ContactHeader) it.next());
        }
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        boolean wildcard = contacts.stream().anyMatch(ContactHeader::isWildCard);
        if (wildcard) {
            if (contacts.size() != 1 || defaultExpires != 0) {
                return refuse(request, 400, "Contact: * needs Expires: 0 and no other contact");
            }
            registrations.removeAll(tenant, user);
            return ok(request, tenant, user);
        }
        // Validate every contact first: nothing is applied if one is refused.
        for (ContactHeader c : contacts) {
            int expires = c.getExpires() >= 0 ? c.getExpires() : defaultExpires;
            if (expires > 0 && expires < MIN_EXPIRES) {
                Response r = refuse(request, 423, "expiry " + expires + " s is below " + MIN_EXPIRES + " s");
                r.setHeader(endpoint.headers.createMinExpiresHeader(MIN_EXPIRES));
                return r;
            }
        }
        long now = System.currentTimeMillis();
        for (ContactHeader c : contacts) {
            int expires = Math.min(MAX_EXPIRES, c.getExpires() >= 0 ? c.getExpires() : defaultExpires);
            String uri = c.getAddress().getURI().toString();
            if (expires == 0) {
                registrations.remove(tenant, user, uri);
            } else {
                registrations.put(new Binding(tenant, user, uri, now + expires * 1000L, source, transport, callId,
                        cseq), expires);
            }
        }
        return ok(request, tenant, user);
    }

    private Response ok(Request request, TenantId tenant, String user) throws ParseException,
            InvalidArgumentException {
        Response r = endpoint.messages.createResponse(200, request);
        tag(r);
        long now = System.currentTimeMillis();
        for (Binding b : registrations.lookup(tenant, user)) {
            ContactHeader c = endpoint.headers.createContactHeader(endpoint.addresses.createAddress(b.contact()));
            c.setExpires((int) Math.max(1, (b.expiresAt() - now + 999) / 1000));
            r.addHeader(c);
        }
        r.setHeader(endpoint.headers.createDateHeader(java.util.Calendar.getInstance(
                java.util.TimeZone.getTimeZone("GMT"))));
        return r;
    }

    private Response refuse(Request request, int status, String warning) throws ParseException {
        Response r = endpoint.messages.createResponse(status, request);
        tag(r);
        try {
            r.setHeader(endpoint.headers.createWarningHeader(endpoint.settings.advertisedAddress(), 399,
                    SipErrors.warningText(warning)));
        } catch (InvalidArgumentException e) {
            throw new IllegalStateException(e);
        }
        return r;
    }

    private static void tag(Response r) throws ParseException {
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (to.getTag() == null) {
            to.setTag(Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1));
        }
    }
}
