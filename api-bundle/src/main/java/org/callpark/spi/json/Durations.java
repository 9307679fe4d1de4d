package org.callpark.spi.json;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the directory configuration writes them: a plain number is seconds (decimals allowed, {@code 1.5}), or
 * a number with a unit {@code ms}, {@code s} or {@code m} ({@code 500ms}, {@code 2m}).
 */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))\\s*(ms|s|m)?");
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException if the text is not a duration
     */
    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration");
        }
        BigDecimal seconds = new BigDecimal(m.group(1));
        String unit = m.group(2);
        if ("ms".equals(unit)) {
            seconds = seconds.movePointLeft(3);
        } else if ("m".equals(unit)) {
            seconds = seconds.multiply(BigDecimal.valueOf(60));
        }
        BigDecimal nanos = seconds.movePointRight(9).setScale(0, RoundingMode.HALF_UP);
        if (nanos.abs().compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("too long");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    /** The shortest text {@link #parse} reads back as the same duration: {@code 30}, {@code 500ms}, {@code 1.0000005}. */
    public static String format(Duration duration) {
        if (duration.getNano() == 0) {
            return Long.toString(duration.getSeconds());
        }
        if (duration.getNano() % 1_000_000 == 0) {
            return duration.toMillis() + "ms";
        }
        return BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9))
                .stripTrailingZeros().toPlainString();
    }
}
