package org.callpark.history.internal;

import java.util.Locale;

import org.callpark.api.history.HistoryRecord;

/**
 * The one INFO line per resolved call, logger {@code org.callpark.audit}, written by the node that resolved it: an
 * audit trail even without the database, in the form
 * {@code park resolved: call=… tenant=… slot=… caller="…" resolution=ANSWERED by=103 waited=12.3s recalls=1 node=…}.
 * Every value a caller or a directory could choose is escaped (quotes, backslashes, control characters as {@code \n},
 * {@code \t}, {@code \\u0001}; spaces and '=' in unquoted values too), so a hostile display name cannot end the line
 * or forge another field or line.
 */
final class AuditLine {

    static final String LOGGER = "org.callpark.audit";

    private AuditLine() {
    }

    static String of(HistoryRecord r) {
        long tenths = Math.max(0, r.waited().toMillis()) / 100;
        return "park resolved: call=" + bare(r.callId())
                + " tenant=" + bare(r.slot().tenant().value())
                + " slot=" + bare(r.slot().kind().token() + "/" + r.slot().name())
                + " caller=\"" + escape(r.caller().describe()) + "\""
                + " resolution=" + r.resolution().name()
                + " by=" + (r.resolvedBy().isEmpty() ? "-" : bare(r.resolvedBy()))
                + " waited=" + (tenths / 10) + "." + (tenths % 10) + "s"
                + " recalls=" + r.recallAttempts()
                + " node=" + (r.node().isEmpty() ? "-" : bare(r.node()));
    }

    /** A value outside quotes: escaped, and spaces, quotes and '=' escaped too so that it stays one field. */
    static String bare(String s) {
        String e = escape(s);
        StringBuilder sb = new StringBuilder(e.length());
        for (int i = 0; i < e.length(); i++) {
            char ch = e.charAt(i);
            if (ch == ' ' || ch == '=') {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** Backslash, double quote and every control or line-separating character escaped; nothing else changed. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029' || ch == '\u0085') {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.toString();
    }
}
