package org.callpark.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

class OverridesTest {

    private static final Function<String, String> NONE = k -> null;

    @Test
    void namesFollowThePid() {
        Overrides sip = new Overrides("org.callpark.sip", NONE, NONE);
        assertEquals("callpark.sip.bindAddress", sip.propertyName("bindAddress"));
        assertEquals("CALLPARK_SIP_BIND_ADDRESS", sip.variableName("bindAddress"));
        assertEquals("CALLPARK_SIP_SUBSCRIBE_MIN_EXPIRES", sip.variableName("subscribeMinExpires"));
        assertEquals("CALLPARK_CLUSTER_PORT", new Overrides("org.callpark.cluster", NONE, NONE).variableName("port"));
    }

    @Test
    void upperSnakeSplitsBeforeEveryCapital() {
        assertEquals("PORT_AUTO_INCREMENT", Overrides.upperSnake("portAutoIncrement"));
        assertEquals("RTP_PORT_MIN", Overrides.upperSnake("rtpPortMin"));
        assertEquals("PING_INTERVAL_SECONDS", Overrides.upperSnake("pingIntervalSeconds"));
        assertEquals("G729_ENABLED", Overrides.upperSnake("g729Enabled"), "a digit ends a word too");
        assertEquals("PORT", Overrides.upperSnake("port"));
    }

    @Test
    void onlyTheDocumentedNamesAreLookedUp() {
        List<String> asked = new ArrayList<>();
        Overrides media = new Overrides("org.callpark.media", k -> {
            asked.add("-D" + k);
            return null;
        }, k -> {
            asked.add("$" + k);
            return null;
        });
        assertEquals("PCMU", media.string("codecs", "PCMU"));
        assertEquals(List.of("-Dcallpark.media.codecs", "$CALLPARK_MEDIA_CODECS"), asked,
                "the property first, then the variable");
    }

    @Test
    void systemPropertyBeatsEnvironmentBeatsConfiguration() {
        Map<String, String> sys = Map.of("callpark.sip.port", "5080");
        Map<String, String> env = Map.of("CALLPARK_SIP_PORT", "5090", "CALLPARK_SIP_REALM", "env.example");
        Overrides o = new Overrides("org.callpark.sip", sys::get, env::get);
        List<String> invalid = new ArrayList<>();
        assertEquals(5080, o.integer("port", 5060, invalid), "property over variable");
        assertEquals("env.example", o.string("realm", "cfg.example"), "variable over configuration");
        assertEquals("CallPark", o.string("userAgent", "CallPark"), "configuration when neither is set");
        assertEquals("", o.string("outboundProxy", null), "never null");
        assertTrue(invalid.isEmpty(), invalid.toString());
    }

    @Test
    void anEmptyOverrideIsAnOverride() {
        // An administrator blanking a setting (CALLPARK_XMPP_SECRET=) must not get the configured value back, and an
        // empty system property must not fall through to the environment.
        Overrides o = new Overrides("org.callpark.xmpp", Map.of("callpark.xmpp.host", "")::get,
                Map.of("CALLPARK_XMPP_HOST", "env-host", "CALLPARK_XMPP_SECRET", "")::get);
        assertEquals("", o.string("secret", "configured-secret"));
        assertEquals("", o.string("host", "127.0.0.1"));
        assertEquals("", o.get("host"));
        assertNull(o.get("port"));
    }

    @Test
    void valuesAreNotTrimmedButNumbersAndBooleansMayBePadded() {
        Overrides o = new Overrides("org.callpark.cluster", NONE,
                Map.of("CALLPARK_CLUSTER_MEMBERS", " a, b ", "CALLPARK_CLUSTER_PORT", " 5801 ",
                        "CALLPARK_CLUSTER_PORT_AUTO_INCREMENT", " FALSE ")::get);
        List<String> invalid = new ArrayList<>();
        assertEquals(" a, b ", o.string("members", ""));
        assertEquals(5801, o.integer("port", 5701, invalid));
        assertFalse(o.bool("portAutoIncrement", true, invalid));
        assertTrue(o.bool("enabled", true, invalid), "not set: configured");
        assertTrue(invalid.isEmpty(), invalid.toString());
    }

    @Test
    void everyInvalidOverrideIsCollectedWithItsField() {
        Map<String, String> env = Map.of("CALLPARK_XMPP_PORT", "52 75", "CALLPARK_XMPP_ENABLED", "yes",
                "CALLPARK_XMPP_PING_INTERVAL_SECONDS", "", "CALLPARK_XMPP_HOST", "fine");
        Overrides o = new Overrides("org.callpark.xmpp", NONE, env::get);
        List<String> invalid = new ArrayList<>();
        assertEquals(5275, o.integer("port", 5275, invalid), "the configured value stands");
        assertTrue(o.bool("enabled", true, invalid), "the configured value stands, 'yes' is not read as false");
        assertEquals(30, o.integer("pingIntervalSeconds", 30, invalid));
        assertEquals("fine", o.string("host", "127.0.0.1"));
        assertEquals(List.of("port: not a number: '52 75'", "enabled: must be true or false: 'yes'",
                "pingIntervalSeconds: not a number: ''"), invalid);
    }

    @Test
    void callersWithTheirOwnViolationsGetFieldAndProblemApart() {
        Overrides o = new Overrides("org.callpark.media", Map.of("callpark.media.rtpPortMax", "abc",
                "callpark.media.enabled", "1")::get, NONE);
        List<List<String>> bad = new ArrayList<>();
        assertEquals(29999, o.integer("rtpPortMax", 29999, (field, problem) -> bad.add(List.of(field, problem))));
        assertFalse(o.bool("enabled", false, (field, problem) -> bad.add(List.of(field, problem))));
        assertEquals(List.of(List.of("rtpPortMax", "not a number: 'abc'"),
                List.of("enabled", "must be true or false: '1'")), bad);
    }

    @Test
    void aPidOutsideTheProductIsRejected() {
        for (String pid : new String[] {"callpark.sip", "org.callpark.SIP", "org.callpark.", "org.callpark.sip.x",
                "org.other.sip"}) {
            assertThrows(IllegalArgumentException.class, () -> new Overrides(pid, NONE, NONE), pid);
        }
    }
}
