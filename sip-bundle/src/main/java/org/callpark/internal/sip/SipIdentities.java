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

    private final SipMessages messages;
    private final SipAuthenticator auth;

    SipIdentities(SipMessages messages, SipAuthenticator auth) {
        this.messages = messages;
        this.auth = auth;
    }

    /**
     * Who parks: Referred-By (RFC 3892, the transferor) if present; else P-Asserted-Identity from a trusted proxy;
     * else the digest user of valid credentials; else From's user.
     */
    String parkerOf(Request request, Tenant tenant) {
        Optional<Address> referredBy = messages.headerAddress(request, "Referred-By");
        if (referredBy.isPresent()) {
            return SipMessages.userOf(referredBy.get());
        }
        if (messages.settings().trusted(SipMessages.sourceIp(request))) {
            Optional<Address> pai = messages.headerAddress(request, "P-Asserted-Identity");
            if (pai.isPresent()) {
                return SipMessages.userOf(pai.get());
            }
        }
        Optional<String> digest = auth.digestUser(request, tenant);
        if (digest.isPresent()) {
            return digest.get();
        }
        return SipMessages.userOf(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress());
    }

    /** Who is parked: From, or P-Asserted-Identity when a trusted proxy sent it. */
    CallerId callerOf(Request request) {
        Address who = ((FromHeader) request.getHeader(FromHeader.NAME)).getAddress();
        if (messages.settings().trusted(SipMessages.sourceIp(request))) {
            who = messages.headerAddress(request, "P-Asserted-Identity").orElse(who);
        }
        String user = SipMessages.userOf(who);
        return CallerId.of(user == null ? "" : user, who.getDisplayName());
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
        a.setDisplayName(recallName(call));
        return a;
    }

    /** The marked name of a recall's From: the caller's name, or the slot and number; at most 64 characters. */
    static String recallName(ParkedCall call) {
        CallerId caller = call.caller();
        String name = clean(caller.displayName());
        String slot = call.slot().kind() == SlotKind.GROUP && !call.parkGroup().isEmpty()
                ? call.parkGroup() : call.slot().name(); // the group's name as configured, not the slot key
        String shown = !name.isEmpty() ? "Parked: " + name
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
