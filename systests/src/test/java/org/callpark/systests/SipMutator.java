package org.callpark.systests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutations of SIP messages for {@link SipFuzzST}: bit flips, truncation, duplicated header lines, huge header
 * values and numbers, inserted separator and control bytes, and mixes of these. Seeded, so a failing run can be
 * repeated ({@code -Dsystests.fuzz.seed}).
 * <p>
 * Lines that carry an address something may be sent to — Contact and the SDP {@code c=}/{@code o=} lines — are kept as
 * they are in the seeds that could succeed (our own park and retrieve messages): a flipped bit could otherwise turn
 * {@code 127.0.0.1} into a public address or a host name the server would resolve, and make it send RTP, a BYE or a
 * DNS query off loopback. The top Via is set by {@link RawSip#ownVia} after the mutation for the same reason.
 */
final class SipMutator {

    private static final byte[] SPECIALS = " \t\r\n\0:;,<>\"%@=/\\[]?&+*-.0123456789\u00ff".getBytes(
            StandardCharsets.ISO_8859_1);

    private final Random random;

    SipMutator(long seed) {
        this.random = new Random(seed);
    }

    /** A seed index in [0, n). */
    int pick(int n) {
        return random.nextInt(n);
    }

    /** A mutated message is cut here: more than a TCP peer may send (the stack's MAX_MESSAGE_SIZE is 64 KB). */
    static final int MAX_BYTES = 128 * 1024;

    byte[] mutate(byte[] seed) {
        int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        byte[] m = seed;
        for (int i = 0; i < rounds; i++) {
            m = switch (random.nextInt(6)) {
                case 0 -> flipBits(m);
                case 1 -> truncate(m);
                case 2 -> duplicateHeader(m);
                case 3 -> hugeValue(m);
                case 4 -> insertSpecial(m);
                default -> hugeNumber(m);
            };
        }
        return m.length > MAX_BYTES ? Arrays.copyOf(m, MAX_BYTES) : m;
    }

    /** Whether a mutation of {@code seed} still has the seed's address lines (Contact, c=, o=) unchanged. */
    static boolean addressesKept(String seed, byte[] mutated) {
        String m = new String(mutated, StandardCharsets.ISO_8859_1);
        for (String line : seed.split("\r\n")) {
            String l = line.toLowerCase();
            if ((l.startsWith("contact:") || l.startsWith("c=") || l.startsWith("o=")) && !m.contains(line + "\r\n")) {
                return false;
            }
        }
        return true;
    }

    private byte[] flipBits(byte[] m) {
        byte[] b = m.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips && b.length > 0; i++) {
            int at = random.nextInt(b.length);
            b[at] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
    }

    private byte[] truncate(byte[] m) {
        return m.length < 2 ? m : Arrays.copyOf(m, random.nextInt(m.length));
    }

    private byte[] duplicateHeader(byte[] m) {
        List<String> lines = List.of(new String(m, StandardCharsets.ISO_8859_1).split("\r\n", -1));
        int end = lines.indexOf("");
        if (end <= 1) {
            return m;
        }
        String header = lines.get(1 + random.nextInt(end - 1));
        int times = 1 + (random.nextBoolean() ? random.nextInt(3) : random.nextInt(200));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            b.append(lines.get(i));
            if (i < lines.size() - 1) {
                b.append("\r\n");
            }
            if (i == end - 1) {
                b.append((header + "\r\n").repeat(times));
            }
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A header's value, or a new header, of 1 KB up to 60 KB (UDP's limit is about 64 KB). */
    private byte[] hugeValue(byte[] m) {
        String s = new String(m, StandardCharsets.ISO_8859_1);
        int eol = s.indexOf("\r\n");
        if (eol < 0) {
            return m;
        }
        int size = 1024 << random.nextInt(6);
        char c = "A;,<\"%9 ".charAt(random.nextInt(8));
        String value = String.valueOf(c).repeat(Math.min(size, 60_000));
        String[] names = {"Subject", "From", "To", "Call-ID", "CSeq", "Contact", "Referred-By", "X-Fuzz", "Route",
            "Authorization", "Event", "Expires"};
        String header = names[random.nextInt(names.length)] + ": " + value + "\r\n";
        return (s.substring(0, eol + 2) + header + s.substring(eol + 2)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] hugeNumber(byte[] m) {
        String s = new String(m, StandardCharsets.ISO_8859_1);
        String[] numbers = {"4294967296", "99999999999999999999", "-1", "2147483648", "0x10", "1e9"};
        String n = numbers[random.nextInt(numbers.length)];
        String[] targets = {"CSeq: \\d+", "Content-Length: \\d+", "Max-Forwards: \\d+", "Expires: \\d+",
            "m=audio \\d+", "SIP/2.0 \\d+"};
        String t = targets[random.nextInt(targets.length)];
        String prefix = t.substring(0, t.indexOf('\\'));
        return s.replaceFirst(t, prefix + n).getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] insertSpecial(byte[] m) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(m.length + 8);
        int at = m.length == 0 ? 0 : random.nextInt(m.length);
        b.write(m, 0, at);
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b.write(SPECIALS[random.nextInt(SPECIALS.length)]);
        }
        b.write(m, at, m.length - at);
        return b.toByteArray();
    }
}
