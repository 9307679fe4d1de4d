package org.callpark.openfire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded Openfire 4.2.0 harness itself: a Smack client logs in to it as a user created through Openfire's
 * {@code UserManager}, and a wrong password is refused. Client port 26522 (docs/testing.md).
 */
class EmbeddedOpenfireTest {

    static final int CLIENT_PORT = 26522;

    private static EmbeddedOpenfire openfire;

    @BeforeAll
    static void startOpenfire() throws Exception {
        openfire = EmbeddedOpenfire.start(Path.of("target", "openfire-harness").toAbsolutePath(), "example.com",
                CLIENT_PORT, List.of(), Map.of(), Duration.ofSeconds(30));
        openfire.createUser("alice", "alice-secret");
    }

    @AfterAll
    static void stopOpenfire() {
        if (openfire != null) {
            openfire.close();
        }
    }

    @Test
    void aUserCreatedInOpenfireLogsInWithSmack() throws Exception {
        XMPPTCPConnection alice = SmackClients.connect(openfire, "alice", "alice-secret");
        try {
            assertTrue(alice.isAuthenticated());
            assertEquals("alice@example.com", alice.getUser().asBareJid().toString());
        } finally {
            alice.instantShutdown();
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThrows(SASLErrorException.class, () -> SmackClients.connect(openfire, "alice", "wrong"));
    }
}
