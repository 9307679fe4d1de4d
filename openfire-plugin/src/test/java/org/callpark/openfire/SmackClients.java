package org.callpark.openfire;

import java.net.InetAddress;

import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;

/** Smack 4.4 clients for the embedded Openfire: plain TCP on the loopback, no TLS (the test server has none). */
final class SmackClients {

    private SmackClients() {
    }

    static XMPPTCPConnection connect(EmbeddedOpenfire openfire, String user, String password) throws Exception {
        XMPPTCPConnectionConfiguration config = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(openfire.domain())
                .setHostAddress(InetAddress.getLoopbackAddress())
                .setPort(openfire.clientPort())
                .setSecurityMode(SecurityMode.disabled)
                .setUsernameAndPassword(user, password)
                .setResource("test")
                .setConnectTimeout(5_000)
                .build();
        XMPPTCPConnection connection = new XMPPTCPConnection(config);
        connection.setReplyTimeout(5_000);
        connection.connect();
        try {
            connection.login();
        } catch (Exception e) {
            connection.instantShutdown();
            throw e;
        }
        return connection;
    }
}
