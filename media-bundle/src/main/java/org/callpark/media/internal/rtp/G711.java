package org.callpark.media.internal.rtp;

/**
 * G.711 tables for the relay: µ-law and A-law to linear and to each other (ITU-T G.711, plain Java). The hold music is
 * encoded by libjitsi; these only transcode live PCMU↔PCMA payloads byte by byte and feed the Opus transcoder.
 */
public final class G711 {

    private static final short[] ULAW_TO_LINEAR = new short[256];
    private static final short[] ALAW_TO_LINEAR = new short[256];
    private static final byte[] ULAW_TO_ALAW = new byte[256];
    private static final byte[] ALAW_TO_ULAW = new byte[256];

    static {
        for (int i = 0; i < 256; i++) {
            ULAW_TO_LINEAR[i] = ulawDecode(i);
            ALAW_TO_LINEAR[i] = alawDecode(i);
        }
        for (int i = 0; i < 256; i++) {
            ULAW_TO_ALAW[i] = linearToAlaw(ULAW_TO_LINEAR[i]);
            ALAW_TO_ULAW[i] = linearToUlaw(ALAW_TO_LINEAR[i]);
        }
    }

    private G711() {
    }

    public static short ulawToLinear(byte u) {
        return ULAW_TO_LINEAR[u & 0xff];
    }

    public static short alawToLinear(byte a) {
        return ALAW_TO_LINEAR[a & 0xff];
    }

    public static byte ulawToAlaw(byte u) {
        return ULAW_TO_ALAW[u & 0xff];
    }

    public static byte alawToUlaw(byte a) {
        return ALAW_TO_ULAW[a & 0xff];
    }

    private static short ulawDecode(int u) {
        u = ~u & 0xff;
        int t = ((u & 0x0f) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (short) ((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    private static short alawDecode(int a) {
        a ^= 0x55;
        int t = (a & 0x0f) << 4;
        int seg = (a & 0x70) >> 4;
        switch (seg) {
            case 0 -> t += 8;
            case 1 -> t += 0x108;
            default -> {
                t += 0x108;
                t <<= seg - 1;
            }
        }
        return (short) ((a & 0x80) != 0 ? t : -t);
    }

    public static byte linearToUlaw(int pcm) {
        int mask;
        if (pcm < 0) {
            pcm = 0x84 - pcm;
            mask = 0x7f;
        } else {
            pcm += 0x84;
            mask = 0xff;
        }
        if (pcm > 0x7fff) {
            pcm = 0x7fff;
        }
        int seg = 7;
        for (int s = 0; s < 8; s++) {
            if (pcm <= (0xff << s)) {
                seg = s;
                break;
            }
        }
        int uval = (seg << 4) | ((pcm >> (seg + 3)) & 0x0f);
        return (byte) (uval ^ mask);
    }

    public static byte linearToAlaw(int pcm) {
        int mask;
        if (pcm >= 0) {
            mask = 0xd5;
        } else {
            mask = 0x55;
            pcm = -pcm - 1;
        }
        if (pcm > 0x7fff) {
            pcm = 0x7fff;
        }
        int seg = 8;
        int[] end = {0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff};
        for (int s = 0; s < 8; s++) {
            if (pcm <= end[s]) {
                seg = s;
                break;
            }
        }
        if (seg >= 8) {
            return (byte) (0x7f ^ mask);
        }
        int aval = seg << 4;
        aval |= seg < 2 ? (pcm >> 4) & 0x0f : (pcm >> (seg + 3)) & 0x0f;
        return (byte) (aval ^ mask);
    }
}
