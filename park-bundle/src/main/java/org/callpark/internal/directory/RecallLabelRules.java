package org.callpark.internal.directory;

import java.util.List;
import java.util.regex.Pattern;

import org.callpark.api.ParkException.Violation;
import org.callpark.api.RecallLabels;

/**
 * The rules of a tenant's or park group's {@link RecallLabels}, part of {@link DirectoryValidator}: the Alert-Info is
 * what the SIP configuration's {@code recallAlertInfo} accepts ({@code <uri>} with optional {@code ;params},
 * comma-separated) or {@value RecallLabels#NO_ALERT_INFO}; the caller-ID prefix is at most 32 printable characters
 * without quotes or backslashes (it goes into a quoted display name). Both header values are checked here so that a
 * directory can never make a recall INVITE that the stack refuses to build. Pure and thread-safe.
 */
final class RecallLabelRules {

    private static final Pattern ALERT_INFO = Pattern.compile("<[^<>\\s]+>[^\\r\\n<>]*(,\\s*<[^<>\\s]+>[^\\r\\n<>]*)*");
    private static final Pattern PREFIX = Pattern.compile("[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e\\u00a0-\\uffff]{1,32}");

    private RecallLabelRules() {
    }

    static void check(RecallLabels labels, String alertInfoKey, String prefixKey, String words, List<Violation> out) {
        String alert = labels.alertInfo();
        if (!alert.isEmpty() && !alert.equals(RecallLabels.NO_ALERT_INFO) && !ALERT_INFO.matcher(alert).matches()) {
            out.add(new Violation(alertInfoKey, words + ": alertInfo must be <uri> with optional ;params,"
                    + " comma-separated, or '" + RecallLabels.NO_ALERT_INFO + "', was '" + alert + "'"));
        }
        String prefix = labels.callerIdPrefix();
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            out.add(new Violation(prefixKey, words + ": callerIdPrefix must be 1 to 32 printable characters without"
                    + " quotes or backslashes, was '" + prefix + "'"));
        }
    }
}
