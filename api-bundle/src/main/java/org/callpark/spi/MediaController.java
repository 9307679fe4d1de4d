package org.callpark.spi;

import java.net.InetSocketAddress;
import java.util.List;

import org.callpark.api.ParkException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The holding bridge a parked caller waits in, implemented by the media bundle. It anchors RTP for each call leg: hold
 * music and prompts while a call is parked, relaying between two legs once it is retrieved or recalled. No media
 * library type appears here.
 */
@ConsumerType
public interface MediaController {

    /** The codecs this controller can send and receive, in order of preference. */
    List<Codec> codecs();

    /**
     * Opens a leg: allocates a local RTP port and picks the first codec of {@code offered} it supports.
     *
     * @param id      a unique id for the leg (logs, events)
     * @param offered the remote party's codecs in its order of preference
     * @param remote  where the remote party receives RTP, or {@code null} for a leg this server offers (a recall): its
     *                answer follows through {@link MediaLeg#connect}; until then the leg sends nothing
     * @throws ParkException {@code MEDIA_FAILURE} if no offered codec is supported or no port is free
     */
    MediaLeg open(String id, List<Codec> offered, InetSocketAddress remote) throws ParkException;

    /**
     * A leg opened earlier and not closed, by its id: a new revision of the SIP bundle (or a restarted SIP stack) takes
     * up its parked callers' legs with it, so their music never stops. The default knows none.
     */
    default java.util.Optional<MediaLeg> find(String id) {
        return java.util.Optional.empty();
    }

    /**
     * A payload format.
     *
     * @param name        the encoding name as in SDP ({@code PCMU}, {@code PCMA}, {@code opus}, {@code telephone-event})
     * @param payloadType the RTP payload type
     * @param clockRate   the RTP clock rate
     * @param channels    the number of channels
     */
    record Codec(String name, int payloadType, int clockRate, int channels) {
    }

    /** One party's RTP stream, anchored at this server. */
    @ConsumerType
    interface MediaLeg extends AutoCloseable {

        String id();

        /** Where this server receives the leg's RTP (for the SDP answer). */
        InetSocketAddress localAddress();

        /** The negotiated codec. */
        Codec codec();

        /**
         * For a leg opened without a remote address (this server sent the SDP offer, e.g. a recall INVITE): the
         * answerer's RTP address and the codec it chose from the offer. Called at most once, before {@link #bridge}.
         *
         * The default refuses, so a media controller that cannot originate legs makes recalls fail cleanly instead of
         * sending RTP nowhere.
         *
         * @throws UnsupportedOperationException if this media controller cannot do it
         */
        default void connect(InetSocketAddress remote, Codec codec) {
            throw new UnsupportedOperationException("this media controller cannot connect offered legs");
        }

        /**
         * Plays the named hold music in a loop. The park service names it {@code <tenant>/<group>} (the park group whose
         * rules the call follows) or {@code <tenant>}; a media controller falls back from group to tenant to its
         * default, which an empty name also means.
         */
        void hold(String music);

        /**
         * Plays a prompt once, then calls {@code done} (also if the prompt could not be played).
         *
         * @param prompt the prompt's name, e.g. {@code nothing-parked}, {@code nobody-available}, optionally after the
         *               language of the call's tenant and a slash ({@code de/nobody-available}, a BCP 47 tag as
         *               {@code Tenant.language} holds it); a media controller falls back from that language to the
         *               same without region, then to its default language, then to its own prompt of that name
         */
        void prompt(String prompt, Runnable done);

        /** Connects this leg to another: each hears the other. Stops music on both. */
        void bridge(MediaLeg other);

        /**
         * Sends nothing from now on (no music, no prompt, no relay; a bridge this leg was in is undone on both sides)
         * while still receiving: the party of a bridged call that put the call on hold itself ({@code a=sendonly} or
         * {@code inactive}) must get no RTP. {@link #hold} or {@link #bridge} start sending again.
         *
         * The default refuses: the SIP side then leaves the media as it was.
         *
         * @throws UnsupportedOperationException if this media controller cannot do it
         * @since 2.1
         */
        default void silence() {
            throw new UnsupportedOperationException("this media controller cannot silence a leg");
        }

        /**
         * The remote party moved its media (a re-INVITE with a new address or port): send to {@code remote} from now
         * on, or, with {@code null} (an address the SIP side does not vouch for), to the source of the next RTP packet
         * that arrives (symmetric RTP latching once more). Music, prompt or bridge go on as they were.
         *
         * The default refuses: the SIP side then keeps the old address.
         *
         * @throws UnsupportedOperationException if this media controller cannot do it
         * @since 2.1
         */
        default void moveTo(InetSocketAddress remote) {
            throw new UnsupportedOperationException("this media controller cannot move a leg");
        }

        /** Stops everything and frees the port. */
        @Override
        void close();
    }
}
