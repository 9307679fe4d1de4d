package org.callpark.history.internal.shell;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --since}: an age ({@code 30m}, {@code 2h}, {@code 7d}, {@code 45s}) or an ISO-8601 instant. */
final class Since {

    private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhd])");

    private Since() {
    }

    /** @throws IllegalArgumentException naming the accepted forms */
    static Instant parse(String text, Instant now) {
        String t = text.strip();
        Matcher m = AGE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--since: expected an age like 30m, 2h, 7d or an instant like"
                    + " 2026-12-07T10:42:00Z, was '" + text + "'");
        }
    }
}
