package org.callpark.internal.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class XmppSettingsTest {

    /** The OCD's defaults. */
    static XmppConfig defaults() {
        return new XmppConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return XmppConfig.class;
            }

            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return 5275;
            }

            @Override
            public String domain() {
                return "example.com";
            }

            @Override
            public String subdomain() {
                return "park";
            }

            @Override
            public String secret() {
                return "callpark-demo-secret";
            }

            @Override
            public int pingIntervalSeconds() {
                return 30;
            }
        };
    }

    @Test
    void defaults_componentOfExampleComOnOpenfiresPort() {
        XmppSettings s = XmppSettings.from(defaults(), k -> null, k -> null);
        assertTrue(s.enabled());
        assertEquals("park.example.com", s.componentDomain());
        assertEquals(5275, s.port());
        assertEquals(Duration.ofSeconds(30), s.pingInterval());
        assertFalse(s.toString().contains("secret"), "the secret is never printed: " + s);
    }

    @Test
    void environmentAndSystemPropertiesOverride_propertyWins() {
        Map<String, String> env = Map.of("CALLPARK_XMPP_PORT", "5347", "CALLPARK_XMPP_SECRET", "from-env",
                "CALLPARK_XMPP_DOMAIN", "Corp.Example");
        Map<String, String> props = Map.of("callpark.xmpp.port", "26347", "callpark.xmpp.enabled", "false");
        XmppSettings s = XmppSettings.from(defaults(), props::get, env::get);
        assertEquals(26347, s.port());
        assertEquals("from-env", s.secret());
        assertEquals("park.corp.example", s.componentDomain());
        assertFalse(s.enabled());
    }

    @Test
    void invalidValues_everyFieldNamed() {
        Map<String, String> env = Map.of("CALLPARK_XMPP_PORT", "x", "CALLPARK_XMPP_SUBDOMAIN", "a.b",
                "CALLPARK_XMPP_SECRET", "", "CALLPARK_XMPP_ENABLED", "yes", "CALLPARK_XMPP_PING_INTERVAL_SECONDS", "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> XmppSettings.from(defaults(), k -> null, env::get));
        for (String field : new String[] {"port", "subdomain", "enabled", "pingIntervalSeconds"}) {
            assertTrue(e.getMessage().contains(field + ":"), e.getMessage());
        }
    }
}
