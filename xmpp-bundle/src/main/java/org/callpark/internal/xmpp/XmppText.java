package org.callpark.internal.xmpp;

/**
 * Makes untrusted text (a caller's display name or number) safe to put into a stanza. Markup needs no handling here:
 * stanzas are built as dom4j elements and their writer escapes {@code < & " '}; what it does not do is drop characters
 * that XML 1.0 forbids (a NUL or ESC in a SIP display name would get the component's stream closed by the server). So:
 * characters outside XML's {@code Char} production and line breaks/tabs become a space, runs of blanks collapse, and
 * the text is cut to a length people can read in a roster.
 */
final class XmppText {

    /** The longest single value put into a status line or attribute. */
    static final int MAX = 80;

    private XmppText() {
    }

    static String clean(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX + 1));
        boolean blank = false;
        for (int i = 0; i < text.length() && out.length() < MAX;) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
            if (!allowed || Character.isWhitespace(cp) || Character.getType(cp) == Character.CONTROL
                    || cp == 0x2028 || cp == 0x2029) {
                if (!blank && out.length() > 0) {
                    out.append(' ');
                }
                blank = true;
                continue;
            }
            out.appendCodePoint(cp);
            blank = false;
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') {
            end--;
        }
        return out.substring(0, end);
    }
}
