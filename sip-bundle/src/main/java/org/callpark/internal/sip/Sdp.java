package org.callpark.internal.sip;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicLong;

import javax.sdp.Attribute;
import javax.sdp.Connection;
import javax.sdp.Media;
import javax.sdp.MediaDescription;
import javax.sdp.SdpException;
import javax.sdp.SdpFactory;
import javax.sdp.SessionDescription;

import org.callpark.spi.MediaController.Codec;

/**
 * The audio part of an SDP offer (parsed with JAIN-SIP's {@code javax.sdp}) and the answer this server gives.
 *
 * @param remote         where the offerer receives RTP
 * @param codecs         the offered audio codecs in the offerer's order, without telephone-event
 * @param telephoneEvent the offered RFC 4733 telephone-event format, or {@code null}
 */
record Sdp(InetSocketAddress remote, List<Codec> codecs, Codec telephoneEvent) {

    private static final AtomicLong VERSION = new AtomicLong(System.currentTimeMillis() / 1000);

    /** Static payload types (RFC 3551) that may come without an rtpmap line. */
    private static final Map<Integer, Codec> STATIC = Map.of(0, new Codec("PCMU", 0, 8000, 1), 3,
            new Codec("GSM", 3, 8000, 1), 8, new Codec("PCMA", 8, 8000, 1), 9, new Codec("G722", 9, 8000, 1), 18,
            new Codec("G729", 18, 8000, 1));

    /** An SDP that cannot be used, with the reason for the Warning header. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }

    /**
     * Parses an offer's first active audio stream.
     *
     * @throws Unusable if there is no SDP, no audio stream, or it cannot be parsed
     */
    @SuppressWarnings("unchecked")
    static Sdp parseOffer(byte[] body) throws Unusable {
        if (body == null || body.length == 0) {
            throw new Unusable("no SDP offer (late offer is not supported)");
        }
        try {
            SessionDescription sd = SdpFactory.getInstance().createSessionDescription(new String(body,
                    java.nio.charset.StandardCharsets.UTF_8));
            Connection session = sd.getConnection();
            Vector<MediaDescription> mds = sd.getMediaDescriptions(false);
            if (mds != null) {
                for (MediaDescription md : mds) {
                    Media m = md.getMedia();
                    if (!"audio".equalsIgnoreCase(m.getMediaType()) || m.getMediaPort() <= 0) {
                        continue;
                    }
                    Connection c = md.getConnection() != null ? md.getConnection() : session;
                    if (c == null) {
                        throw new Unusable("the audio stream has no connection address (c=)");
                    }
                    Map<Integer, Codec> rtpmap = new HashMap<>();
                    Vector<Attribute> attributes = md.getAttributes(false);
                    if (attributes != null) {
                        for (Attribute a : attributes) {
                            if ("rtpmap".equalsIgnoreCase(a.getName()) && a.getValue() != null) {
                                Codec codec = rtpmap(a.getValue().trim());
                                if (codec != null) {
                                    rtpmap.put(codec.payloadType(), codec);
                                }
                            }
                        }
                    }
                    List<Codec> codecs = new ArrayList<>();
                    Codec te = null;
                    Vector<String> formats = m.getMediaFormats(false);
                    for (String f : formats == null ? new Vector<String>() : formats) {
                        int pt;
                        try {
                            pt = Integer.parseInt(f.trim());
                        } catch (NumberFormatException e) {
                            continue;
                        }
                        Codec codec = rtpmap.getOrDefault(pt, STATIC.get(pt));
                        if (codec == null) {
                            continue;
                        }
                        if (codec.name().equalsIgnoreCase("telephone-event")) {
                            te = te == null ? codec : te;
                        } else {
                            codecs.add(codec);
                        }
                    }
                    if (codecs.isEmpty()) {
                        throw new Unusable("the audio stream offers no known codec");
                    }
                    InetAddress address = IpLiteral.parse(c.getAddress()).orElseThrow(() -> new Unusable(
                            "the SDP connection address must be an IP address, not a host name"));
                    return new Sdp(new InetSocketAddress(address, m.getMediaPort()), List.copyOf(codecs), te);
                }
            }
            throw new Unusable("the SDP offer has no active audio stream");
        } catch (SdpException | RuntimeException e) {
            throw new Unusable("unparsable SDP offer: " + e.getMessage());
        }
    }

