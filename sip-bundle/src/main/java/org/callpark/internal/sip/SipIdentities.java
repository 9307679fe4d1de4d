package org.callpark.internal.sip;

import java.text.ParseException;
import java.util.Optional;

import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallLabels;
import org.callpark.api.SlotKind;
import org.callpark.api.Tenant;

/**
 * Who is who on a call, as SIP headers say it: the parker and the parked caller of a park INVITE, the connected party
 * we announce to a retriever, and the marked caller a recall shows on the callee's display. The rules for which header
 * to believe (a trusted proxy's P-Asserted-Identity, Referred-By of a transfer, digest credentials, From) live here
 * only, and so does the cleaning of display names that go back out in quoted strings.
 */
final class SipIdentities {

    private static final int MAX_DISPLAY_NAME = 64;
    /** The longest caller name or number kept from a request (code points). */
    static final int MAX_CALLER_TEXT = 40;

    private final SipMessages messages;
    private final SipAuthenticator auth;
    private final Registrations registrations;

    /** Without registrations: a parker is verified by digest or a trusted proxy only (tests of the headers). */
    SipIdentities(SipMessages messages, SipAuthenticator auth) {
        this(messages, auth, null);
    }

    SipIdentities(SipMessages messages, SipAuthenticator auth, Registrations registrations) {
        this.messages = messages;
        this.auth = auth;
        this.registrations = registrations;
    }

    /**
     * The parker of a park INVITE and whether that identity can be believed.
     *
     * @param extension the extension named (see {@link #parker}), or {@code null}
     * @param verified  the request proves it: a trusted proxy sent it, digest credentials of that user, or it came
     *                  from an address/port that user registered as a Contact
     */
    record Parker(String extension, boolean verified) {
    }

    /** Who parks, as {@link #parker} names it (the extension only). */
    String parkerOf(Request request, Tenant tenant) {
        return parker(request, tenant).extension();
    }

    /**
     * Who parks: Referred-By (RFC 3892, the transferor) if present; else P-Asserted-Identity from a trusted proxy;
     * else the digest user of valid credentials; else From's user. Referred-By and From are text anyone can write, so
     * the parker is only {@link Parker#verified} when a trusted proxy sent the request, valid credentials of that very
     * user came with it, or it came from a Contact that user registered (the transferor's own phone). An unverified
     * parker still chooses the slot ({@code *68}), but recalls never ring it: {@link ParkFlows} passes the verdict in
 * the {@code ParkRequest}, and the core's recall ladder skips the parker ({@code ParkedCall.parkerVerified}).
     */
    Parker parker(Request request, Tenant tenant) {
        boolean trusted = messages.settings().trusted(SipMessages.sourceIp(request));
        Optional<Address> referredBy = messages.headerAddress(request, "Referred-By");
        if (referredBy.isPresent()) {
            String ext = SipMessages.userOf(referredBy.get());
            return new Parker(ext, trusted || ext != null && (auth.digestUser(request, tenant).filter(ext::equals)
                    .isPresent() || fromRegisteredContact(request, tenant, ext)));
        }
        if (trusted) {
            Optional<Address> pai = messages.headerAddress(request, "P-Asserted-Identity");
            if (pai.isPresent()) {
                return new Parker(SipMessages.userOf(pai.get()), true);
            }
        }
        Optional<String> digest = auth.digestUser(request, tenant);
        if (digest.isPresent()) {
            return new Parker(digest.get(), true);
        }
        String from = SipMessages.userOf(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress());
        return new Parker(from, trusted || from != null && fromRegisteredContact(request, tenant, from));
    }

