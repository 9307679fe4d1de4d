package org.callpark.media.internal.audio;

import javax.media.Buffer;
import javax.media.Codec;
import javax.media.Format;
import javax.media.format.AudioFormat;

import org.callpark.media.internal.rtp.G711;
import org.callpark.media.internal.rtp.Transcoder;

/**
 * Opus↔G.711 for one direction of one bridge, with libjitsi's Opus decoder/encoder and Speex resampler. Costs a few
 * percent of a core per bridged call (Opus encoding dominates), so the SIP layer should still prefer answering the
 * retriever with the parked leg's codec; this keeps mixed calls working when it cannot.
 */
public final class OpusTranscoder implements Transcoder {

    private final AudioCodec to;
    private final boolean ulawIn;
    private final Codec decoder;
    private final Codec resampler;
    private final Codec encoder;
    private final AudioFormat opusFormat = new AudioFormat("opus/rtp", 48000, Format.NOT_SPECIFIED, 2);
    private final AudioFormat linear8k = FrameEncoder.linear(8000);
    private final AudioFormat linear48k = FrameEncoder.linear(48000);
    private long seq;

    /** Opus→G.711 ({@code from == OPUS}) or G.711→Opus ({@code to == OPUS}); null for any other pair. */
    public static Transcoder create(AudioCodec from, AudioCodec to) {
        boolean g711From = from == AudioCodec.PCMU || from == AudioCodec.PCMA;
        boolean g711To = to == AudioCodec.PCMU || to == AudioCodec.PCMA;
        if ((from == AudioCodec.OPUS && g711To) || (g711From && to == AudioCodec.OPUS)) {
            return new OpusTranscoder(from, to);
        }
        return null;
    }

    private OpusTranscoder(AudioCodec from, AudioCodec to) {
        this.to = to;
        this.ulawIn = from == AudioCodec.PCMU;
        if (from == AudioCodec.OPUS) {
            // libjitsi's Opus decoder renders 48 kHz only: decode, then resample to 8 kHz.
            decoder = Libjitsi.codec(Libjitsi.OPUS_DECODER);
            FrameEncoder.set(decoder, opusFormat, linear48k);
            FrameEncoder.open(decoder);
            resampler = Libjitsi.codec(Libjitsi.RESAMPLER);
            FrameEncoder.set(resampler, linear48k, linear8k);
            FrameEncoder.open(resampler);
            encoder = null;
        } else {
            decoder = null;
            resampler = Libjitsi.codec(Libjitsi.RESAMPLER);
            FrameEncoder.set(resampler, linear8k, linear48k);
            FrameEncoder.open(resampler);
            encoder = Libjitsi.codec(Libjitsi.OPUS_ENCODER);
            FrameEncoder.set(encoder, linear48k, encoder.getSupportedOutputFormats(linear48k)[0]);
            FrameEncoder.open(encoder);
        }
    }

    @Override
    public byte[] transcode(byte[] in, int offset, int length) {
        if (decoder != null) {
            Buffer ib = FrameEncoder.buffer(opusFormat, in, offset, length);
            ib.setSequenceNumber(seq++ & 0xffff);
            Buffer ob = new Buffer();
            decoder.process(ib, ob);
            if (ob.getLength() <= 0 || ob.isDiscard()) {
                return null;
            }
            Buffer rb = new Buffer();
            resampler.process(FrameEncoder.buffer(linear48k, (byte[]) ob.getData(), ob.getOffset(), ob.getLength()),
                    rb);
            byte[] pcm = (byte[]) rb.getData();
            int n = rb.getLength() / 2;
            if (n == 0) {
                return null;
            }
            byte[] out = new byte[n];
            for (int i = 0, j = rb.getOffset(); i < n; i++, j += 2) {
                int s = (short) ((pcm[j] & 0xff) | (pcm[j + 1] << 8));
                out[i] = to == AudioCodec.PCMU ? G711.linearToUlaw(s) : G711.linearToAlaw(s);
            }
            return out;
        }
        byte[] pcm = new byte[length * 2];
        for (int i = 0; i < length; i++) {
            short s = ulawIn ? G711.ulawToLinear(in[offset + i])
                    : G711.alawToLinear(in[offset + i]);
            pcm[2 * i] = (byte) s;
            pcm[2 * i + 1] = (byte) (s >> 8);
        }
        Buffer rb = new Buffer();
        resampler.process(FrameEncoder.buffer(linear8k, pcm, 0, pcm.length), rb);
        Buffer ob = new Buffer();
        encoder.process(FrameEncoder.buffer(linear48k, (byte[]) rb.getData(), rb.getOffset(), rb.getLength()), ob);
        if (ob.getLength() <= 0 || ob.isDiscard()) {
            return null;
        }
        byte[] out = new byte[ob.getLength()];
        System.arraycopy((byte[]) ob.getData(), ob.getOffset(), out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        for (Codec c : new Codec[] {decoder, resampler, encoder}) {
            if (c != null) {
                c.close();
            }
        }
    }
}
