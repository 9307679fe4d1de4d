package org.callpark.media.internal.rtp;

import org.callpark.media.internal.audio.AudioCodec;

/** Turns one inbound payload of one codec into one payload of another (one direction of one bridge; not shared). */
public interface Transcoder extends AutoCloseable {

    /** The transcoded payload, or null to drop the packet. */
    byte[] transcode(byte[] in, int offset, int length);

    @Override
    default void close() {
    }

    /** Makes the transcoder for one direction, or returns null if the pair is not supported. */
    interface Factory {
        Transcoder create(AudioCodec from, AudioCodec to);
    }

    /** PCMU↔PCMA by table; identity needs none. */
    static Transcoder g711(AudioCodec from, AudioCodec to) {
        if (from == AudioCodec.PCMU && to == AudioCodec.PCMA) {
            return (in, off, len) -> {
                byte[] out = new byte[len];
                for (int i = 0; i < len; i++) {
                    out[i] = G711.ulawToAlaw(in[off + i]);
                }
                return out;
            };
        }
        if (from == AudioCodec.PCMA && to == AudioCodec.PCMU) {
            return (in, off, len) -> {
                byte[] out = new byte[len];
                for (int i = 0; i < len; i++) {
                    out[i] = G711.alawToUlaw(in[off + i]);
                }
                return out;
            };
        }
        return null;
    }
}
