package org.callpark.internal.sip;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import javax.sip.message.Request;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.Tenant;
import org.callpark.api.TenantId;
import org.callpark.api.User;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPMessage;

/** Parsed SIP requests "received" from an address, a one-tenant directory and settings: for tests without a stack. */
final class SipRequestsForTests {

    static final Tenant TENANT = new Tenant(TenantId.DEFAULT, "Example", List.of("example.com"), "",
            new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(30), Duration.ofSeconds(30),
                    1));

    private SipRequestsForTests() {
    }

    /** {@code method} to {@code requestUri} from {@code from}, with {@code extraHeaders} (CRLF-terminated lines). */
    static Request request(String method, String requestUri, String from, String extraHeaders, String source)
            throws Exception {
        String text = method + " " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + source + ":5060;branch=z9hG4bK-test\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + from + ";tag=abc\r\n"
                + "To: <" + requestUri + ">\r\n"
                + "Call-ID: test-call@" + source + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + "Contact: <sip:phone@" + source + ":5060>\r\n"
                + extraHeaders
                + "Content-Length: 0\r\n\r\n";
        Request r = new MessageFactoryImpl().createRequest(text);
        ((SIPMessage) r).setRemoteAddress(InetAddress.getByName(source));
        ((SIPMessage) r).setRemotePort(5060);
        return r;
    }

    /** Settings trusting {@code trusted} (comma-separated) as proxies, with the given realm. */
    static SipSettings settings(String trusted) {
        return settings(trusted, "");
    }

    /** With the removed SIP {@code realm} set (anything but empty is rejected by {@link SipSettings#from}). */
    static SipSettings settings(String trusted, String realm) {
        TestSipConfig c = new TestSipConfig();
        c.trustedProxies = trusted;
        c.realm = realm;
        return SipSettings.from(c, k -> null, k -> null);
    }

    /** One tenant ({@link #TENANT}) with the users 101 (password pass101) and 102 (pass102). */
    static DirectoryService directory() {
        return directory(new Directory(TenantId.DEFAULT, List.of(TENANT),
                List.of(new User(TenantId.DEFAULT, "101", "Ann", "pass101", ""),
                        new User(TenantId.DEFAULT, "102", "Bob", "pass102", "")),
                List.of(), List.of()));
    }

    /** {@code d}, read-only. */
    static DirectoryService directory(Directory d) {
        return new DirectoryService() {
            @Override
            public Directory current() {
                return d;
            }

            @Override
            public List<ParkException.Violation> validate(Directory candidate) {
                return List.of();
            }

            @Override
            public void update(Directory candidate) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
