package org.callpark.internal.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.callpark.api.Directory;
import org.callpark.api.ParkException;
import org.callpark.api.ParkGroup;
import org.callpark.api.RecallMode;
import org.callpark.api.RetrieveTarget;
import org.callpark.api.SlotId;
import org.callpark.internal.DemoDirectory;
import org.callpark.internal.blf.DialogInfo;
import org.junit.jupiter.api.Test;

/** The code {@link Directory#retrieveCodeFor} gives is one the feature-code parser reads back as that very slot. */
class RetrieveCodeTest {

    @Test
    void everySlotsCodeParsesBackToTheSlot() throws ParkException {
        Directory dir = DemoDirectory.build().withParkGroups(List.of(new ParkGroup(DemoDirectory.DEFAULT, "Night", "",
                List.of(), RecallMode.USER_ONLY, "", Duration.ofSeconds(30), Duration.ofSeconds(30), 1, true)));
        List<SlotId> slots = new ArrayList<>();
        dir.allUsers().forEach(u -> slots.add(SlotId.extension(u.tenant(), u.extension())));
        dir.allParkGroups().forEach(g -> slots.add(g.slot()));
        for (SlotId slot : slots) {
            String code = dir.retrieveCodeFor(slot).orElseThrow(() -> new AssertionError("no code for " + slot));
            RetrieveTarget target = FeatureCode.parse(code).orElseThrow(() -> new AssertionError(code)).retrieve();
            assertEquals(slot, dir.slotFor(slot.tenant(), null, target), code);
        }
    }

    @Test
    void blfDialsTheSameCodeWhicheverWayThePhoneSubscribed() throws ParkException {
        Directory dir = DemoDirectory.build();
        for (String subscribed : List.of("*88700", "park+Sales", "park+sales", "park+700")) {
            BlfSubscriptions.Target t = BlfSubscriptions.resolve(dir, DemoDirectory.DEFAULT, "101",
                    FeatureCode.parse(subscribed).orElseThrow().retrieve(), "pbx.example.com");
            assertEquals(SlotId.group(DemoDirectory.DEFAULT, "Sales"), t.slot(), subscribed);
            assertEquals(DialogInfo.sipUri("*88700", "pbx.example.com"), t.retrieveUri(), subscribed);
        }
        BlfSubscriptions.Target ext = BlfSubscriptions.resolve(dir, DemoDirectory.DEFAULT, "101",
                FeatureCode.parse("park+102").orElseThrow().retrieve(), "pbx.example.com");
        assertEquals(DialogInfo.sipUri("*88102", "pbx.example.com"), ext.retrieveUri());
        BlfSubscriptions.Target support = BlfSubscriptions.resolve(dir, DemoDirectory.ACME, "201",
                FeatureCode.parse("park+SUPPORT").orElseThrow().retrieve(), "acme.test");
        assertEquals(DialogInfo.sipUri("park+Support", "acme.test"), support.retrieveUri());
    }
}
