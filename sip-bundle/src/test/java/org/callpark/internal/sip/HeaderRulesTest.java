package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * The header rules on single header lines: the everyday forms a phone sends are passed by their text alone, and
 * every defect is still found, also where a plain first value hides a bad second one.
 */
class HeaderRulesTest {

    @Test
    void whatPhonesSendKeepsTheRules() {
        assertNull(HeaderRules.defect("From: \"Customer\" <sip:+4930123@10.0.0.1:5062>;tag=abc"));
        assertNull(HeaderRules.defect("To: <sip:*68@127.0.0.1>"));
        assertNull(HeaderRules.defect("Contact: <sip:101@10.0.0.7:5060;transport=udp>;expires=3600"));
        assertNull(HeaderRules.defect("Referred-By: <sip:101@127.0.0.1>"));
        assertNull(HeaderRules.defect("f: \"J\u00fcrgen M\u00fcller, Sales\" <sip:1@h>;tag=1"));
        assertNull(HeaderRules.defect("From: Anonymous <sip:anonymous@anonymous.invalid>;tag=1"));
    }

    @Test
    void everyDefectIsStillFound() {
        assertEquals("white space inside angle brackets in Contact header",
                HeaderRules.defect("Contact: < sip:101@10.0.0.7>"));
        assertEquals("white space inside angle brackets in From header",
                HeaderRules.defect("From: \"Customer\" <sip:1@h >;tag=1"));
        assertEquals("unquoted display name with special characters in From header",
                HeaderRules.defect("From: Bob@home <sip:1@h>;tag=1"));
        assertEquals("unquoted display name with special characters in Contact header",
                HeaderRules.defect("Contact: <sip:a@h>, Bob@home <sip:b@h>"));
        assertEquals("URI with , ; or ? outside angle brackets in Contact header",
                HeaderRules.defect("Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E"));
    }
}
