package org.callpark.media.internal.audio;

import java.util.List;

/**
 * One sound encoded into 20 ms RTP payloads of one codec, ready to send as is; shared by every leg that plays it.
 *
 * @param name   the sound's name (logs)
 * @param codec  the payload format
 * @param frames one payload per 20 ms, never empty
 */
public record EncodedAudio(String name, AudioCodec codec, List<byte[]> frames) {

    public EncodedAudio {
        frames = List.copyOf(frames);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException(name + ": no audio frames");
        }
    }

    public int frameCount() {
        return frames.size();
    }

    public byte[] frame(int i) {
        return frames.get(i);
    }

    /** Milliseconds of audio. */
    public long durationMillis() {
        return frames.size() * 20L;
    }
}
