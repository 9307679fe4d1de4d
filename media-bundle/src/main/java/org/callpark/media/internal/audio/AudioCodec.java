package org.callpark.media.internal.audio;

/** The payload formats this bundle encodes audio into, each with its RTP clock and 20 ms frame size. */
public enum AudioCodec {
    PCMU("PCMU", 0, 8000, 1),
    PCMA("PCMA", 8, 8000, 1),
    OPUS("opus", 111, 48000, 2);

    private final String sdpName;
    private final int defaultPayloadType;
    private final int clockRate;
    private final int channels;

    AudioCodec(String sdpName, int defaultPayloadType, int clockRate, int channels) {
        this.sdpName = sdpName;
        this.defaultPayloadType = defaultPayloadType;
        this.clockRate = clockRate;
        this.channels = channels;
    }

    public String sdpName() {
        return sdpName;
    }

    public int defaultPayloadType() {
        return defaultPayloadType;
    }

    public int clockRate() {
        return clockRate;
    }

    public int channels() {
        return channels;
    }

    /** RTP timestamp units per 20 ms frame: 160 for G.711, 960 for Opus. */
    public int samplesPerFrame() {
        return clockRate / 50;
    }

    /** The sample rate of the linear audio the encoder takes: 8 kHz for G.711, 48 kHz for Opus. */
    public int pcmRate() {
        return this == OPUS ? 48000 : 8000;
    }

    /** The codec for an SDP encoding name (case-insensitive), or null. */
    public static AudioCodec bySdpName(String name) {
        for (AudioCodec c : values()) {
            if (c.sdpName.equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }
}
