package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.sip.header.FromHeader;
import javax.sip.message.Request;

import org.callpark.api.CallState;
import org.callpark.api.CallerId;
import org.callpark.api.ParkedCall;
import org.callpark.api.RecallLabels;
import org.callpark.api.RecallMode;
import org.callpark.api.RecallPolicy;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.spi.MediaController.Codec;
import org.junit.jupiter.api.Test;

/**
 * Recall Alert-Info and caller-ID prefix per park group and tenant: the group's over the tenant's over the SIP
 * configuration's, as the recalled phone sees them in the INVITE.
 */
class RecallLabelsTest {

    private static final String GLOBAL = "<urn:alert:service:recall:transfer>";
    private static final RecallLabels TENANT = new RecallLabels("<http://pbx/ring/tenant>", "Held:");
    private static final RecallLabels GROUP = new RecallLabels("<http://pbx/ring/sales>;appearance=2", "Sales park:");

    @Test
    void theGroupsLabelsWin() throws Exception {
        Request invite = build(GLOBAL, GROUP, TENANT);
        assertEquals("<http://pbx/ring/sales>;appearance=2", alertInfo(invite));
        assertEquals("Sales park: Customer", displayName(invite));
    }

    @Test
    void aGroupWithoutLabelsTakesTheTenants() throws Exception {
        Request invite = build(GLOBAL, RecallLabels.INHERIT, TENANT);
        assertEquals("<http://pbx/ring/tenant>", alertInfo(invite));
        assertEquals("Held: Customer", displayName(invite));
    }

    @Test
    void eachLabelInheritsOnItsOwn() throws Exception {
        Request invite = build(GLOBAL, new RecallLabels("", "Sales park:"), new RecallLabels("<http://pbx/t>", ""));
        assertEquals("<http://pbx/t>", alertInfo(invite));
        assertEquals("Sales park: Customer", displayName(invite));
    }

    @Test
    void withoutLabelsTheGlobalAlertInfoAndTheSeedPrefix() throws Exception {
        Request invite = build(GLOBAL, RecallLabels.INHERIT, RecallLabels.INHERIT);
        assertEquals(GLOBAL, alertInfo(invite));
        assertEquals("Parked: Customer", displayName(invite));
    }

    @Test
    void noneSendsNoAlertInfoEvenWhenTheGlobalSetsOne() throws Exception {
        assertNull(build(GLOBAL, new RecallLabels(RecallLabels.NO_ALERT_INFO, ""), TENANT).getHeader("Alert-Info"));
    }

    @Test
    void aTenantAlertInfoWhereTheGlobalSetsNone() throws Exception {
        assertNull(build("", RecallLabels.INHERIT, RecallLabels.INHERIT).getHeader("Alert-Info"));
        assertEquals("<http://pbx/ring/tenant>", alertInfo(build("", RecallLabels.INHERIT, TENANT)));
    }

    private static Request build(String globalAlertInfo, RecallLabels group, RecallLabels tenant) throws Exception {
        TestSipConfig c = new TestSipConfig();
        c.recallAlertInfo = globalAlertInfo;
        SipSettings settings = SipSettings.from(c, k -> null, k -> null);
        SipMessages messages = new SipMessages(settings);
        RecallInvite invites = new RecallInvite(messages, new SipIdentities(messages,
                new SipAuthenticator(messages, CoreAccess.of(null, SipRequestsForTests.directory()), Clock.systemUTC())));
        return invites.build(call(), RecallInvite.labels(group, tenant, settings), "102", null, "example.com",
                "recall-1", "udp", 40000, List.of(new Codec("PCMU", 0, 8000, 1)));
    }

    private static String alertInfo(Request invite) {
        String header = invite.getHeader("Alert-Info").toString().trim();
        return header.substring(header.indexOf(':') + 1).trim();
    }

    private static String displayName(Request invite) {
        return ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getDisplayName();
    }

    private static ParkedCall call() {
        RecallPolicy p = new RecallPolicy(RecallMode.USER_ONLY, null, List.of(), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 1);
        return new ParkedCall("c1", SlotId.extension(TenantId.DEFAULT, "101"), CallerId.of("+4930123", "Customer"),
                "101", "", Instant.now(), 1, CallState.RECALLING, null, 1, p, "node-1", "leg-1", Instant.now(), 2);
    }
}
