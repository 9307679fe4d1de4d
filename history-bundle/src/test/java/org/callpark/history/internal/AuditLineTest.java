package org.callpark.history.internal;

import static org.callpark.history.internal.Fixtures.LOCAL;
import static org.callpark.history.internal.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;

import org.callpark.api.CallerId;
import org.callpark.api.Resolution;
import org.callpark.api.SlotId;
import org.callpark.api.TenantId;
import org.callpark.api.history.HistoryRecord;
import org.junit.jupiter.api.Test;

class AuditLineTest {

    @Test
    void oneLineWithEveryField() {
        HistoryRecord r = new HistoryRecord("c1", SlotId.group(TenantId.of("acme"), "Sales"),
                CallerId.of("+4930123", "Customer"), "101", "sales", T0, T0.plusMillis(12_345), Resolution.ANSWERED,
                "103", 1, LOCAL, List.of());
        assertEquals("park resolved: call=c1 tenant=acme slot=group/sales caller=\"Customer <+4930123>\""
                + " resolution=ANSWERED by=103 waited=12.3s recalls=1 node=node-a", AuditLine.of(r));
    }

    @Test
    void aHostileCallerNameCannotEndTheLineOrForgeAField() {
        String hostile = "x\" resolution=FORCED by=admin\npark resolved: call=forged\u2028\u0007";
        HistoryRecord r = new HistoryRecord("c1", SlotId.extension(TenantId.DEFAULT, "101"),
                CallerId.of("1", hostile), "", "", T0, T0.plusSeconds(3), Resolution.ABANDONED, "", 0, LOCAL,
                List.of());
        String line = AuditLine.of(r);
        assertFalse(line.contains("\n") || line.contains("\u2028") || line.contains("\u0007"), line);
        assertEquals("park resolved: call=c1 tenant=default slot=ext/101"
                + " caller=\"x\\\" resolution=FORCED by=admin\\npark resolved: call=forged\\u2028\\u0007 <1>\""
                + " resolution=ABANDONED by=- waited=3.0s recalls=0 node=node-a", line);
        // the quoted value ends at the first unescaped quote: only one resolution= outside it
        String outside = line.replaceAll("caller=\"(\\\\.|[^\"\\\\])*\"", "");
        assertEquals(1, outside.split("resolution=", -1).length - 1);
    }
}
