package org.callpark.internal.sip;

import static org.callpark.internal.sip.SipRequestsForTests.TENANT;
import static org.callpark.internal.sip.SipRequestsForTests.directory;
import static org.callpark.internal.sip.SipRequestsForTests.request;
import static org.callpark.internal.sip.SipRequestsForTests.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;

import javax.sip.address.Address;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.callpark.api.CallerId;
import org.junit.jupiter.api.Test;

import gov.nist.javax.sip.message.MessageFactoryImpl;

/** Which header names the parker, the parked caller and the connected party, without a stack. */
class SipIdentitiesTest {

    private static final String PARK = "sip:*68@example.com";

    private final SipMessages messages = new SipMessages(settings("10.0.0.1", ""));
    private final SipIdentities identities = new SipIdentities(messages,
            new SipAuthenticator(messages, CoreAccess.of(null, directory()), Clock.systemUTC()));

    @Test
    void theTransferorInReferredByIsTheParker() throws Exception {
        Request r = request("INVITE", PARK, "\"Customer\" <sip:+4930123@example.com>",
                "Referred-By: <sip:101@example.com>\r\n", "192.0.2.5");
        assertEquals("101", identities.parkerOf(r, TENANT));
        assertEquals(CallerId.of("+4930123", "Customer"), identities.callerOf(r));
    }

    @Test
    void aTrustedProxysAssertedIdentityIsTheParkerAndTheCaller() throws Exception {
        Request r = request("INVITE", PARK, "<sip:proxy@example.com>",
                "P-Asserted-Identity: \"Bob\" <sip:102@example.com>\r\n", "10.0.0.1");
        assertEquals("102", identities.parkerOf(r, TENANT));
        assertEquals(CallerId.of("102", "Bob"), identities.callerOf(r));
    }

    @Test
    void anUntrustedAssertedIdentityIsIgnored() throws Exception {
        Request r = request("INVITE", PARK, "\"Ann\" <sip:101@example.com>",
                "P-Asserted-Identity: \"Bob\" <sip:102@example.com>\r\n", "192.0.2.5");
        assertEquals("101", identities.parkerOf(r, TENANT));
        assertEquals(CallerId.of("101", "Ann"), identities.callerOf(r));
    }

    @Test
    void aTelUrlCallerKeepsItsPlus() throws Exception {
        Request r = request("INVITE", PARK, "<tel:+4930123>", "", "192.0.2.5");
        assertEquals("+4930123", identities.callerOf(r).number());
    }

    @Test
    void theConnectedPartyIsAnnouncedWithAQuoteFreeName() throws Exception {
        Request r = request("INVITE", "sip:*88@example.com", "<sip:102@example.com>", "", "192.0.2.5");
        Response ok = new MessageFactoryImpl().createResponse(200, r);
        Address contact = messages.addresses().createAddress("<sip:park@192.0.2.1:5060>");
        identities.announceConnected(ok, contact, CallerId.of("+4930123", "Evil \"Name\" \\"), "example.com");
        String pai = SipMessages.valueOf(ok.getHeader("P-Asserted-Identity"));
        assertEquals("\"Evil Name\" <sip:+4930123@example.com>", pai);
        assertTrue(SipMessages.valueOf(ok.getHeader("Remote-Party-ID")).startsWith(pai + ";party=calling"));
        assertEquals("Evil Name", contact.getDisplayName());
    }

    @Test
    void anAnonymousConnectedPartyHasNoName() throws Exception {
        Request r = request("INVITE", "sip:*88@example.com", "<sip:102@example.com>", "", "192.0.2.5");
        Response ok = new MessageFactoryImpl().createResponse(200, r);
        Address contact = messages.addresses().createAddress("<sip:park@192.0.2.1:5060>");
        identities.announceConnected(ok, contact, CallerId.of("", ""), "example.com");
        String pai = SipMessages.valueOf(ok.getHeader("P-Asserted-Identity"));
        assertTrue(pai.contains("sip:anonymous@anonymous.invalid"), pai);
        assertFalse(pai.contains("\""), pai);
    }

    // ------------------------------------------------------------------------------------------ issue 14 R2

    @Test
    void aReferredByOrFromAnyoneCanWriteIsAnUnverifiedParker() throws Exception {
        Request referred = request("INVITE", PARK, "\"Customer\" <sip:+4930123@example.com>",
                "Referred-By: <sip:101@example.com>\r\n", "192.0.2.5");
        assertEquals(new SipIdentities.Parker("101", false), identities.parker(referred, TENANT));
        Request from = request("INVITE", PARK, "<sip:101@example.com>", "", "192.0.2.5");
        assertEquals(new SipIdentities.Parker("101", false), identities.parker(from, TENANT));
    }

    @Test
    void aTrustedProxyVouchesForTheParker() throws Exception {
        Request referred = request("INVITE", PARK, "<sip:+4930123@example.com>",
                "Referred-By: <sip:101@example.com>\r\n", "10.0.0.1");
        assertEquals(new SipIdentities.Parker("101", true), identities.parker(referred, TENANT));
        Request pai = request("INVITE", PARK, "<sip:proxy@example.com>",
                "P-Asserted-Identity: <sip:102@example.com>\r\n", "10.0.0.1");
        assertEquals(new SipIdentities.Parker("102", true), identities.parker(pai, TENANT));
    }

    @Test
    void aHostileCallerIdIsCleanedWhereItEnters() throws Exception {
        Request r = request("INVITE", PARK,
                "\"\u202E\u2066Parked\u0007\u200B WIN A CRUISE\u00A0\u00A0call now 0900 123456 and claim it\" "
                        + "<sip:+4930123@example.com>", "", "192.0.2.5");
        CallerId c = identities.callerOf(r);
        assertEquals("Parked WIN A CRUISE call now 0900 123456", c.displayName(),
                "no bidi override, BEL, zero-width space; spaces folded; 40 characters at most");
        assertEquals(SipIdentities.MAX_CALLER_TEXT, c.displayName().length());
        assertEquals("+4930123", c.number());
        assertEquals("abc", SipIdentities.callerText("\u202Eabc\u202C\r\n"));
        assertEquals("", SipIdentities.callerText(null));
    }
}
