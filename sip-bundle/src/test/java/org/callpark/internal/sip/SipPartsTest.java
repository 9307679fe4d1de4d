package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.callpark.api.ParkException;
import org.callpark.api.ParkTarget;
import org.callpark.api.RetrieveTarget;
import org.callpark.spi.MediaController.Codec;
import org.junit.jupiter.api.Test;

/** The small parts of the SIP entry point: feature codes, digest, settings, next hop, error table, SDP. */
class SipPartsTest {

    @Test
    void featureCodes() {
        assertEquals(ParkTarget.ownExtension(), FeatureCode.parse("*68").orElseThrow().park());
        assertEquals(ParkTarget.ownExtension(), FeatureCode.parse("%2A68").orElseThrow().park());
        assertEquals(ParkTarget.extension("102"), FeatureCode.parse("%2a68102").orElseThrow().park());
        assertEquals(ParkTarget.ownGroup(), FeatureCode.parse("*58").orElseThrow().park());
        assertEquals(RetrieveTarget.own(), FeatureCode.parse("*88").orElseThrow().retrieve());
        assertEquals(RetrieveTarget.extension("700"), FeatureCode.parse("*88700").orElseThrow().retrieve());
        assertEquals(RetrieveTarget.extension("101"), FeatureCode.parse("park+101").orElseThrow().retrieve());
        assertEquals(RetrieveTarget.group("Sales"), FeatureCode.parse("park+Sales").orElseThrow().retrieve());
        assertTrue(FeatureCode.parse("101").isEmpty());
        assertTrue(FeatureCode.parse("*6").isEmpty());
        assertTrue(FeatureCode.parse("park+").isEmpty());
        assertTrue(FeatureCode.parse(null).isEmpty());
        assertEquals("a%zz", FeatureCode.percentDecode("a%zz"), "bad escapes stay");
    }