    /** Whether the request came from the source address/port (or the Contact host:port) of a binding of {@code ext}. */
    private boolean fromRegisteredContact(Request request, Tenant tenant, String ext) {
        String source = SipMessages.sourceOf(request);
        if (registrations == null || source.isEmpty()) {
            return false;
        }
        try {
            for (Registrations.Binding b : registrations.lookup(tenant.id(), ext)) {
                if (source.equals(b.source()) || source.equals(hostPort(b.contact()))) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            return false; // no registrations to ask (cluster member away): not verified
        }
        return false;
    }

    private String hostPort(String contact) {
        try {
            if (messages.addresses().createURI(contact) instanceof SipURI sip) {
                // A Contact naming a host is never resolved here (no DNS on a listener thread): not comparable.
                return IpLiteral.parse(sip.getHost())
                        .map(a -> a.getHostAddress() + ":" + (sip.getPort() > 0 ? sip.getPort() : 5060)).orElse("");
            }
        } catch (ParseException e) {
            // not comparable
        }
        return "";
    }

    /**
     * Who is parked: From, or P-Asserted-Identity when a trusted proxy sent it. Both parts are {@link #callerText
     * cleaned} here, once, where the caller ID enters: every place that shows it later (recall display, BLF, XMPP,
     * web) gets text without control characters or direction overrides.
     */
    CallerId callerOf(Request request) {
        Address who = ((FromHeader) request.getHeader(FromHeader.NAME)).getAddress();
        if (messages.settings().trusted(SipMessages.sourceIp(request))) {
            who = messages.headerAddress(request, "P-Asserted-Identity").orElse(who);
        }
        String user = SipMessages.userOf(who);
        return CallerId.of(callerText(user), callerText(who.getDisplayName()));
    }

    /**
     * Caller text as a phone or trunk sent it, made safe to show: without control characters (Unicode Cc: BEL, CR, LF,
     * ESC ...) and invisible format characters (Cf: the bidi overrides and isolates U+202A..U+202E, U+2066..U+2069,
     * marks, zero-width characters), whitespace runs as one space, at most {@value #MAX_CALLER_TEXT} code points.
     */
    static String callerText(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        int kept = 0;
        boolean space = false;
        for (int i = 0; i < s.length() && kept < MAX_CALLER_TEXT;) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.PRIVATE_USE || type == Character.UNASSIGNED
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                continue;
            }
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                space = b.length() > 0;
                continue;
            }
            if (space) {
                b.append(' ');
                kept++;
                space = false;
                if (kept >= MAX_CALLER_TEXT) {
                    break;
                }
            }
            b.appendCodePoint(cp);
            kept++;
        }
        return b.toString();
    }

    /**
     * Announces the connected party in a 200 OK to a retriever: P-Asserted-Identity (RFC 3325; Yealink, Grandstream,
     * baresip) and Remote-Party-ID (Polycom, older Cisco/Yealink firmware read this one in responses), and its name on
     * our Contact.
     */
    void announceConnected(Response ok, Address contact, CallerId connected, String host) throws ParseException {
        SipURI who = messages.addresses().createSipURI(connected.number().isEmpty() ? "anonymous"
                : connected.number(), connected.number().isEmpty() ? "anonymous.invalid" : host);
        Address identity = messages.addresses().createAddress(who);
        String name = connectedName(connected.displayName());
        if (!name.isEmpty()) {
            identity.setDisplayName(name);
            contact.setDisplayName(name);
        }
        ok.setHeader(messages.headers().createHeader("P-Asserted-Identity", identity.toString()));
        ok.setHeader(messages.headers().createHeader("Remote-Party-ID",
                identity + ";party=calling;screen=yes;privacy=off"));
    }

    /** A display name for a quoted string: without quotes and backslashes. */
    static String connectedName(String name) {
        return name == null ? "" : name.replace("\"", "").replace("\\", "").trim();
    }

    /**
     * The parked caller as a recall shows it, marked: {@code "Parked: Customer" <sip:+4930123@domain>} or
     * {@code "Park 101: +4930123"}; an unusable number becomes {@code anonymous@anonymous.invalid}.
     */
    Address recallFrom(ParkedCall call, String domain) throws ParseException {
        return recallFrom(call, domain, RecallLabels.DEFAULT_PREFIX);
    }

    /** As {@link #recallFrom(ParkedCall, String)}, the name marked with {@code prefix} (a park group's, a tenant's). */
    Address recallFrom(ParkedCall call, String domain, String prefix) throws ParseException {
        String number = call.caller().number();
        SipURI uri;
        try {
            uri = number.isEmpty() || !number.matches("[+]?[0-9A-Za-z*#._-]+")
                    ? messages.addresses().createSipURI("anonymous", "anonymous.invalid")
                    : messages.addresses().createSipURI(number, domain);
        } catch (ParseException e) {
            uri = messages.addresses().createSipURI("anonymous", "anonymous.invalid");
        }
        Address a = messages.addresses().createAddress(uri);
        a.setDisplayName(recallName(call, prefix));
        return a;
    }

    /** The marked name of a recall's From: the caller's name, or the slot and number; at most 64 characters. */
    static String recallName(ParkedCall call) {
        return recallName(call, RecallLabels.DEFAULT_PREFIX);
    }

    /** As {@link #recallName(ParkedCall)}, the caller's name after {@code prefix} and a space. */
    static String recallName(ParkedCall call, String prefix) {
        CallerId caller = call.caller();
        String name = clean(caller.displayName());
        String slot = call.slot().kind() == SlotKind.GROUP && !call.parkGroup().isEmpty()
                ? call.parkGroup() : call.slot().name(); // the group's name as configured, not the slot key
        String shown = !name.isEmpty() ? clean(prefix) + " " + name
                : "Park " + clean(slot) + ": " + (caller.number().isEmpty() ? "unknown" : clean(caller.number()));
        return shown.length() > MAX_DISPLAY_NAME ? shown.substring(0, MAX_DISPLAY_NAME) : shown;
    }

    /** Without control characters, quotes and backslashes (they would end or break the quoted string). */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\') {
                b.append(c);
            }
        }
        return b.toString().trim();
    }
}