    private static Codec rtpmap(String value) {
        // "96 opus/48000/2"
        int space = value.indexOf(' ');
        if (space < 0) {
            return null;
        }
        try {
            int pt = Integer.parseInt(value.substring(0, space).trim());
            String[] enc = value.substring(space + 1).trim().split("/");
            int rate = enc.length > 1 ? Integer.parseInt(enc[1].trim()) : 8000;
            int channels = enc.length > 2 ? Integer.parseInt(enc[2].trim()) : 1;
            return new Codec(enc[0].trim(), pt, rate, channels);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The offered codecs with {@code first} (matched by name and clock rate) moved to the front, if offered. */
    List<Codec> preferring(Codec first) {
        if (first == null) {
            return codecs;
        }
        List<Codec> ordered = new ArrayList<>(codecs);
        for (Codec c : codecs) {
            if (same(c, first)) {
                ordered.remove(c);
                ordered.add(0, c);
                break;
            }
        }
        return List.copyOf(ordered);
    }

    /** Whether any offered codec is one of {@code supported}. */
    boolean offersAnyOf(List<Codec> supported) {
        return codecs.stream().anyMatch(c -> supported.stream().anyMatch(s -> same(c, s)));
    }

    /** The offered entry for a negotiated codec (so the answer uses the offerer's payload type). */
    Codec offered(Codec negotiated) {
        return codecs.stream().filter(c -> same(c, negotiated)).findFirst().orElse(negotiated);
    }

    static boolean same(Codec a, Codec b) {
        return a.name().equalsIgnoreCase(b.name()) && a.clockRate() == b.clockRate();
    }

    /** The telephone-event format this server offers (RFC 4733). */
    static final Codec OFFERED_TELEPHONE_EVENT = new Codec("telephone-event", 101, 8000, 1);

    /**
     * An offer (recall INVITEs): our address and port, {@code codecs} in our order of preference, and telephone-event.
     * Dynamic payload types of the codecs are kept as given; a telephone-event that collides moves to a free one.
     */
    static String offer(String advertisedAddress, int port, List<Codec> offered) {
        String ipVersion = advertisedAddress.indexOf(':') >= 0 ? "IP6" : "IP4";
        long version = VERSION.incrementAndGet();
        // telephone-event is offered exactly once, with its fmtp: the media's own entry (if listed) gives its PT
        List<Codec> codecs = offered.stream().filter(c -> !c.name().equalsIgnoreCase("telephone-event")).toList();
        int te = offered.stream().filter(c -> c.name().equalsIgnoreCase("telephone-event") && c.clockRate() == 8000)
                .mapToInt(Codec::payloadType).findFirst().orElse(OFFERED_TELEPHONE_EVENT.payloadType());
        while (true) {
            int pt = te;
            if (codecs.stream().noneMatch(c -> c.payloadType() == pt)) {
                break;
            }
            te++;
        }
        StringBuilder b = new StringBuilder(256);
        b.append("v=0\r\n");
        b.append("o=CallPark ").append(version).append(' ').append(version).append(" IN ").append(ipVersion)
                .append(' ').append(advertisedAddress).append("\r\n");
        b.append("s=CallPark\r\n");
        b.append("c=IN ").append(ipVersion).append(' ').append(advertisedAddress).append("\r\n");
        b.append("t=0 0\r\n");
        b.append("m=audio ").append(port).append(" RTP/AVP");
        for (Codec c : codecs) {
            b.append(' ').append(c.payloadType());
        }
        b.append(' ').append(te).append("\r\n");
        boolean opus = false;
        for (Codec c : codecs) {
            b.append("a=rtpmap:").append(c.payloadType()).append(' ').append(c.name()).append('/')
                    .append(c.clockRate());
            if (c.channels() > 1) {
                b.append('/').append(c.channels());
            }
            b.append("\r\n");
            opus |= c.name().equalsIgnoreCase("opus");
        }
        b.append("a=rtpmap:").append(te).append(" telephone-event/8000\r\n");
        b.append("a=fmtp:").append(te).append(" 0-16\r\n");
        if (!opus) {
            b.append("a=ptime:20\r\n");
        }
        b.append("a=sendrecv\r\n");
        return b.toString();
    }

    /** A new SDP session id / version for our {@code o=} line. */
    static long nextVersion() {
        return VERSION.incrementAndGet();
    }

    /**
     * The media direction of an offer as its sender means it (RFC 3264 §5.1, §8.4): the audio stream's attribute, else
     * the session's, else {@code sendrecv}.
     */
    enum Direction {
        SENDRECV, SENDONLY, RECVONLY, INACTIVE;

        /** The direction of our answer to an offer of this direction (RFC 3264 §6.1). */
        Direction answer() {
            return switch (this) {
                case SENDONLY -> RECVONLY;
                case RECVONLY -> SENDONLY;
                default -> this;
            };
        }

        /** Whether the offerer wants to receive RTP: {@code false} is "on hold" (it holds the other party). */
        boolean receives() {
            return this == SENDRECV || this == RECVONLY;
        }

        String attribute() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The direction of an offer's first active audio stream. The old way of holding (RFC 2543, RFC 3264 §8.4), a
     * connection address of {@code 0.0.0.0}, counts as not receiving: {@code sendrecv} becomes {@code sendonly} and
     * {@code recvonly} becomes {@code inactive}. An SDP that {@link #parseOffer} accepts is expected here.
     */
    @SuppressWarnings("unchecked")
    static Direction direction(byte[] body) throws Unusable {
        try {
            SessionDescription sd = SdpFactory.getInstance().createSessionDescription(new String(body,
                    java.nio.charset.StandardCharsets.UTF_8));
            Direction session = directionOf(sd.getAttributes(false));
            Vector<MediaDescription> mds = sd.getMediaDescriptions(false);
            for (MediaDescription md : mds == null ? new Vector<MediaDescription>() : mds) {
                Media m = md.getMedia();
                if (!"audio".equalsIgnoreCase(m.getMediaType()) || m.getMediaPort() <= 0) {
                    continue;
                }
                Direction d = directionOf(md.getAttributes(false));
                d = d != null ? d : session != null ? session : Direction.SENDRECV;
                Connection c = md.getConnection() != null ? md.getConnection() : sd.getConnection();
                if (c != null && "0.0.0.0".equals(c.getAddress().trim())) {
                    d = d == Direction.SENDRECV ? Direction.SENDONLY
                            : d == Direction.RECVONLY ? Direction.INACTIVE : d;
                }
                return d;
            }
            throw new Unusable("the SDP offer has no active audio stream");
        } catch (SdpException | RuntimeException e) {
            throw new Unusable("unparsable SDP offer: " + e.getMessage());
        }
    }

    private static Direction directionOf(Vector<Attribute> attributes) throws SdpException {
        Direction found = null;
        for (Attribute a : attributes == null ? new Vector<Attribute>() : attributes) {
            for (Direction d : Direction.values()) {
                if (d.attribute().equalsIgnoreCase(a.getName().trim())) {
                    found = d;
                }
            }
        }
        return found;
    }

    /**
     * The {@code o=} session id and version of an SDP we sent ({@code [id, version]}), so that a changed answer in the
     * same session keeps the id and raises the version (RFC 3264 §8); {@code null} if it has none.
     */
    static long[] origin(String sdp) {
        try {
            javax.sdp.Origin o = SdpFactory.getInstance().createSessionDescription(sdp).getOrigin();
            return o == null ? null : new long[] {o.getSessionId(), o.getSessionVersion()};
        } catch (SdpException | RuntimeException e) {
            return null;
        }
    }

    /** The answer: our address and port, the negotiated codec, and telephone-event if it was offered. */
    String answer(String advertisedAddress, int port, Codec negotiated) {
        long version = nextVersion();
        return answer(advertisedAddress, port, negotiated, version, version);
    }

    /**
     * The answer with a given {@code o=} session id and version; also the re-offer of a session we move (the codec
     * agreed before, telephone-event if the caller offered it), with the same id and a higher version.
     */
    String answer(String advertisedAddress, int port, Codec negotiated, long sessionId, long version) {
        return answer(advertisedAddress, port, negotiated, sessionId, version, Direction.SENDRECV);
    }

    /** As {@link #answer(String, int, Codec, long, long)}, with the direction {@code direction}. */
    String answer(String advertisedAddress, int port, Codec negotiated, long sessionId, long version,
            Direction direction) {
        Codec codec = offered(negotiated);
        String ipVersion = advertisedAddress.indexOf(':') >= 0 ? "IP6" : "IP4";
        StringBuilder b = new StringBuilder(256);
        b.append("v=0\r\n");
        b.append("o=CallPark ").append(sessionId).append(' ').append(version).append(" IN ").append(ipVersion)
                .append(' ').append(advertisedAddress).append("\r\n");
        b.append("s=CallPark\r\n");
        b.append("c=IN ").append(ipVersion).append(' ').append(advertisedAddress).append("\r\n");
        b.append("t=0 0\r\n");
        b.append("m=audio ").append(port).append(" RTP/AVP ").append(codec.payloadType());
        if (telephoneEvent != null) {
            b.append(' ').append(telephoneEvent.payloadType());
        }
        b.append("\r\n");
        b.append("a=rtpmap:").append(codec.payloadType()).append(' ').append(codec.name()).append('/')
                .append(codec.clockRate());
        if (codec.channels() > 1) {
            b.append('/').append(codec.channels());
        }
        b.append("\r\n");
        if (telephoneEvent != null) {
            b.append("a=rtpmap:").append(telephoneEvent.payloadType()).append(" telephone-event/")
                    .append(telephoneEvent.clockRate()).append("\r\n");
            b.append("a=fmtp:").append(telephoneEvent.payloadType()).append(" 0-16\r\n");
        }
        if (!codec.name().toLowerCase(Locale.ROOT).equals("opus")) {
            b.append("a=ptime:20\r\n");
        }
        b.append("a=").append(direction.attribute()).append("\r\n");
        return b.toString();
    }
}