    @Test
    void digestAcceptsTheRightResponseOnly() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
        DigestAuth auth = new DigestAuth(clock);
        String nonce = auth.nonce("example.com");
        Map<String, String> p = new HashMap<>(Map.of("username", "102", "realm", "example.com", "nonce", nonce,
                "uri", "sip:*88@example.com", "qop", "auth", "nc", "00000001", "cnonce", "abc"));
        String ha1 = DigestAuth.md5("102:example.com:pass102");
        String ha2 = DigestAuth.md5("INVITE:sip:*88@example.com");
        p.put("response", DigestAuth.md5(ha1 + ":" + nonce + ":00000001:abc:auth:" + ha2));
        assertEquals(DigestAuth.Verdict.OK, auth.verify(p, "INVITE", "example.com", Optional.of(ha1)));
        assertEquals(DigestAuth.Verdict.WRONG, auth.verify(p, "INVITE", "example.com",
                Optional.of(DigestAuth.md5("102:example.com:nope"))));
        assertEquals(DigestAuth.Verdict.WRONG, auth.verify(p, "INVITE", "example.com", Optional.empty()));
        assertEquals(DigestAuth.Verdict.FOREIGN_NONCE, auth.verify(p, "INVITE", "other.com", Optional.of(ha1)));
        Map<String, String> forged = new HashMap<>(p);
        forged.put("nonce", nonce.substring(0, nonce.indexOf('.')) + ".AAAA");
        assertEquals(DigestAuth.Verdict.FOREIGN_NONCE, auth.verify(forged, "INVITE", "example.com",
                Optional.of(ha1)));
        DigestAuth later = new DigestAuth(Clock.offset(clock, Duration.ofMinutes(6)));
        // another instance has another secret: the nonce is not its own
        assertEquals(DigestAuth.Verdict.FOREIGN_NONCE, later.verify(p, "INVITE", "example.com",
                Optional.of(ha1)));
    }

    @Test
    void digestNonceExpires() throws Exception {
        MutableClock clock = new MutableClock();
        DigestAuth auth = new DigestAuth(clock);
        String nonce = auth.nonce("r");
        Map<String, String> p = new HashMap<>(Map.of("username", "u", "realm", "r", "nonce", nonce, "uri", "sip:x"));
        p.put("response", DigestAuth.md5(DigestAuth.md5("u:r:pw") + ":" + nonce + ":" + DigestAuth.md5(
                "REGISTER:sip:x")));
        Optional<String> ha1 = Optional.of(DigestAuth.md5("u:r:pw"));
        assertEquals(DigestAuth.Verdict.OK, auth.verify(p, "REGISTER", "r", ha1), "RFC 2069 form");
        clock.now = clock.now.plus(DigestAuth.NONCE_LIFETIME).plusSeconds(1);
        assertEquals(DigestAuth.Verdict.STALE, auth.verify(p, "REGISTER", "r", ha1));
        assertTrue(auth.challenge("r", true).contains("stale=true"));
    }

    @Test
    void credentialsParser() {
        Map<String, String> p = DigestAuth.parseCredentials("Digest username=\"102\",realm=\"a, b\", nonce=\"n\","
                + " uri=\"sip:*88@h\", response=\"r\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"c\"");
        assertEquals("102", p.get("username"));
        assertEquals("a, b", p.get("realm"));
        assertEquals("sip:*88@h", p.get("uri"));
        assertEquals("auth", p.get("qop"));
        assertEquals("00000001", p.get("nc"));
    }

    @Test
    void settingsSplitTransportsAndOverridesWin() {
        TestSipConfig c = new TestSipConfig();
        c.transports = "UDP, tcp";
        c.trustedProxies = "10.0.0.1,10.0.0.2";
        SipSettings s = SipSettings.from(c, k -> null, k -> null);
        assertEquals(List.of("udp", "tcp"), s.transports());
        assertEquals("127.0.0.1", s.advertisedAddress(), "advertised defaults to bind");
        assertTrue(s.trusted("10.0.0.2"));
        Map<String, String> props = Map.of("callpark.sip.port", "5080");
        Map<String, String> env = Map.of("CALLPARK_SIP_PORT", "5090", "CALLPARK_SIP_ADVERTISED_ADDRESS", "192.0.2.7");
        SipSettings o = SipSettings.from(c, props::get, env::get);
        assertEquals(5080, o.port(), "the system property wins over the environment");
        assertEquals("192.0.2.7", o.advertisedAddress());
        assertTrue(s.sameNetwork(SipSettings.from(withUserAgent(c), k -> null, k -> null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SipSettings.from(c,
                Map.of("callpark.sip.transports", "udp,sctp", "callpark.sip.port", "x")::get, k -> null));
        assertTrue(e.getMessage().contains("transports") && e.getMessage().contains("port"), e.getMessage());
    }

    private static TestSipConfig withUserAgent(TestSipConfig c) {
        TestSipConfig d = new TestSipConfig();
        d.transports = c.transports;
        d.trustedProxies = c.trustedProxies;
        d.userAgent = "Other";
        return d;
    }

    /** S1: the realm is the directory's now; a SIP configuration (or override) that still sets it is rejected. */
    @Test
    void aSipConfigurationThatSetsRealmIsRejectedNamingIt() {
        TestSipConfig c = new TestSipConfig();
        c.realm = "pbx.example.org";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipSettings.from(c, k -> null, k -> null));
        assertTrue(e.getMessage().startsWith("realm: ") && e.getMessage().contains("tenant.<t>.realm"),
                e.getMessage());
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class, () -> SipSettings.from(
                new TestSipConfig(), k -> null, Map.of("CALLPARK_SIP_REALM", "pbx.example.org")::get));
        assertTrue(env.getMessage().contains("realm: "), env.getMessage());
        SipSettings.from(new TestSipConfig(), k -> null, k -> null); // unset: fine
    }

    /**
     * transferNumbers: off by default (no number outside the directory is a transfer target); a pattern that does not
     * compile, or one without an outbound proxy, rejects the whole configuration naming the field; set, it allows
     * exactly the whole numbers it matches, as {@code sip:<number>@<proxy>}, never a user part with URI syntax in it.
     */
    @Test
    void transferNumbersNeedAValidPatternAndAnOutboundProxy() {
        TestSipConfig c = new TestSipConfig();
        assertEquals(Optional.empty(), SipSettings.from(c, k -> null, k -> null).transferUri("+4940555"));
        c.transferNumbers = "\\+?[0-9]{5,15}";
        IllegalArgumentException noProxy = assertThrows(IllegalArgumentException.class,
                () -> SipSettings.from(c, k -> null, k -> null));
        assertTrue(noProxy.getMessage().startsWith("transferNumbers: needs an outboundProxy"), noProxy.getMessage());
        c.transferNumbers = "[0-9";
        c.outboundProxy = "pbx.example.com:5070";
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> SipSettings.from(c, k -> null, k -> null));
        assertTrue(bad.getMessage().startsWith("transferNumbers: not a regular expression"), bad.getMessage());
        c.transferNumbers = "";
        SipSettings s = SipSettings.from(c, k -> null, Map.of("CALLPARK_SIP_TRANSFER_NUMBERS", "\\+?[0-9]{5,15}")::get);
        assertEquals(Optional.of("sip:+4940555@pbx.example.com:5070"), s.transferUri("+4940555"));
        assertEquals(Optional.empty(), s.transferUri("+49"), "too short for the pattern");
        assertEquals(Optional.empty(), s.transferUri("4940555x"), "the whole number must match");
        c.transferNumbers = ".*";
        SipSettings any = SipSettings.from(c, k -> null, k -> null);
        assertEquals(Optional.empty(), any.transferUri("1@evil.example.com"), "no URI syntax in a number");
        assertEquals(Optional.empty(), any.transferUri("1;maddr=10.0.0.1"));
    }

    @Test
    void nextHopGoesThroughTheOutboundProxy() {
        TestSipConfig c = new TestSipConfig();
        SipSettings direct = SipSettings.from(c, k -> null, k -> null);
        NextHop d = NextHop.of(direct, "192.0.2.10", 5062, "tcp");
        assertEquals("192.0.2.10", d.host());
        assertTrue(d.route().isEmpty());
        c.outboundProxy = "10.1.1.1:5070";
        NextHop p = NextHop.of(SipSettings.from(c, k -> null, k -> null), "192.0.2.10", 5062, "tcp");
        assertEquals("10.1.1.1", p.host());
        assertEquals(5070, p.port());
        assertEquals(Optional.of("<sip:10.1.1.1:5070;transport=udp;lr>"), p.route());
        assertEquals(5060, HostPort.parse("pbx.example.com").port());
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("a:b"));
        c.outboundProxy = "x:99999";
        assertThrows(IllegalArgumentException.class, () -> SipSettings.from(c, k -> null, k -> null));
    }

    @Test
    void everyReasonHasAStatus() {
        for (ParkException.Reason r : ParkException.Reason.values()) {
            assertTrue(SipErrors.status(r) >= 400, r.name());
        }
        assertEquals(403, SipErrors.status(ParkException.Reason.NO_FREE_SLOT));
        assertEquals(488, SipErrors.status(ParkException.Reason.MEDIA_FAILURE));
        assertEquals(503, SipErrors.status(ParkException.Reason.MEDIA_CAPACITY), "another node may have ports");
        assertEquals("say 'hi' now", SipErrors.warningText("say \"hi\" now"));
    }

    @Test
    void sdpOfferAndAnswer() throws Exception {
        String offer = "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 96 8 0 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n";
        Sdp sdp = Sdp.parseOffer(offer.getBytes(StandardCharsets.UTF_8));
        assertEquals(4000, sdp.remote().getPort());
        assertEquals(List.of("opus", "PCMA", "PCMU"), sdp.codecs().stream().map(Codec::name).toList());
        assertEquals(101, sdp.telephoneEvent().payloadType());
        assertEquals("PCMU", sdp.preferring(new Codec("PCMU", 0, 8000, 1)).get(0).name());
        String answer = sdp.answer("198.51.100.1", 30000, new Codec("PCMA", 8, 8000, 1));
        assertTrue(answer.contains("m=audio 30000 RTP/AVP 8 101\r\n"), answer);
        assertTrue(answer.contains("c=IN IP4 198.51.100.1\r\n"), answer);
        assertTrue(answer.contains("a=fmtp:101 0-16\r\n"), answer);
        assertThrows(Sdp.Unusable.class, () -> Sdp.parseOffer(new byte[0]));
        assertThrows(Sdp.Unusable.class, () -> Sdp.parseOffer("v=0\r\nm=video 1 RTP/AVP 31\r\n".getBytes(
                StandardCharsets.UTF_8)));
        assertNull(Sdp.parseOffer(("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 0\r\n").getBytes(StandardCharsets.UTF_8)).telephoneEvent());
    }

    @Test
    void sdpConnectionAddressesAreIpLiteralsNeverResolvedNames() throws Exception {
        String named = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 localhost\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
        Sdp.Unusable e = assertThrows(Sdp.Unusable.class,
                () -> Sdp.parseOffer(named.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("not a host name"), e.getMessage());
        String v6 = "v=0\r\no=- 1 1 IN IP6 h\r\ns=-\r\nc=IN IP6 2001:db8::7\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
        assertEquals("2001:db8:0:0:0:0:0:7",
                Sdp.parseOffer(v6.getBytes(StandardCharsets.UTF_8)).remote().getAddress().getHostAddress());
        assertEquals("192.0.2.5", IpLiteral.parse("192.0.2.5").orElseThrow().getHostAddress());
        assertEquals("0:0:0:0:0:0:0:1", IpLiteral.parse("[::1]").orElseThrow().getHostAddress());
        assertTrue(IpLiteral.parse("256.1.1.1").isEmpty());
        assertTrue(IpLiteral.parse("localhost").isEmpty());
        assertTrue(IpLiteral.parse("1.2.3.4.example").isEmpty());
        assertTrue(IpLiteral.parse("evil:host").isEmpty());
        assertTrue(IpLiteral.parse(null).isEmpty());
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
