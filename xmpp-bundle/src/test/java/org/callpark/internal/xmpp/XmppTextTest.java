package org.callpark.internal.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class XmppTextTest {

    @Test
    void markupStaysText_theWriterEscapesIt() {
        assertEquals("</status><message to='x'>\"&<", XmppText.clean("</status><message to='x'>\"&<"));
    }

    @Test
    void charactersXmlForbidsAndLineBreaksBecomeOneSpace() {
        assertEquals("A B C", XmppText.clean("A\u0000\u0007B\r\n\tC\u0001"));
        assertEquals("x y", XmppText.clean("x\uFFFE\uFFFFy"));
        assertEquals("lone", XmppText.clean("lone\uD800"));
    }

    @Test
    void longNamesAreCut_emojiKept() {
        assertEquals(XmppText.MAX, XmppText.clean("n".repeat(500)).length());
        assertEquals("Anna \uD83D\uDE00", XmppText.clean("  Anna \uD83D\uDE00  "));
        assertEquals("", XmppText.clean(null));
    }
}
