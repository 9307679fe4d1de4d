package org.callpark.media.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the media bridge (PID {@code org.callpark.media}). Every attribute can be overridden by a system
 * property {@code callpark.media.<attribute>} or an environment variable {@code CALLPARK_MEDIA_<ATTRIBUTE>} (upper
 * snake case, e.g. {@code CALLPARK_MEDIA_RTP_PORT_MIN}); see {@link MediaSettings}.
 */
@ObjectClassDefinition(name = "Call Park media",
        description = "RTP anchoring for parked calls: hold music, prompts and relaying between bridged legs.")
public @interface MediaConfig {

    @AttributeDefinition(name = "Bind address",
            description = "The local address RTP ports are bound to and announced in SDP. Default: 127.0.0.1.")
    String bindAddress() default "127.0.0.1";

    @AttributeDefinition(name = "RTP port min",
            description = "Lowest RTP port (even; RTCP uses port + 1). Default: 20000.")
    int rtpPortMin() default 20000;

    @AttributeDefinition(name = "RTP port max", description = "Highest RTP/RTCP port. Default: 29999.")
    int rtpPortMax() default 29999;

    @AttributeDefinition(name = "RTCP sockets",
            description = "Each leg also binds port + 1, where the peer sends its RTCP (read and ignored; we send"
                    + " none). Off: one socket (file descriptor) per leg instead of two, for 10,000 legs under a 20,000"
                    + " descriptor limit; the peer's RTCP to port + 1 then gets ICMP port unreachable (multiplexed RTCP"
                    + " on the RTP port is absorbed either way). Ports stay even, so the range holds as many legs."
                    + " Default: true.")
    boolean rtcpSockets() default true;

    @AttributeDefinition(name = "Codecs",
            description = "Comma-separated codecs in order of preference, from PCMU, PCMA, opus. Default: PCMU,PCMA,opus.")
    String codecs() default "PCMU,PCMA,opus";

    @AttributeDefinition(name = "Default music",
            description = "Path of a sound file for the default hold music: WAV (PCM 8/16/24/32-bit, float, µ-law,"
                    + " A-law), AIFF or AU, any rate, mono or stereo; converted once at start. A file that cannot be"
                    + " played is logged (WARN) and the shipped music plays. Empty: the shipped music. Default: empty.")
    String musicDefault() default "";

    @AttributeDefinition(name = "Named music",
            description = "Hold music per tenant or park group, comma-separated name=path pairs where a name is"
                    + " <tenant> or <tenant>/<group>, e.g. acme=/srv/music/acme.wav,default/sales=/srv/music/sales.wav;"
                    + " a group without its own falls back to its tenant's, then to the default; so does one whose"
                    + " file cannot be played (logged at WARN). Same formats as the default music. Default: empty.")
    String musicFiles() default "";

    @AttributeDefinition(name = "Prompt directory",
            description = "A directory of <name>.wav/.aif/.aiff/.au prompts (nothing-parked, nobody-available,"
                    + " parked, or more), same formats as the music; shipped prompts missing there, or whose file"
                    + " cannot be played (logged at WARN), are still used. Prompts per language go into"
                    + " subdirectories named by BCP 47 tag (promptDir/de/nobody-available.wav, promptDir/pt-BR/...);"
                    + " a call hears its tenant's language (tenant.<t>.language), else the language without region,"
                    + " else the default language, else the shipped English prompt. Empty: the shipped prompts."
                    + " Default: empty.")
    String promptDir() default "";

    @AttributeDefinition(name = "Default prompt language",
            description = "The language (BCP 47 tag, e.g. en, de, pt-BR) of the prompts heard by callers of tenants"
                    + " that set no language, and of the files directly in the prompt directory. The shipped prompts"
                    + " are English (en). Default: en.")
    String promptLanguage() default "en";
}
